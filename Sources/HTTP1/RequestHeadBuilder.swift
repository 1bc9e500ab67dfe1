/// Turns a parsed request line and its fields into a `RequestHead`, applying the
/// message-level rules that need all fields at once: Host (RFC 9112 §3.2), framing
/// (RFC 9112 §6), Connection (RFC 9110 §7.6.1), Expect (RFC 9110 §10.1.1), Upgrade (§7.8).
enum RequestHeadBuilder {
    static func build(
        _ line: RequestLine, fields: [HeaderField], headLength: Int, in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<RequestHead> {
        func fail(_ status: Int, _ reason: String) -> HeadParseResult<RequestHead> {
            .failure(HTTPParseError(status: status, reason: reason))
        }
        var fields = fields

        // Host: RFC 9112 §3.2 requires 400 for a 1.1 request with no Host or several.
        var hostField: HeaderField?
        for field in fields where field.token == .host {
            guard hostField == nil else { return fail(400, "multiple Host fields") }
            hostField = field
        }
        if line.version == .http1_1 && hostField == nil { return fail(400, "missing Host field") }
        if let hostField, !Authority.isPlausible(hostField.value, in: buffer) { return fail(400, "invalid Host field") }

        guard let options = ConnectionOptions.apply(to: &fields, in: buffer) else {
            return fail(400, "invalid Connection field")
        }

        let framing: RequestBodyFraming
        let contentLength = ContentLength.summarize(fields, in: buffer)
        switch TransferEncoding.summarize(fields, in: buffer) {
        case .absent:
            switch contentLength {
            case .absent: framing = .none
            case .value(let n): framing = .contentLength(n)
            case .invalid(let reason): return fail(400, reason)
            }
        case let te:
            // RFC 9112 §6.1: Transfer-Encoding in 1.0 means the framing is faulty; with
            // Content-Length it is a smuggling attempt (§6.3 allows rejecting it outright).
            if line.version == .http1_0 { return fail(400, "Transfer-Encoding in HTTP/1.0 request") }
            if contentLength != .absent { return fail(400, "Content-Length with Transfer-Encoding") }
            switch te {
            case .chunked: framing = .chunked
            case .unsupportedCoding: return fail(501, "unsupported transfer coding")
            case .finalNotChunked: return fail(400, "final transfer coding is not chunked")
            case .chunkedTwice: return fail(400, "chunked applied more than once")
            case .malformed, .absent: return fail(400, "invalid Transfer-Encoding field")
            }
        }

        var expectsContinue = false
        for field in fields where field.token == .expect {
            guard buffer.equalsIgnoringCase(field.value, "100-continue") else {
                return fail(417, "unsupported expectation")
            }
            expectsContinue = line.version == .http1_1
        }

        let keepAlive = options.persists(version: line.version)
        let upgrade = options.upgrade && line.version == .http1_1 ? fields.first(.upgrade)?.value : nil

        return .complete(RequestHead(
            method: line.method,
            methodKind: line.methodKind,
            target: line.target.target,
            path: line.target.path,
            version: line.version,
            fields: fields,
            host: line.target.authority ?? hostField?.value,
            headLength: headLength,
            framing: framing,
            keepAlive: keepAlive,
            expectsContinue: expectsContinue,
            upgrade: upgrade
        ))
    }
}
