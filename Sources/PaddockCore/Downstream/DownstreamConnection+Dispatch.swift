import HTTP1
import UV

/// Choosing a server, waiting for a worker slot, connecting, and retrying.
extension Method {
    /// RFC 9110 §9.2.2: repeating these has the same effect as sending them once.
    var isIdempotent: Bool {
        switch self {
        case .get, .head, .options, .trace, .put, .delete: true
        case .post, .patch, .connect, .other: false
        }
    }
}

extension DownstreamConnection: PoolWaiter {
    /// Sends the exchange to a server with a free slot, queues it when every server is full, or fails
    /// with 502 when every server has been tried.
    func dispatch() {
        guard let exchange else { return }
        switch exchange.pool.pick(excluding: exchange.tried) {
        case let .server(index):
            use(serverAt: index)
        case .full:
            guard let ticket = exchange.pool.enqueue(self) else {
                fail(.queueFull(pool: exchange.pool.name))
                return
            }
            exchange.queueTicket = ticket
            armQueueTimer(UInt64(exchange.pool.config.queueTimeoutMilliseconds)) { [unowned self] in
                self.fail(.queueTimeout(pool: exchange.pool.name))
            }
        case .exhausted:
            fail(.noServerReachable(pool: exchange.pool.name))
        }
    }

    func poolSlotFreed() -> Bool {
        guard let exchange, exchange.queueTicket != nil else { return true }
        switch exchange.pool.pick(excluding: exchange.tried) {
        case let .server(index):
            exchange.queueTicket = nil
            stopQueueTimer()
            use(serverAt: index)
            return true
        case .full:
            return false
        case .exhausted:
            exchange.queueTicket = nil
            fail(.noServerReachable(pool: exchange.pool.name))
            return true
        }
    }

    private func use(serverAt index: Int) {
        guard let exchange else { return }
        exchange.tried.append(index)
        exchange.serverIndex = index
        let server = exchange.pool.servers[index]
        server.acquire()
        if exchange.pool.reusesConnections, let connection = server.takeIdle() {
            attach(connection)
        } else {
            connectFresh(to: server)
        }
    }

    func connectFresh(to server: UpstreamServer) {
        guard let exchange else { return }
        let connection = UpstreamConnection(loop: context.loop, server: server)
        exchange.upstream = connection
        exchange.upstreamReady = false
        connection.connect(timeoutMilliseconds: UInt64(exchange.pool.config.connectTimeoutMilliseconds)) {
            [weak self, unowned connection] error in
            self?.upstreamConnected(connection, error: error)
        }
    }

    private func upstreamConnected(_ connection: UpstreamConnection, error: UVError?) {
        guard let exchange, exchange.upstream === connection, let server = exchange.server else {
            connection.close()
            return
        }
        if let error {
            context.logger.warning("connect to \(server.endpoint) failed: \(error)",
                                   metadata: ["pool": "\(exchange.pool.name)"])
            server.markDown()
            connection.close()
            exchange.upstream = nil
            releaseSlot()
            // Releasing the slot may have handed it to a waiter that failed this connection in turn;
            // only go on if this exchange is still the current one.
            if self.exchange === exchange { dispatch() }
            return
        }
        server.markUp()
        attach(connection)
    }

    private func attach(_ connection: UpstreamConnection) {
        guard let exchange else { return }
        exchange.upstream = connection
        exchange.upstreamReady = true
        connection.attach(to: self)
        armResponseDeadline()
        if let spill = exchange.requestSpill {
            spill.rewind()
            exchange.bufferedHeadPending = true
            sendBufferedBody()
        } else {
            exchange.requestWriter = FramedWriter(head: exchange.upstreamHead, chunked: exchange.upstreamChunked)
            streamRequestBody()
        }
    }

    /// The server has `response_timeout` to start answering; the clock restarts while the request body
    /// is still going out, since a large upload is progress, not silence.
    func armResponseDeadline() {
        guard let exchange, let connection = exchange.upstream else { return }
        connection.startDeadline(milliseconds: UInt64(exchange.pool.config.responseTimeoutMilliseconds)) {
            [unowned self] in self.fail(.upstreamTimeout)
        }
    }

    /// A kept-alive connection the server closed just as we reused it, before any response byte:
    /// most likely the server closed it while idle and never saw the request. One retry on a fresh
    /// connection is made when the request can be sent again and repeating it is harmless: an
    /// idempotent method (RFC 9110 §9.2.2), as nginx does; a POST might have been processed.
    func retryOnFreshConnection(_ exchange: Exchange, _ connection: UpstreamConnection) -> Bool {
        guard connection.isReused, connection.socket.readable.isEmpty, exchange.isReplayable,
              exchange.method.isIdempotent, !exchange.forwardedInformational,
              !exchange.retriedReusedConnection, let server = exchange.server else { return false }
        exchange.retriedReusedConnection = true
        exchange.requestSent = false
        connection.close()
        exchange.upstream = nil
        connectFresh(to: server)
        return true
    }
}
