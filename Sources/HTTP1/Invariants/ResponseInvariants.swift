/// Invariants of `ResponseHeadParser`, the body decoder for the framing it returns, and the
/// downstream serializer (see `ResponseRoundTrip`), for arbitrary input bytes. Each input is
/// parsed as the answer to GET, HEAD and CONNECT, which frame bodies differently.
package enum ResponseInvariants {
    static let methods: [Method] = [.get, .head, .connect]
    /// Interim (1xx) responses followed through before giving up on an input.
    static let maxHeads = 4

    package static func check(_ input: UnsafeRawBufferPointer) throws(InvariantViolation) {
        for limits in RequestInvariants.configurations {
            for method in methods {
                try check(input, method: method, limits: limits)
            }
        }
    }

    static func check(_ input: UnsafeRawBufferPointer, method: Method, limits: HTTPLimits) throws(InvariantViolation) {
        var offset = 0
        for _ in 0..<maxHeads {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            var parser = ResponseHeadParser(limits: limits)
            let oneShot = parser.parse(rest, requestMethod: method)
            try checkIncremental(rest, method: method, limits: limits, expected: oneShot)
            switch oneShot {
            case .incomplete:
                return
            case .failure(let error):
                try ensure(error.status == 502, "response error status \(error.status)")
                return
            case .complete(let head):
                try checkHead(head, in: rest, method: method, limits: limits)
                try ResponseRoundTrip.check(head, source: rest, method: method)
                if head.isInformational && head.status != 101 {
                    offset += head.headLength
                    continue
                }
                let body = UnsafeRawBufferPointer(rebasing: rest[head.headLength...])
                switch head.framing {
                case .none:
                    break
                case .contentLength(let n):
                    try BodyInvariants.check(body) { BodyDecoder(contentLength: n) }
                case .chunked:
                    try BodyInvariants.checkChunked(body, limits: limits)
                case .untilClose:
                    let outcome = try BodyInvariants.check(body) { BodyDecoder.untilClose() }
                    try ensure(outcome.body.elementsEqual(body), "until-close body differs from the input")
                }
                return
            }
        }
    }

    static func checkIncremental(
        _ input: UnsafeRawBufferPointer, method: Method, limits: HTTPLimits, expected: HeadParseResult<ResponseHead>
    ) throws(InvariantViolation) {
        var parser = ResponseHeadParser(limits: limits)
        try HeadInvariants.checkIncremental(input, expected: expected) { parser.parse($0, requestMethod: method) }
    }

    static func checkHead(
        _ head: ResponseHead, in buffer: UnsafeRawBufferPointer, method: Method, limits: HTTPLimits
    ) throws(InvariantViolation) {
        try HeadInvariants.checkExtent(head.headLength, in: buffer)
        try ensure((100...599).contains(head.status), "status \(head.status)")
        try ensure(head.isInformational == (head.status < 200), "isInformational")
        try ensure(head.reason.upperBound <= head.headLength - 4, "reason outside the status line")
        for i in head.reason {
            try ensure(ByteClass.isFieldValue(buffer[i]), "byte \(buffer[i]) in reason")
        }
        try HeadInvariants.checkFields(head.fields, headLength: head.headLength, in: buffer, limits: limits,
                                       dropsUnderscore: false)
        let bodiless = method == .head || head.status < 200 || head.status == 204 || head.status == 304
            || (method == .connect && head.status < 300)
        switch head.framing {
        case .none:
            try ensure(bodiless, "no body for a status and method that have one")
        case .contentLength(let n):
            try ensure(!bodiless, "Content-Length framing on a bodiless response")
            try HeadInvariants.checkFramingFields(head.fields, contentLength: n, chunked: false, in: buffer)
        case .chunked:
            try ensure(!bodiless && head.version == .http1_1, "chunked framing on a bodiless or 1.0 response")
            try HeadInvariants.checkFramingFields(head.fields, contentLength: nil, chunked: true, in: buffer)
        case .untilClose:
            try ensure(!bodiless, "until-close framing on a bodiless response")
            try ensure(!head.fields.contains { $0.token == .contentLength }, "until-close despite Content-Length")
        }
        try ensure(!head.keepAlive || (head.framing != .untilClose && head.status != 101), "keepAlive on a closing response")
        try HeadInvariants.checkUpgrade(head.upgrade, fields: head.fields)
    }
}
