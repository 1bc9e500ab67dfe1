import HTTP1
import UV

/// The request: its head (parsed, routed, re-serialized) and its body, streamed to the server as it
/// arrives or buffered whole before a server is chosen.
extension DownstreamConnection {
    /// Parses the buffered input for the next request head.
    func readRequestHead() -> DownstreamEvent? {
        let input = transport.readable
        if input.isEmpty { return nil }
        switch parser.parse(input) {
        case .incomplete:
            if transport.isInputFull { return .failed(.badRequest(HTTPParseError(status: 431, reason: "request head too large"))) }
            return machine.state == .idle ? .headStarted : nil
        case let .failure(error):
            return .failed(.badRequest(error))
        case let .complete(head):
            return begin(head, input: input)
        }
    }

    /// Routes a parsed head under the current snapshot and prepares its exchange.
    private func begin(_ head: RequestHead, input: UnsafeRawBufferPointer) -> DownstreamEvent {
        snapshot = context.snapshot
        machine.settings = Self.settings(snapshot, context)
        defer {
            transport.consume(head.headLength)
            parser.reset()
        }
        let bodyFollows = head.framing != .none && head.framing != .contentLength(0)
        let isHead = head.methodKind == .head
        let host = head.host.map { hostWithoutPort($0, in: input) }
        let path = UnsafeRawBufferPointer(rebasing: input[head.path])
        let match = snapshot.router.match(host: host, path: path)
        if let match, let site = snapshot.sites[match.route] {
            return serveStatic(head, input: input, site: site,
                               relative: UnsafeRawBufferPointer(rebasing: path[match.prefixLength...]))
        }
        guard let match, let poolName = snapshot.router.routes[match.route].pool, let pool = snapshot.pools[poolName] else {
            startRecord(head, input: input, pool: nil, requestID: nil)
            return .localAnswer(LocalResponse(status: 404, message: "no route for this host and path", headOnly: isHead),
                                mustClose: bodyFollows || !head.keepAlive)
        }
        if case let .contentLength(length) = head.framing, length > snapshot.config.limits.maxBodyBytes {
            startRecord(head, input: input, pool: poolName, requestID: nil)
            return .localAnswer(LocalResponse(status: 413, message: "request body larger than max_body_bytes", headOnly: isHead),
                                mustClose: true)
        }
        let config = pool.config
        let buffered = bodyFollows && config.bufferRequests
        // WebSocket and other upgrades become tunnels on async pools; for a sync worker, Upgrade is
        // just a hop-by-hop field and is dropped.
        let isUpgrade = head.upgrade != nil && config.kind == .async
        let upstreamBody: UpstreamBodyFraming = switch head.framing {
        case _ where buffered: .lengthAfterBuffering
        case .none: .none
        case let .contentLength(length): .contentLength(length)
        case .chunked: .chunked
        }
        var options = UpstreamRequestOptions(clientAddress: clientAddress, body: upstreamBody,
                                             keepAlive: pool.reusesConnections)
        options.trustForwardedFor = snapshot.config.proxy.trustForwardedFor
        options.upgrade = isUpgrade
        options.requestID = RequestID.accepted(from: head, in: input) ?? context.requestIDs.next()
        startRecord(head, input: input, pool: poolName, requestID: options.requestID)
        var upstreamHead: [UInt8] = []
        upstreamHead.reserveCapacity(head.headLength + 160)
        RequestSerializer.writeHead(head, source: input, options: options, into: &upstreamHead)

        let plan = RequestPlan(
            method: head.methodKind, clientVersion: head.version, keepAlive: head.keepAlive, hasBody: bodyFollows,
            bufferBody: buffered, expectsContinue: head.expectsContinue && bodyFollows && head.version == .http1_1,
            isUpgrade: isUpgrade, pool: pool.settings)
        let io = ExchangeIO(pool: pool, plan: plan, client: transport, snapshot: snapshot,
                            highWaterBytes: context.writeHighWaterBytes, framing: head.framing,
                            upstreamHead: upstreamHead, upstreamChunked: upstreamBody == .chunked,
                            requestID: options.requestID)
        if buffered {
            io.requestSpill = SpillBuffer(memoryLimit: Int(clamping: snapshot.config.proxy.bufferMemoryBytes),
                                          tempDirectory: snapshot.config.proxy.tempDirectory)
        }
        self.io = io
        return .requestHead(plan)
    }
}
