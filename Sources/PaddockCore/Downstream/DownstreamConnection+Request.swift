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

    /// `[tls] redirect_http`: the same URL on https, with the first TLS listener's port (none for 443).
    static func httpsRedirect(_ head: RequestHead, input: UnsafeRawBufferPointer, host: String?, port: UInt16) -> LocalResponse {
        let isHead = head.methodKind == .head
        guard let host, !host.isEmpty else {
            return LocalResponse(status: 400, message: "a redirect to https needs a Host", headOnly: isHead)
        }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: input[head.target]), as: UTF8.self)
        let url = "https://\(port == 443 ? host : "\(host):\(port)")\(target.hasPrefix("/") ? target : "/")"
        return LocalResponse(status: 308, message: "this site is served over https: \(url)", headOnly: isHead, location: url)
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
        if !isTLS, let tls = snapshot.config.tls, tls.redirectHTTP {
            startRecord(head, input: input, pool: nil, requestID: nil)
            return .localAnswer(Self.httpsRedirect(head, input: input, host: host, port: tls.redirectPort),
                                mustClose: bodyFollows || !head.keepAlive)
        }
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
        options.scheme = isTLS ? "https" : "http"
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
                            requestID: options.requestID, strictTransportSecurity: strictTransportSecurity)
        if buffered {
            io.requestSpill = SpillBuffer(memoryLimit: Int(clamping: snapshot.config.proxy.bufferMemoryBytes),
                                          tempDirectory: snapshot.config.proxy.tempDirectory)
        }
        self.io = io
        return .requestHead(plan)
    }
}
