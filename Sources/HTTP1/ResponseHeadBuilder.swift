/// Turns a parsed status line and its fields into a `ResponseHead`: framing per RFC 9112 §6.3
/// and connection persistence per §9.3.
enum ResponseHeadBuilder {
    static func build(
        _ line: StatusLine, fields: [HeaderField], headLength: Int, requestMethod: Method,
        in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<ResponseHead> {
        func fail(_ reason: String) -> HeadParseResult<ResponseHead> {
            .failure(HTTPParseError(status: 502, reason: reason))
        }
        var fields = fields
        guard let options = ConnectionOptions.apply(to: &fields, in: buffer) else {
            return fail("invalid Connection field in response")
        }

        // Validate framing fields even when §6.3 says to ignore them (HEAD, 1xx, 204, 304):
        // a malformed or conflicting length from the upstream is a fault worth surfacing.
        let contentLength = ContentLength.summarize(fields, in: buffer)
        if case .invalid = contentLength { return fail("invalid Content-Length in response") }
        let transferEncoding = TransferEncoding.summarize(fields, in: buffer)
        if transferEncoding != .absent {
            if contentLength != .absent { return fail("Content-Length with Transfer-Encoding in response") }
            // RFC 9112 §6.1: Transfer-Encoding in a 1.0 message means faulty framing.
            if line.version == .http1_0 { return fail("Transfer-Encoding in HTTP/1.0 response") }
        }

        let framing: ResponseBodyFraming
        let status = line.status
        if requestMethod == .head || status < 200 || status == 204 || status == 304
            || (requestMethod == .connect && status < 300) {
            framing = .none
        } else {
            switch transferEncoding {
            case .chunked: framing = .chunked
            // §6.3 rule 4: a final coding other than chunked means read until close.
            case .finalNotChunked: framing = .untilClose
            // Chunked last but preceded by codings we cannot undo: forwarding the decoded
            // chunks would hand the client a body in a coding it was never told about.
            case .unsupportedCoding: return fail("unsupported transfer coding in response")
            case .chunkedTwice, .malformed: return fail("invalid Transfer-Encoding in response")
            case .absent:
                switch contentLength {
                case .value(let n): framing = .contentLength(n)
                case .absent, .invalid: framing = .untilClose
                }
            }
        }

        let persistent = options.persists(version: line.version)
        return .complete(ResponseHead(
            status: status,
            reason: line.reason,
            version: line.version,
            fields: fields,
            headLength: headLength,
            framing: framing,
            keepAlive: persistent && framing != .untilClose && status != 101,
            isInformational: status < 200,
            upgrade: options.upgrade ? fields.first(.upgrade)?.value : nil
        ))
    }
}
