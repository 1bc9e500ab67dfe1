/// What `ResponseSerializer` writes to the client must parse back to the same response: same
/// status and reason (or the standard reason when the upstream sent none), framing as chosen,
/// end-to-end fields in order; and serializing that parse again gives the same bytes.
enum ResponseRoundTrip {
    static func check(_ head: ResponseHead, source: UnsafeRawBufferPointer, method: Method) throws(InvariantViolation) {
        for clientVersion in [HTTPVersion.http1_1, .http1_0] {
            let body = downstreamFraming(head.framing, clientVersion: clientVersion)
            var out: [UInt8] = []
            ResponseSerializer.writeHead(head, source: source, body: body, keepAlive: head.keepAlive,
                                         clientVersion: clientVersion, into: &out)
            try out.withCheckedBytes { (written) throws(InvariantViolation) in
                var parser = ResponseHeadParser(limits: RequestRoundTrip.reparseLimits)
                guard case .complete(let again) = parser.parse(written, requestMethod: method) else {
                    throw InvariantViolation("serialized response does not re-parse: \(String(decoding: written, as: UTF8.self))")
                }
                try compare(head, source: source, with: again, written: written, body: body)
                var rewritten: [UInt8] = []
                ResponseSerializer.writeHead(again, source: written, body: body, keepAlive: head.keepAlive,
                                             clientVersion: clientVersion, into: &rewritten)
                try ensure(rewritten.elementsEqual(written), "serializing the re-parsed response changed it")
            }
        }
    }

    /// The framing a proxy picks toward the client for an upstream framing.
    static func downstreamFraming(_ framing: ResponseBodyFraming, clientVersion: HTTPVersion) -> DownstreamBodyFraming {
        switch framing {
        case .none: .none
        case .contentLength(let n): .contentLength(n)
        case .chunked: clientVersion == .http1_1 ? .chunked : .untilClose
        case .untilClose: .untilClose
        }
    }

    private static func compare(
        _ head: ResponseHead, source: UnsafeRawBufferPointer, with again: ResponseHead,
        written: UnsafeRawBufferPointer, body: DownstreamBodyFraming
    ) throws(InvariantViolation) {
        try ensure(again.headLength == written.count, "serialized head has trailing bytes")
        try ensure(again.status == head.status && again.version == .http1_1, "status line changed")
        let reason = head.reason.isEmpty
            ? Array(ResponseSerializer.reasonPhrase(head.status).utf8) : HeadInvariants.bytes(head.reason, in: source)
        try ensure(HeadInvariants.bytes(again.reason, in: written) == reason, "reason changed")
        let expected: ResponseBodyFraming = switch body {
        case .none: .none
        case .contentLength(let n): .contentLength(n)
        case .chunked: .chunked
        case .untilClose: .untilClose
        }
        try ensure(again.framing == expected, "framing \(again.framing), expected \(expected)")
        let isEndToEnd = { (f: HeaderField) in !f.isHopByHop && f.token != .contentLength && f.token != .transferEncoding }
        let sent = HeadInvariants.pairs(head.fields, in: source, where: isEndToEnd)
        let received = HeadInvariants.pairs(again.fields, in: written, where: isEndToEnd)
        try ensure(sent == received, "end-to-end fields changed")
        if head.status >= 200 && head.status != 101 {
            try ensure(again.keepAlive == (head.keepAlive && body != .untilClose), "persistence changed")
        }
    }
}
