import HTTP1

/// One case's result as JSON:
///
/// - `accepted`: the head parsed completely. Otherwise `status` and `reason` give the error, or
///   `incomplete` is true when the input ended before the head did.
/// - When accepted: `method`; `target` (as received) and `origin_target` (after absolute-form
///   rewriting); `version` ("1.0"/"1.1"); `host`; `fields` as [name, value] pairs after our
///   processing (underscore fields dropped unless --keep-underscore); `framing` ("none",
///   "content-length" with `length`, "chunked"); `head_length`; `keep_alive`; and the body:
///   `body_hex` (decoded data), `body_complete`, `body_error` (chunk framing error status),
///   `rest` (bytes after a complete body).
enum ProbeReport {
    static func describe(_ bytes: [UInt8], limits: HTTPLimits, into out: inout String) {
        var json = JSONWriter()
        bytes.withUnsafeBytes { buffer in
            var parser = RequestHeadParser(limits: limits)
            switch parser.parse(buffer) {
            case .incomplete:
                json.bool("accepted", false)
                json.bool("incomplete", true)
            case .failure(let error):
                json.bool("accepted", false)
                json.int("status", error.status)
                json.string("reason", error.reason)
            case .complete(let head):
                json.bool("accepted", true)
                describe(head, in: buffer, limits: limits, into: &json)
            }
        }
        out += json.finished()
    }

    private static func describe(_ head: RequestHead, in buffer: UnsafeRawBufferPointer, limits: HTTPLimits,
                                 into json: inout JSONWriter) {
        json.bytes("method", buffer[head.method])
        json.bytes("target", buffer[rawTarget(head, in: buffer)])
        json.bytes("origin_target", buffer[head.target])
        json.string("version", head.version == .http1_1 ? "1.1" : "1.0")
        if let host = head.host { json.bytes("host", buffer[host]) }
        let fields = head.fields.map { "[" + JSONWriter.quoted(buffer[$0.name]) + "," + JSONWriter.quoted(buffer[$0.value]) + "]" }
        json.raw("fields", "[" + fields.joined(separator: ",") + "]")
        json.int("head_length", head.headLength)
        json.bool("keep_alive", head.keepAlive)
        let body = UnsafeRawBufferPointer(rebasing: buffer[head.headLength...])
        switch head.framing {
        case .none:
            json.string("framing", "none")
            json.string("body_hex", "")
            json.bool("body_complete", true)
            json.int("rest", body.count)
        case .contentLength(let n):
            json.string("framing", "content-length")
            json.raw("length", "\(n)")
            decodeBody(body, decoder: BodyDecoder(contentLength: n), into: &json)
        case .chunked:
            json.string("framing", "chunked")
            decodeBody(body, decoder: .chunked(limits: limits), into: &json)
        }
    }

    /// The request-target as it appeared on the request line (absolute-form included): the bytes
    /// between the method's SP and the SP before the version.
    static func rawTarget(_ head: RequestHead, in buffer: UnsafeRawBufferPointer) -> Range<Int> {
        var end = head.method.upperBound
        while end < buffer.count, buffer[end] != UInt8(ascii: "\r") { end += 1 }
        // The line ends in " HTTP/1.x" (9 bytes); the parser guaranteed single spaces.
        return (head.method.upperBound + 1)..<(end - 9)
    }

    private static func decodeBody(_ input: UnsafeRawBufferPointer, decoder: BodyDecoder, into json: inout JSONWriter) {
        var decoder = decoder
        var body: [UInt8] = []
        var offset = 0
        var finished = false
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            let step: BodyDecodeStep
            do throws(HTTPParseError) {
                step = try decoder.decode(rest)
            } catch {
                json.int("body_error", error.status)
                break
            }
            body += rest[step.data]
            offset += step.consumed
            if step.finished {
                finished = true
                break
            }
            if step.consumed == 0 { break }
        }
        json.string("body_hex", Hex.encode(body))
        json.bool("body_complete", finished)
        if finished { json.int("rest", input.count - offset) }
    }
}
