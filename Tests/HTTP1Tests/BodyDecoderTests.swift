import HTTP1
import Testing

/// Drives a decoder the way a proxy connection does: append each read to a pending buffer,
/// decode, forward `data`, drop `consumed`, repeat until finished or more input is needed.
struct DecodeRun {
    var body: [UInt8] = []
    var finished = false
    /// Bytes after the end of the body (the next message).
    var leftover: [UInt8] = []
    var error: HTTPParseError?
}

func decode(_ pieces: [[UInt8]], with decoder: inout BodyDecoder) -> DecodeRun {
    var run = DecodeRun()
    var pending: [UInt8] = []
    for (index, piece) in pieces.enumerated() {
        pending += piece
        while true {
            let result: Result<BodyDecodeStep, HTTPParseError> = pending.withUnsafeBytes { input in
                do throws(HTTPParseError) { return .success(try decoder.decode(input)) } catch { return .failure(error) }
            }
            guard case .success(let step) = result else {
                if case .failure(let error) = result { run.error = error }
                return run
            }
            #expect(step.consumed <= pending.count)
            #expect(step.data.isEmpty || (step.data.lowerBound >= 0 && step.data.upperBound <= step.consumed))
            // The documented contract: "needs more" only when the input is exhausted.
            if step.consumed == 0 && step.data.isEmpty && !step.finished {
                #expect(pending.isEmpty, "decoder stalled with \(pending.count) bytes")
            }
            run.body += pending[step.data]
            pending.removeFirst(step.consumed)
            if step.finished {
                run.finished = true
                run.leftover = pending + pieces[(index + 1)...].joined()
                #expect(decoder.isFinished)
                return run
            }
            if step.consumed == 0 { break }
        }
    }
    run.leftover = pending
    return run
}

func decode(_ text: String, with decoder: BodyDecoder, splitAt cuts: [Int] = []) -> DecodeRun {
    var decoder = decoder
    let bytes = Array(text.utf8)
    var pieces: [[UInt8]] = []
    var start = 0
    for cut in cuts.sorted() where cut > start && cut < bytes.count {
        pieces.append(Array(bytes[start..<cut]))
        start = cut
    }
    pieces.append(Array(bytes[start...]))
    return decode(pieces, with: &decoder)
}

@Suite struct ContentLengthBodyTests {
    @Test func exactBodyThenNextMessage() {
        let run = decode("helloGET", with: BodyDecoder(contentLength: 5))
        #expect(String(decoding: run.body, as: UTF8.self) == "hello")
        #expect(run.finished)
        #expect(String(decoding: run.leftover, as: UTF8.self) == "GET")
    }

    @Test func everySplit() {
        for cut in 0...11 {
            let run = decode("hello worldX", with: BodyDecoder(contentLength: 11), splitAt: [cut])
            #expect(String(decoding: run.body, as: UTF8.self) == "hello world", "split at \(cut)")
            #expect(run.finished)
            #expect(run.leftover == [UInt8(ascii: "X")])
        }
    }

    @Test func zeroLengthIsFinishedImmediately() throws {
        var decoder = BodyDecoder(contentLength: 0)
        #expect(decoder.isFinished)
        let step = try [UInt8(1)].withUnsafeBytes { input throws(HTTPParseError) in try decoder.decode(input) }
        #expect(step == BodyDecodeStep(consumed: 0, data: 0..<0, finished: true))
        try decoder.finishAtEOF()
    }

    @Test func eofBeforeEndThrows400() {
        var decoder = BodyDecoder(contentLength: 5)
        _ = decode([Array("abc".utf8)], with: &decoder)
        #expect(!decoder.isFinished)
        #expect(throws: HTTPParseError(status: 400, reason: "connection closed before end of body")) {
            try decoder.finishAtEOF()
        }
    }
}

@Suite struct UntilCloseBodyTests {
    @Test func consumesEverythingUntilEOF() throws {
        var decoder = BodyDecoder.untilClose()
        let run = decode([Array("abc".utf8), Array("def".utf8)], with: &decoder)
        #expect(String(decoding: run.body, as: UTF8.self) == "abcdef")
        #expect(!run.finished)
        #expect(!decoder.isFinished)
        try decoder.finishAtEOF()
        #expect(decoder.isFinished)
        let step = try [UInt8(1)].withUnsafeBytes { input throws(HTTPParseError) in try decoder.decode(input) }
        #expect(step.finished)
        #expect(step.consumed == 0)
    }
}

@Suite struct ChunkedBodyTests {
    static let sample = "5;name=value;quoted=\"a b\"\r\nhello\r\n6 ; ext\r\n world\r\n"
        + "00A\r\n0123456789\r\n0;last\r\nTrailer-One: 1\r\nTrailer-Two: two words\r\n\r\nNEXT"

    @Test func decodesExtensionsIgnoredTrailersDropped() {
        let run = decode(Self.sample, with: .chunked())
        #expect(run.error == nil)
        #expect(String(decoding: run.body, as: UTF8.self) == "hello world0123456789")
        #expect(run.finished)
        #expect(String(decoding: run.leftover, as: UTF8.self) == "NEXT")
    }

    @Test func everySplit() {
        let count = Self.sample.utf8.count
        for cut in 0...count {
            let run = decode(Self.sample, with: .chunked(), splitAt: [cut])
            #expect(run.error == nil, "split at \(cut)")
            #expect(String(decoding: run.body, as: UTF8.self) == "hello world0123456789", "split at \(cut)")
            #expect(run.finished, "split at \(cut)")
            #expect(String(decoding: run.leftover, as: UTF8.self) == "NEXT", "split at \(cut)")
        }
    }

    @Test func byteByByte() {
        let count = Self.sample.utf8.count
        let run = decode(Self.sample, with: .chunked(), splitAt: Array(1..<count))
        #expect(String(decoding: run.body, as: UTF8.self) == "hello world0123456789")
        #expect(run.finished)
        #expect(String(decoding: run.leftover, as: UTF8.self) == "NEXT")
    }

    /// At most one data run per call, returned as a range into the input (no copy).
    @Test func oneDataRunPerCall() throws {
        var decoder = BodyDecoder.chunked()
        let bytes = Array("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
        let first = try bytes.withUnsafeBytes { input throws(HTTPParseError) in try decoder.decode(input) }
        // Data "abc", then its CRLF and the next size line are consumed; "de" waits.
        #expect(first == BodyDecodeStep(consumed: 11, data: 3..<6, finished: false))
        let rest = Array(bytes[11...])
        let second = try rest.withUnsafeBytes { input throws(HTTPParseError) in try decoder.decode(input) }
        #expect(second == BodyDecodeStep(consumed: rest.count, data: 0..<2, finished: true))
    }

    @Test func emptyBody() {
        let run = decode("0\r\n\r\n", with: .chunked())
        #expect(run.body.isEmpty)
        #expect(run.finished)
    }

    @Test func eofInsideChunkThrows() {
        var decoder = BodyDecoder.chunked()
        _ = decode([Array("5\r\nhel".utf8)], with: &decoder)
        #expect(throws: HTTPParseError.self) { try decoder.finishAtEOF() }
    }

    @Test func errorsAreSticky() {
        var decoder = BodyDecoder.chunked()
        let run = decode([Array("x\r\n".utf8)], with: &decoder)
        #expect(run.error?.status == 400)
        let again = decode([Array("0\r\n\r\n".utf8)], with: &decoder)
        #expect(again.error == run.error)
    }

    @Test func maximumChunkSize() {
        // 16 hex digits fit in UInt64; the decoder then waits for the data.
        var decoder = BodyDecoder.chunked()
        let run = decode([Array("ffffffffffffffff\r\nab".utf8)], with: &decoder)
        #expect(run.error == nil)
        #expect(run.body == Array("ab".utf8))
    }

    static let errorRows: [Row] = [
        // RFC 9112 §7.1: chunk-size = 1*HEXDIG.
        Row("§7.1 empty chunk size", "\r\n", .error(400), reason: "invalid chunk size"),
        Row("§7.1 empty chunk size before an extension", ";a\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk size"),
        Row("§7.1 upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", .ok),
        Row("§7.1 last chunk with several zeros", "000\r\n\r\n", .ok),
        Row("§7.1 non-hex chunk size", "x\r\n", .error(400)),
        Row("§7.1 hex prefix", "0x5\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 signed chunk size", "-5\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 leading whitespace", " 5\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 trailing whitespace without extension", "5 \r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 junk after size", "5x\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 chunk size overflow", "10000000000000000\r\n", .error(400), reason: "chunk size overflow"),
        Row("§7.1 leading zeros do not overflow", "00000000000000000005\r\nhello\r\n0\r\n\r\n", .ok),
        // RFC 9112 §7.1: chunk-data is exactly chunk-size octets, then CRLF.
        Row("§7.1 data longer than size", "5\r\nhelloX\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 data shorter than size", "5\r\nhell\r\n0\r\n\r\n", .error(400)),
        Row("§7.1 LF only after data", "5\r\nhello\n0\r\n\r\n", .error(400)),
        Row("§7.1 no CRLF after data", "5\r\nhello0\r\n\r\n", .error(400), reason: "chunk data does not match chunk size"),
        Row("§7.1 CR only after data", "5\r\nhello\r0\r\n\r\n", .error(400), reason: "chunk data does not match chunk size"),
        // RFC 9112 §2.2 / §7.1: CRLF only in chunk framing.
        Row("§7.1 bare LF after size", "5\nhello\r\n0\r\n\r\n", .error(400), reason: "bare LF in chunk framing"),
        Row("§7.1 bare CR after size", "5\rhello\r\n0\r\n\r\n", .error(400), reason: "bare CR in chunk framing"),
        Row("§7.1 bare LF after the last chunk", "0\n\r\n", .error(400), reason: "bare LF in chunk framing"),
        Row("§7.1.1 bare LF in extension", "5;a\nb\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1.1 bare CR in extension", "5;a\rb\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1.1 NUL in extension", "5;a\u{0}\r\nhello\r\n0\r\n\r\n", .error(400)),
        Row("§7.1.1 extension over the line limit", "5;" + "a".times(4095) + "\r\nhello\r\n0\r\n\r\n", .error(400),
            reason: "chunk size line too long"),
        Row("§7.1.1 extension at the line limit", "5;" + "a".times(4094) + "\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 quoted value too long", "5;a=\"" + "q".times(4100) + "\"\r\nhello\r\n0\r\n\r\n", .error(400),
            reason: "chunk size line too long"),
        // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
        // chunk-ext-name = token, chunk-ext-val = token / quoted-string.
        Row("§7.1.1 name only", "5;a\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 several extensions", "5;a;b=c;d=\"e\"\r\nhello\r\n0;z\r\n\r\n", .ok),
        Row("§7.1.1 BWS around ; and =", "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 quoted value with ; and SP", "5;a=\"x; y\"\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 quoted-pair", "5;a=\"x\\\"y\"\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 obs-text in a quoted value", "5;a=\"caf\u{E9}\"\r\nhello\r\n0\r\n\r\n", .ok),
        Row("§7.1.1 empty extension", "5;\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 empty name", "5;=b\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 empty value", "5;a=\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 name with non-token byte", "5;a@b\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 name with obs-text", "5;caf\u{E9}\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 two words as a name", "5;a b\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 two words as a value", "5;a=b c\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 second =", "5;a=b=c\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 comma instead of ;", "5;a,b\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 whitespace before the CRLF", "5;a \r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 whitespace after a value", "5;a=b\t\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 unterminated quoted value", "5;a=\"b\r\nhello\r\n0\r\n\r\n", .error(400), reason: "bare CR in chunk extension"),
        Row("§7.1.1 junk after a quoted value", "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 CTL in a quoted value", "5;a=\"b\u{1}\"\r\nhello\r\n0\r\n\r\n", .error(400), reason: "invalid chunk extension"),
        Row("§7.1.1 bare LF in a quoted value", "5;a=\"b\nc\"\r\nhello\r\n0\r\n\r\n", .error(400), reason: "bare LF in chunk extension"),
        // RFC 9112 §7.1.2: trailer fields follow field-line syntax.
        Row("§7.1.2 valid trailer", "0\r\nX: y\r\n\r\n", .ok),
        Row("§7.1.2 obs-fold in trailers", "0\r\nX: y\r\n z\r\n\r\n", .error(400)),
        Row("§7.1.2 whitespace before colon", "0\r\nX : y\r\n\r\n", .error(400)),
        Row("§7.1.2 trailer without colon", "0\r\nXy\r\n\r\n", .error(400)),
        Row("§7.1.2 invalid trailer name", "0\r\nX(y: z\r\n\r\n", .error(400)),
        Row("§7.1.2 CTL in trailer value", "0\r\nX: a\u{1}\r\n\r\n", .error(400)),
        Row("§7.1.2 bare LF in trailer", "0\r\nX: y\n\r\n", .error(400)),
        Row("§7.1.2 bare LF ending trailers", "0\r\n\n", .error(400)),
        Row("§7.1.2 bare CR ending trailers", "0\r\n\rX", .error(400)),
        Row("§7.1 last chunk missing final CRLF", "0\r\n", .incomplete),
    ]

    @Test(arguments: errorRows)
    func rule(_ row: Row) {
        let run = decode(row.raw, with: .chunked())
        let result: Verdict = if let error = run.error { .error(error.status) } else if run.finished { .ok } else { .incomplete }
        row.check(result, reason: run.error?.reason)
    }

    @Test func trailerLimits() {
        var limits = HTTPLimits()
        limits.maxFieldCount = 2
        #expect(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", with: .chunked(limits: limits)).finished)
        #expect(decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", with: .chunked(limits: limits)).error?.status == 400)
        limits = HTTPLimits()
        limits.maxFieldLineBytes = 6
        #expect(decode("0\r\nA: 123\r\n\r\n", with: .chunked(limits: limits)).finished)
        #expect(decode("0\r\nA: 1234\r\n\r\n", with: .chunked(limits: limits)).error?.status == 400)
        limits = HTTPLimits()
        limits.maxHeadBytes = 10
        #expect(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", with: .chunked(limits: limits)).error?.status == 400)
    }
}
