import HTTP1
import UV

/// After a 101 (WebSocket), the client and server connections are joined as a byte tunnel.
/// Each direction stops reading while the other side's write queue is above the high-water mark;
/// either side closing, or no traffic for `tunnel_idle`, closes both — after the bytes already
/// queued for the other side (a last WebSocket frame, a close frame) have been flushed.
extension DownstreamConnection {
    func startTunnel(_ exchange: Exchange, _ connection: UpstreamConnection, head: ResponseHead,
                     input: UnsafeRawBufferPointer) {
        connection.stopDeadline()
        scratch.removeAll(keepingCapacity: true)
        ResponseSerializer.writeHead(head, source: input, body: .none, keepAlive: true,
                                     clientVersion: exchange.clientVersion, into: &scratch)
        socket.write(scratch)
        connection.socket.consume(head.headLength)
        exchange.responseHeadReceived = true
        exchange.responseStarted = true
        state = .tunnel
        exchange.lastTunnelActivity = context.loop.now
        armTunnelIdleTimer(UInt64(exchange.pool.config.tunnelIdleMilliseconds))
        socket.startReading()
        // Bytes that arrived with the 101, or that the client sent right after its upgrade request.
        relayFromServer()
        relayFromClient()
    }

    /// One side sent EOF: flush what is queued for each side, then close both.
    func endTunnel() {
        guard let exchange else {
            close()
            return
        }
        if let connection = exchange.upstream {
            exchange.upstream = nil
            exchange.upstreamReady = false
            connection.closeAfterFlush(lingerMilliseconds: context.lingerMilliseconds)
        }
        releaseSlot()
        self.exchange = nil
        closeAfterFlush()
    }

    func relayFromClient() {
        guard let exchange, let upstream = exchange.upstream else { return }
        relay(from: socket, to: upstream.socket, exchange: exchange)
    }

    func relayFromServer() {
        guard let exchange, let upstream = exchange.upstream else { return }
        relay(from: upstream.socket, to: socket, exchange: exchange)
    }

    private func relay(from source: Socket, to destination: Socket, exchange: Exchange) {
        let bytes = source.readable
        guard !bytes.isEmpty else { return }
        destination.write(bytes)
        source.consume(bytes.count)
        exchange.lastTunnelActivity = context.loop.now
        if destination.writeQueueBytes > context.writeHighWaterBytes { source.stopReading() }
    }

    /// The client's queue drained: read from the server again.
    func resumeUpstreamRelay() {
        guard let exchange, let upstream = exchange.upstream else { return }
        upstream.socket.startReading()
        relayFromServer()
    }

    /// The server's queue drained: read from the client again.
    func resumeClientRelay() {
        socket.startReading()
        relayFromClient()
    }

    /// Re-arming a timer on every message would cost a heap operation per frame; instead the timer
    /// fires at the earliest possible expiry and re-arms for whatever time is left.
    private func armTunnelIdleTimer(_ idle: UInt64) {
        armTimer(idle) { [unowned self] in
            guard self.state == .tunnel, let exchange = self.exchange else { return }
            let quiet = self.context.loop.now - exchange.lastTunnelActivity
            if quiet >= idle {
                self.context.logger.debug("closing a tunnel idle for \(quiet) ms", metadata: ["pool": "\(exchange.pool.name)"])
                self.close()
            } else {
                self.armTunnelIdleTimer(idle - quiet)
            }
        }
    }
}
