/// What `RequestSerializer` writes upstream must parse back to the same request: same method,
/// origin-form target, host, framing and end-to-end fields in order, and serializing that
/// parse again must give the same bytes (the canonical form is a fixed point).
enum RequestRoundTrip {
    /// Generous limits for the re-parse: the serializer adds fields (and joins X-Forwarded-For
    /// lines when trusted), so the output may exceed the limits the input was parsed under.
    static let reparseLimits = HTTPLimits(
        maxRequestLineBytes: 1 << 20, maxFieldCount: 1 << 12, maxFieldLineBytes: 1 << 22,
        maxHeadBytes: 1 << 24, maxChunkLineBytes: 4096, dropUnderscoreFields: false)

    static func check(_ head: RequestHead, source: UnsafeRawBufferPointer) throws(InvariantViolation) {
        for trust in [false, true] {
            let options = UpstreamRequestOptions(
                clientAddress: "127.0.0.1", trustForwardedFor: trust, body: upstreamFraming(head.framing),
                keepAlive: head.keepAlive, upgrade: head.upgrade != nil)
            var out: [UInt8] = []
            RequestSerializer.writeHead(head, source: source, options: options, into: &out)
            try out.withCheckedBytes { (written) throws(InvariantViolation) in
                let again = try reparse(written)
                try compare(head, source: source, with: again, written: written, options: options)
                if !trust {
                    var rewritten: [UInt8] = []
                    RequestSerializer.writeHead(again, source: written, options: options, into: &rewritten)
                    try ensure(rewritten.elementsEqual(written), "serializing the re-parsed request changed it")
                }
            }
        }
    }

    static func upstreamFraming(_ framing: RequestBodyFraming) -> UpstreamBodyFraming {
        switch framing {
        case .none: .none
        case .contentLength(let n): .contentLength(n)
        case .chunked: .chunked
        }
    }

    private static func reparse(_ written: UnsafeRawBufferPointer) throws(InvariantViolation) -> RequestHead {
        var parser = RequestHeadParser(limits: reparseLimits)
        switch parser.parse(written) {
        case .complete(let head): return head
        case let other:
            throw InvariantViolation("serialized request does not re-parse: \(other): \(String(decoding: written, as: UTF8.self))")
        }
    }

    /// Fields the serializer forwards unchanged, in received order.
    static func isPassedThrough(_ field: HeaderField, version: HTTPVersion) -> Bool {
        switch field.token {
        case .host, .contentLength, .transferEncoding, .xForwardedFor, .xForwardedProto, .xForwardedHost: false
        case .expect where version == .http1_0: false
        default: !field.isHopByHop
        }
    }

    private static func compare(
        _ head: RequestHead, source: UnsafeRawBufferPointer, with again: RequestHead,
        written: UnsafeRawBufferPointer, options: UpstreamRequestOptions
    ) throws(InvariantViolation) {
        func bytes(_ r: Range<Int>?, _ b: UnsafeRawBufferPointer) -> [UInt8] { HeadInvariants.bytes(r, in: b) }
        try ensure(again.headLength == written.count, "serialized head has trailing bytes")
        try ensure(bytes(again.method, written) == bytes(head.method, source), "method changed")
        let target = (head.path.isEmpty ? [.slash] : []) + bytes(head.target, source)
        try ensure(bytes(again.target, written) == target, "target changed")
        try ensure(again.version == .http1_1, "upstream request is not HTTP/1.1")
        try ensure(again.framing == head.framing, "framing changed: \(head.framing) → \(again.framing)")
        try ensure(bytes(again.host, written) == bytes(head.host, source), "host changed")
        if options.upgrade {
            try ensure(bytes(again.upgrade, written) == bytes(head.upgrade, source), "upgrade changed")
        } else {
            try ensure(again.keepAlive == options.keepAlive && again.upgrade == nil, "persistence changed")
        }
        let sent = HeadInvariants.pairs(head.fields, in: source) { isPassedThrough($0, version: head.version) }
        let received = HeadInvariants.pairs(again.fields, in: written) { isPassedThrough($0, version: .http1_1) }
        try ensure(sent == received, "end-to-end fields changed")
        let forwardedFor = again.fields.filter { $0.token == .xForwardedFor }
        try ensure(forwardedFor.count == 1, "\(forwardedFor.count) X-Forwarded-For fields upstream")
    }
}
