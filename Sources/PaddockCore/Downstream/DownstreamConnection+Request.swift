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
        guard let poolName = snapshot.router.pool(host: host, path: path), let pool = snapshot.pools[poolName] else {
            return .localAnswer(LocalResponse(status: 404, message: "no route for this host and path", headOnly: isHead),
                                mustClose: bodyFollows || !head.keepAlive)
        }
        if case let .contentLength(length) = head.framing, length > snapshot.config.proxy.maxBodyBytes {
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
        var upstreamHead: [UInt8] = []
        upstreamHead.reserveCapacity(head.headLength + 160)
        RequestSerializer.writeHead(head, source: input, options: options, into: &upstreamHead)

        let plan = RequestPlan(
            method: head.methodKind, clientVersion: head.version, keepAlive: head.keepAlive, hasBody: bodyFollows,
            bufferBody: buffered, expectsContinue: head.expectsContinue && bodyFollows && head.version == .http1_1,
            isUpgrade: isUpgrade,
            pool: PoolSettings(name: pool.name, isSync: pool.isSync, reusesConnections: pool.reusesConnections,
                               connect: UInt64(config.connectTimeoutMilliseconds),
                               response: UInt64(config.responseTimeoutMilliseconds),
                               queue: UInt64(config.queueTimeoutMilliseconds),
                               tunnelIdle: UInt64(config.tunnelIdleMilliseconds)))
        let io = ExchangeIO(pool: pool, plan: plan, framing: head.framing, upstreamHead: upstreamHead,
                            upstreamChunked: upstreamBody == .chunked, limits: snapshot.limits)
        if buffered {
            io.requestSpill = SpillBuffer(memoryLimit: Int(clamping: snapshot.config.proxy.bufferMemoryBytes),
                                          tempDirectory: snapshot.config.proxy.tempDirectory)
        }
        self.io = io
        return .requestHead(plan)
    }

    /// Decodes what the client sent into the spill; the head gets its Content-Length once all is in.
    func receiveBufferedBody(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let spill = io.requestSpill else { return nil }
        var spillError: SpillError?
        let outcome = decodeRequestBody(io) { data in
            do throws(SpillError) {
                try spill.append(data)
                return true
            } catch {
                spillError = error
                return false
            }
        }
        if let spillError { return .failed(.bufferFailed(spillError)) }
        guard case .complete = outcome else { return outcome.event }
        RequestSerializer.finishHead(&io.upstreamHead, contentLength: spill.totalBytes)
        return .requestBodyComplete
    }

    /// Connected: sends the head, with the buffered body or as much of a streamed one as is here.
    func sendRequest(_ io: ExchangeIO) -> DownstreamEvent? {
        if let spill = io.requestSpill {
            spill.rewind()
            io.bufferedHeadPending = true
            return sendBufferedBody(io)
        }
        io.requestWriter = FramedWriter(head: io.upstreamHead, chunked: io.upstreamChunked)
        return streamRequestBody(io)
    }

    func continueSending(_ io: ExchangeIO) -> DownstreamEvent? {
        if io.requestSpill != nil { return sendBufferedBody(io) }
        guard io.pausedDownstreamReads else { return nil }
        io.pausedDownstreamReads = false
        transport.startReading()
        return streamRequestBody(io)
    }

    /// Streams body bytes from the client's input buffer to the upstream, pausing the client while
    /// the upstream write queue is above the high-water mark.
    func streamRequestBody(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport, io.requestWriter != nil else { return nil }
        let sink = TransportSink(transport: upstream)
        defer { io.requestWriter!.flush(to: sink) }
        if io.requestDecoder == nil {
            return .requestSent
        }
        let outcome = decodeRequestBody(io) { data in
            io.requestWriter!.writeData(data, to: sink)
            if upstream.writeQueueBytes > context.writeHighWaterBytes {
                transport.stopReading()
                io.pausedDownstreamReads = true
                return false
            }
            return true
        }
        if case .complete = outcome { io.requestWriter!.finish() }
        return outcome.event
    }

    enum BodyOutcome {
        case complete, needMore, paused
        case failed(ProxyFailure)

        var event: DownstreamEvent? {
            switch self {
            case .complete: .requestBodyComplete
            case .needMore, .paused: nil
            case let .failed(failure): .failed(failure)
            }
        }
    }

    /// Feeds decoded body data to `deliver` until the input runs out, the body ends, or `deliver`
    /// asks to stop. A client that half-closed before its body was complete has given up.
    private func decodeRequestBody(_ io: ExchangeIO, deliver: (UnsafeRawBufferPointer) -> Bool) -> BodyOutcome {
        guard io.requestDecoder != nil else { return .complete }
        let maxBodyBytes = snapshot.config.proxy.maxBodyBytes
        while true {
            let input = transport.readable
            let step: BodyDecodeStep
            do {
                step = try io.requestDecoder!.decode(input)
            } catch {
                return .failed(.badRequestBody(error))
            }
            var keepGoing = true
            if !step.data.isEmpty {
                io.requestBodyBytes += UInt64(step.data.count)
                if io.requestBodyBytes > maxBodyBytes { return .failed(.bodyTooLarge) }
                keepGoing = deliver(UnsafeRawBufferPointer(rebasing: input[step.data]))
            }
            transport.consume(step.consumed)
            if step.finished {
                io.requestDecoder = nil
                return .complete
            }
            if !keepGoing { return .paused }
            if step.consumed == 0 && step.data.isEmpty {
                return machine.readClosed ? .failed(.clientClosed) : .needMore
            }
        }
    }

    /// Sends a buffered request (head, then the spilled body) with backpressure.
    private func sendBufferedBody(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport, let spill = io.requestSpill else { return nil }
        do throws(SpillError) {
            while upstream.writeQueueBytes <= context.writeHighWaterBytes {
                let chunk = try spill.peek(maxBytes: 256 * 1024)
                if io.bufferedHeadPending {
                    io.bufferedHeadPending = false
                    io.upstreamHead.withUnsafeBytes { upstream.write($0, chunk) }
                } else if !chunk.isEmpty {
                    upstream.write(chunk)
                }
                spill.consume(chunk.count)
                if spill.isDrained { return .requestSent }
            }
            return nil
        } catch {
            return .failed(.bufferFailed(error))
        }
    }
}
