/// Body decoder for one message: Content-Length, chunked (RFC 9112 §7.1) or until close.
///
/// Partial-input contract (all framings):
/// - Each `decode` call consumes framing bytes and at most one contiguous run of body data,
///   returned as `data`, a range inside `input` (forward it without copying).
/// - Partial framing is kept inside the decoder: a chunk-size line, chunk extensions, the CRLF
///   after chunk data, or a trailer line split across reads is consumed as far as it goes, and
///   parsing resumes with the next bytes. The caller never re-presents consumed bytes.
/// - `consumed < input.count` only when a data run ended and more framing or data follows
///   (call again with `input[consumed...]`), or when `finished` (the rest is the next message).
/// - `consumed == 0 && data.isEmpty && !finished` happens only for empty input: read more.
/// - Errors are thrown with status 400 (response callers map them to 502) and are sticky: every
///   later call throws the same error.
/// - Chunk extensions are validated (no CTLs, no bare CR/LF, at most `maxChunkLineBytes` per
///   chunk-size line) and ignored. Trailer fields are validated like head fields, bounded by
///   `maxFieldLineBytes`, `maxFieldCount` and `maxHeadBytes`, and dropped.
public struct BodyDecoder: Sendable {
    private enum Mode: Sendable {
        case contentLength(remaining: UInt64)
        case chunked(ChunkedDecoder)
        case untilClose(closed: Bool)
        case failed(HTTPParseError)
    }

    private var mode: Mode

    public init(contentLength: UInt64) {
        mode = .contentLength(remaining: contentLength)
    }

    private init(mode: Mode) {
        self.mode = mode
    }

    public static func chunked(limits: HTTPLimits = HTTPLimits()) -> BodyDecoder {
        BodyDecoder(mode: .chunked(ChunkedDecoder(limits: limits)))
    }

    public static func untilClose() -> BodyDecoder {
        BodyDecoder(mode: .untilClose(closed: false))
    }

    public var isFinished: Bool {
        switch mode {
        case .contentLength(let remaining): remaining == 0
        case .chunked(let decoder): decoder.isFinished
        case .untilClose(let closed): closed
        case .failed: false
        }
    }

    public mutating func decode(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> BodyDecodeStep {
        switch mode {
        case .contentLength(let remaining):
            let n = Int(min(remaining, UInt64(input.count)))
            mode = .contentLength(remaining: remaining - UInt64(n))
            return BodyDecodeStep(consumed: n, data: 0..<n, finished: remaining == UInt64(n))
        case .chunked(var decoder):
            do {
                let step = try decoder.decode(input)
                mode = .chunked(decoder)
                return step
            } catch {
                mode = .failed(error)
                throw error
            }
        case .untilClose(let closed):
            let n = closed ? 0 : input.count
            return BodyDecodeStep(consumed: n, data: 0..<n, finished: closed)
        case .failed(let error):
            throw error
        }
    }

    /// The connection closed. For until-close bodies this completes the body and returns
    /// normally; for the other framings an unfinished body throws (status 400).
    public mutating func finishAtEOF() throws(HTTPParseError) {
        switch mode {
        case .untilClose:
            mode = .untilClose(closed: true)
        case .failed(let error):
            throw error
        case .contentLength, .chunked:
            guard isFinished else {
                let error = HTTPParseError(status: 400, reason: "connection closed before end of body")
                mode = .failed(error)
                throw error
            }
        }
    }
}
