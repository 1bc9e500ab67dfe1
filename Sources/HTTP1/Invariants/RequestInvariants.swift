/// Invariants of `RequestHeadParser`, the body decoder for the framing it returns, and the
/// upstream serializer (see `RequestRoundTrip`), for arbitrary input bytes.
package enum RequestInvariants {
    /// Every input is checked under the default limits and under tiny ones with underscore
    /// fields kept, so that short fuzz inputs reach every limit check too.
    static let configurations: [HTTPLimits] = [
        HTTPLimits(),
        HTTPLimits(maxRequestLineBytes: 40, maxFieldCount: 6, maxFieldLineBytes: 48, maxHeadBytes: 256,
                   maxChunkLineBytes: 24, dropUnderscoreFields: false),
    ]

    static let requestStatuses: Set<Int> = [400, 414, 417, 431, 501, 505]

    package static func check(_ input: UnsafeRawBufferPointer) throws(InvariantViolation) {
        for limits in configurations {
            try check(input, limits: limits)
        }
    }

    static func check(_ input: UnsafeRawBufferPointer, limits: HTTPLimits) throws(InvariantViolation) {
        var parser = RequestHeadParser(limits: limits)
        let oneShot = parser.parse(input)
        try checkIncremental(input, limits: limits, expected: oneShot)
        switch oneShot {
        case .incomplete:
            return
        case .failure(let error):
            try ensure(requestStatuses.contains(error.status), "unexpected status \(error.status)")
        case .complete(let head):
            try checkHead(head, in: input, limits: limits)
            let body = UnsafeRawBufferPointer(rebasing: input[head.headLength...])
            switch head.framing {
            case .none:
                break
            case .contentLength(let n):
                let outcome = try BodyInvariants.check(body) { BodyDecoder(contentLength: n) }
                try ensure(UInt64(outcome.body.count) == min(n, UInt64(body.count)), "Content-Length body size")
            case .chunked:
                try BodyInvariants.checkChunked(body, limits: limits)
            }
            try RequestRoundTrip.check(head, source: input)
        }
    }

    static func checkIncremental(
        _ input: UnsafeRawBufferPointer, limits: HTTPLimits, expected: HeadParseResult<RequestHead>
    ) throws(InvariantViolation) {
        var parser = RequestHeadParser(limits: limits)
        try HeadInvariants.checkIncremental(input, expected: expected) { parser.parse($0) }
    }

    static func checkHead(_ head: RequestHead, in buffer: UnsafeRawBufferPointer, limits: HTTPLimits) throws(InvariantViolation) {
        try HeadInvariants.checkExtent(head.headLength, in: buffer)
        let headEnd = head.headLength
        try ensure(!head.method.isEmpty && head.method.upperBound < head.target.lowerBound, "method range \(head.method)")
        try ensure(buffer.isToken(head.method), "method is not a token")
        try ensure(Method.classify(head.method, in: buffer) == head.methodKind, "method classification")
        try ensure(head.methodKind != .connect, "CONNECT accepted")
        try ensure(head.target.upperBound < headEnd, "target outside the head")
        for i in head.target {
            try ensure(ByteClass.isTarget(buffer[i]) && buffer[i] != UInt8(ascii: "#"), "byte \(buffer[i]) in target")
        }
        try ensure(head.path.lowerBound == head.target.lowerBound && head.path.upperBound <= head.target.upperBound,
                   "path \(head.path) not a prefix of target \(head.target)")
        try ensure(buffer.firstIndex(of: .question, in: head.path) == nil, "path contains ?")
        if head.path.upperBound < head.target.upperBound {
            try ensure(buffer[head.path.upperBound] == .question, "path does not end at ?")
        }
        if head.target.isEmpty || buffer[head.target.lowerBound] != .slash {
            let isAsterisk = head.target.count == 1 && buffer[head.target.lowerBound] == UInt8(ascii: "*")
            try ensure(head.path.isEmpty || (isAsterisk && head.methodKind == .options), "target neither origin- nor asterisk-form")
        }
        try HeadInvariants.checkFields(head.fields, headLength: headEnd, in: buffer, limits: limits,
                                       dropsUnderscore: limits.dropUnderscoreFields)
        let hosts = head.fields.filter { $0.token == .host }
        try ensure(hosts.count <= 1, "\(hosts.count) Host fields")
        if head.version == .http1_1 {
            try ensure(hosts.count == 1 && head.host != nil, "HTTP/1.1 request without Host")
        }
        if let host = head.host {
            try ensure(host.upperBound <= headEnd && Authority.isPlausible(host, in: buffer), "implausible host")
        }
        switch head.framing {
        case .none:
            try ensure(!head.fields.contains { $0.token == .contentLength || $0.token == .transferEncoding },
                       "framing .none with framing fields")
        case .contentLength(let n):
            try HeadInvariants.checkFramingFields(head.fields, contentLength: n, chunked: false, in: buffer)
        case .chunked:
            try ensure(head.version == .http1_1, "chunked HTTP/1.0 request")
            try HeadInvariants.checkFramingFields(head.fields, contentLength: nil, chunked: true, in: buffer)
        }
        try ensure(head.version == .http1_1 || (!head.expectsContinue && head.upgrade == nil), "1.0 request expects or upgrades")
        try HeadInvariants.checkUpgrade(head.upgrade, fields: head.fields)
    }
}
