import HTTP1
import Logging
import UV

/// One client connection: reads requests, proxies each to a pool, and writes the responses back in order.
///
/// States:
/// - `idle`: between requests (keep-alive); the client timeout closes it quietly.
/// - `readingHead`: some bytes of a head arrived; the whole head must arrive within the client timeout.
/// - `proxying`: an `Exchange` is in progress. Pipelined requests wait unparsed in the input buffer.
/// - `tunnel`: after a 101, bytes are relayed both ways until either side closes or goes idle.
/// - `closing`: the last response is flushing; input is drained and discarded until EOF or the linger timeout.
///
/// The exchange's steps live in extensions: dispatch (queueing, connecting, retries), the request body,
/// the response, and tunnels. Every failure goes through `fail(_:)`, which maps it to an outcome in one place.
final class DownstreamConnection: SocketDelegate {
    enum State { case idle, readingHead, proxying, tunnel, closing, closed }

    let socket: Socket
    let context: ProxyContext
    /// Client-side deadlines: idle keep-alive, request head, stalled body, linger.
    let timer: LoopTimer
    /// The queue deadline of a sync pool, separate because a streamed body may still be arriving
    /// (re-arming the client timer) while the request waits for a worker.
    private var queueTimer: LoopTimer?
    let clientAddress: String
    var parser: RequestHeadParser
    var state: State = .idle
    var exchange: Exchange?
    var scratch: [UInt8] = []
    var shuttingDown = false
    /// Called once when the connection is fully closed, so the proxy can forget it.
    var onClose: ((DownstreamConnection) -> Void)?

    init(socket: Socket, context: ProxyContext) {
        self.socket = socket
        self.context = context
        timer = LoopTimer(loop: context.loop)
        parser = RequestHeadParser(limits: context.limits)
        clientAddress = socket.peerIP ?? "unix"
        socket.delegate = self
    }

    func start() {
        socket.startReading()
        armIdleTimeout()
    }

    /// Graceful stop: finish the current exchange, then close; close at once if idle.
    func shutdownGracefully() {
        shuttingDown = true
        if state == .idle { close() }
    }

    // MARK: Reading requests

    /// Parses and starts as many requests as the buffered input allows (one at a time: pipelined
    /// requests are answered in order because the next one is parsed only after the current response).
    func processInput() {
        while state == .idle || state == .readingHead {
            let input = socket.readable
            if input.isEmpty { return }
            if state == .idle {
                state = .readingHead
                armTimer(context.clientTimeoutMilliseconds) { [unowned self] in self.fail(.clientTimeout) }
            }
            switch parser.parse(input) {
            case .incomplete:
                if socket.isInputFull { fail(.badRequest(HTTPParseError(status: 431, reason: "request head too large"))) }
                return
            case let .failure(error):
                fail(.badRequest(error))
                return
            case let .complete(head):
                begin(head, input: input)
            }
        }
    }

    private func begin(_ head: RequestHead, input: UnsafeRawBufferPointer) {
        timer.stop()
        let host = head.host.map { hostWithoutPort($0, in: input) }
        let path = UnsafeRawBufferPointer(rebasing: input[head.path])
        guard let poolName = context.router.pool(host: host, path: path), let pool = context.pools[poolName] else {
            finishLocally(head, status: 404, message: "no route for this host and path")
            return
        }
        if case let .contentLength(length) = head.framing, length > context.config.proxy.maxBodyBytes {
            finishLocally(head, status: 413, message: "request body larger than max_body_bytes", forceClose: true)
            return
        }
        let bodyFollows = head.framing != .none && head.framing != .contentLength(0)
        let buffered = bodyFollows && pool.config.bufferRequests
        // WebSocket and other upgrades become tunnels on async pools; for a sync worker, Upgrade is
        // just a hop-by-hop field and is dropped.
        let isUpgrade = head.upgrade != nil && pool.config.kind == .async
        let upstreamBody: UpstreamBodyFraming = switch head.framing {
        case _ where buffered: .none  // Content-Length is added once the whole body is in
        case .none: .none
        case let .contentLength(length): .contentLength(length)
        case .chunked: .chunked
        }
        var options = UpstreamRequestOptions(clientAddress: clientAddress, body: upstreamBody,
                                             keepAlive: pool.reusesConnections)
        options.trustForwardedFor = context.config.proxy.trustForwardedFor
        options.upgrade = isUpgrade
        var upstreamHead: [UInt8] = []
        upstreamHead.reserveCapacity(head.headLength + 160)
        RequestSerializer.writeHead(head, source: input, options: options, into: &upstreamHead)

        let exchange = Exchange(pool: pool, head: head, isUpgrade: isUpgrade, upstreamHead: upstreamHead,
                                upstreamChunked: upstreamBody == .chunked, limits: context.limits)
        if buffered {
            exchange.requestSpill = SpillBuffer(memoryLimit: Int(clamping: context.config.proxy.bufferMemoryBytes),
                                                tempDirectory: context.config.proxy.tempDirectory)
        }
        self.exchange = exchange
        state = .proxying
        let expectsContinue = head.expectsContinue && exchange.hasBody && head.version == .http1_1
        socket.consume(head.headLength)
        parser.reset()
        if expectsContinue { socket.write(Self.continueResponse) }
        if buffered {
            armStallTimeout()
            receiveRequestBody()
        } else {
            if exchange.hasBody { armStallTimeout() }
            dispatch()
        }
    }

    private static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Answers a request the proxy handles itself (404, 413). A request body that was not read means the
    /// next request's start is unknown, so such answers close the connection.
    private func finishLocally(_ head: RequestHead, status: Int, message: String, forceClose: Bool = false) {
        let bodyFollows = head.framing != .none && head.framing != .contentLength(0)
        let close = forceClose || bodyFollows || !head.keepAlive || shuttingDown
        socket.consume(head.headLength)
        parser.reset()
        writeLocalResponse(status: status, message: message, close: close, isHead: head.methodKind == .head)
        if close {
            closeAfterFlush()
        } else {
            state = .idle
            armIdleTimeout()
        }
    }

    func writeLocalResponse(status: Int, message: String, close: Bool, isHead: Bool = false,
                            extraFields: [(String, String)] = []) {
        scratch.removeAll(keepingCapacity: true)
        let body = isHead ? [] : Array("\(status) \(ResponseSerializer.reasonPhrase(status)): \(message)\n".utf8)
        ResponseSerializer.writeSimple(status: status, contentType: "text/plain; charset=utf-8", body: body,
                                       close: close, extraFields: extraFields, into: &scratch)
        socket.write(scratch)
    }

    // MARK: Finishing

    /// The client has the whole response (or all of it is queued): keep the connection for the next
    /// request, or close it.
    func completeDownstream(_ exchange: Exchange) {
        exchange.discardBuffers()
        self.exchange = nil
        if !exchange.downstreamKeepAlive || shuttingDown {
            closeAfterFlush()
            return
        }
        state = .idle
        armIdleTimeout()
        if !socket.isReading { socket.startReading() }
        processInput()
    }

    /// Gives the server its slot back (waking the oldest waiter of a sync pool), leaves the queue if
    /// still in it, and parks the upstream connection for reuse or closes it.
    func releaseUpstream(reusable: Bool) {
        guard let exchange else { return }
        leaveQueue(exchange)
        if let connection = exchange.upstream {
            exchange.upstream = nil
            exchange.upstreamReady = false
            connection.stopDeadline()
            if reusable && exchange.pool.reusesConnections && connection.isUsable && !shuttingDown {
                connection.server.park(connection, idleTimeoutMilliseconds: context.upstreamIdleTimeoutMilliseconds)
            } else {
                connection.close()
            }
        }
        releaseSlot()
    }

    /// The client gave up on a request a sync worker is already running. The worker stays busy until
    /// it has written its response, so its slot is not given to the next waiter before then: the
    /// upstream connection is left to drain (bounded by response_timeout) and releases the slot at
    /// its end. Anything else is released at once.
    private func abandonUpstream(_ exchange: Exchange) {
        guard exchange.pool.isSync, exchange.requestSent, let connection = exchange.upstream,
              let server = exchange.server else {
            releaseUpstream(reusable: false)
            return
        }
        leaveQueue(exchange)
        exchange.upstream = nil
        exchange.upstreamReady = false
        exchange.serverIndex = nil
        let pool = exchange.pool
        connection.drainUntilClosed(timeoutMilliseconds: UInt64(pool.config.responseTimeoutMilliseconds)) {
            pool.release(server)
        }
    }

    private func leaveQueue(_ exchange: Exchange) {
        guard let ticket = exchange.queueTicket else { return }
        exchange.queueTicket = nil
        exchange.pool.cancel(ticket)
        stopQueueTimer()
    }

    func releaseSlot() {
        guard let exchange, let server = exchange.server else { return }
        exchange.serverIndex = nil
        exchange.pool.release(server)
    }

    // MARK: Failures, in one place

    func fail(_ failure: ProxyFailure) {
        let exchange = self.exchange
        if let exchange {
            context.logger.log(level: failure.logLevel, "\(failure)", metadata: ["pool": "\(exchange.pool.name)"])
            if failure.isClientSide { abandonUpstream(exchange) } else { releaseUpstream(reusable: false) }
            exchange.discardBuffers()
            self.exchange = nil
        } else if failure.logLevel > .debug {
            context.logger.log(level: failure.logLevel, "\(failure)")
        }
        if exchange?.responseStarted ?? false {
            // A response is half sent: reset, so a close-delimited body cannot look complete.
            abort()
            return
        }
        guard let response = failure.response, state != .closing else {
            // Nothing sensible can be said on this connection any more.
            close()
            return
        }
        writeLocalResponse(status: response.status, message: response.message, close: true,
                           extraFields: response.extraFields)
        closeAfterFlush()
    }

    // MARK: Timers

    func armTimer(_ milliseconds: UInt64, _ expired: @escaping () -> Void) {
        timer.start(milliseconds: milliseconds, expired)
    }

    func armQueueTimer(_ milliseconds: UInt64, _ expired: @escaping () -> Void) {
        let queueTimer = self.queueTimer ?? LoopTimer(loop: context.loop)
        self.queueTimer = queueTimer
        queueTimer.start(milliseconds: milliseconds, expired)
    }

    func stopQueueTimer() { queueTimer?.stop() }

    private func armIdleTimeout() {
        armTimer(context.clientTimeoutMilliseconds) { [unowned self] in
            if self.state == .idle { self.close() }
        }
    }

    /// The client must keep making progress: sending its request body (restarted on each read), and
    /// reading its response (restarted each time its write queue drains). A client that stops does
    /// not hold a buffered response, its temp file, or a streaming server forever.
    func armStallTimeout() {
        armTimer(context.clientTimeoutMilliseconds) { [unowned self] in self.fail(.clientTimeout) }
    }

    // MARK: Closing

    /// Sends what is queued, half-closes, then drains input until EOF or the linger timeout, so a client
    /// that is still sending does not turn our final response into a reset.
    func closeAfterFlush() {
        guard state != .closing && state != .closed else { return }
        state = .closing
        // Discard what is buffered now, or a full buffer would keep reading paused and the
        // client's unread upload would turn the close into a reset.
        socket.consume(socket.readable.count)
        socket.startReading()
        socket.shutdown { [weak self] _ in
            guard let self else { return }
            self.armTimer(self.context.lingerMilliseconds) { [unowned self] in self.close() }
        }
        armTimer(context.lingerMilliseconds + context.clientTimeoutMilliseconds) { [unowned self] in self.close() }
    }

    func close() {
        finishClosing { socket.close() }
    }

    /// Closes with a TCP reset: for a response that cannot be completed.
    func abort() {
        finishClosing { socket.abort() }
    }

    private func finishClosing(_ closeSocket: () -> Void) {
        guard state != .closed else { return }
        state = .closed
        if let exchange {
            releaseUpstream(reusable: false)
            exchange.discardBuffers()
        }
        exchange = nil
        timer.close()
        queueTimer?.close()
        closeSocket()
        let callback = onClose
        onClose = nil
        callback?(self)
    }

    // MARK: SocketDelegate

    func socketDidRead(_ socket: Socket) {
        switch state {
        case .idle, .readingHead:
            processInput()
        case .proxying:
            guard let exchange else { return }
            if !exchange.requestBodyReceived {
                armStallTimeout()
                receiveRequestBody()
            } else if socket.isInputFull {
                // Pipelined requests keep arriving while we answer: stop reading until we get to them.
                socket.stopReading()
            }
        case .tunnel:
            relayFromClient()
        case .closing:
            socket.consume(socket.readable.count)
        case .closed:
            break
        }
    }

    func socketDidReachEOF(_ socket: Socket) {
        switch state {
        case .proxying:
            // The client is gone (or half-closed): stop the backend work it asked for.
            fail(.clientClosed)
        case .tunnel:
            endTunnel()
        default:
            close()
        }
    }

    func socketDidFail(_ socket: Socket, error: UVError) {
        if let exchange, state == .proxying {
            context.logger.debug("client connection failed: \(error)", metadata: ["pool": "\(exchange.pool.name)"])
        }
        close()
    }

    func socketDidDrain(_ socket: Socket) {
        guard let exchange else { return }
        if state == .tunnel {
            resumeUpstreamRelay()
            return
        }
        if let output = exchange.responseOutput {
            let drained = output.drain()
            if let failure = output.failure {
                fail(.bufferFailed(failure))
                return
            } else if exchange.awaitingDownstreamDrain {
                if drained { completeDownstream(exchange) } else { armStallTimeout() }
                return
            }
            if output.isOverLimit { return }
        }
        if exchange.pausedUpstreamReads, let upstream = exchange.upstream {
            exchange.pausedUpstreamReads = false
            if exchange.requestBodyReceived { timer.stop() }
            upstream.socket.startReading()
            upstreamDidRead(upstream)
        }
    }
}

extension UpstreamPool {
    /// Async servers keep connections alive; gunicorn's sync workers close after every response.
    var reusesConnections: Bool { config.kind == .async }
}
