import HTTP1
import UV

/// Carrying out the machine's steps. Each returns the step's outcome as the next event, when the
/// outcome is known at once.
extension DownstreamConnection {
    func perform(_ step: UpstreamStep) -> DownstreamEvent? {
        guard let io else { return nil }
        let shared = io.pool.shared
        switch step {
        case .none:
            return nil
        case let .dispatch(excluding):
            return .dispatched(shared.acquire(excluding: excluding, now: context.loop.now))
        case let .enqueue(excluding, deadline):
            return .enqueued(ticket: shared.enqueue(self, excluding: excluding, deadline: deadline))
        case let .connect(server, reuseIdle):
            if reuseIdle, let connection = context.cache.take(server.endpoint) {
                io.upstream = connection
                connection.attach(to: self)
                return .upstreamConnected(reused: true)
            }
            io.upstream = UpstreamConnection(loop: context.loop, server: server, dialer: context.dialer, owner: self,
                                              openCount: context.upstreamConnections)
            return nil
        case let .retryElsewhere(failed, reason, excluding):
            drop(failed, reason, io: io, next: "trying another server")
            return .dispatched(shared.acquire(excluding: excluding, now: context.loop.now))
        case let .drop(failed, reason):
            drop(failed, reason, io: io, next: "waiting for a server to come back")
            return nil
        case let .retryFresh(server):
            io.upstream?.close()
            io.upstream = UpstreamConnection(loop: context.loop, server: server, dialer: context.dialer, owner: self,
                                              openCount: context.upstreamConnections)
            return nil
        case .send:
            return io.sendRequest(clientReadClosed: machine.readClosed)
        case .continueSending:
            return io.continueSending(clientReadClosed: machine.readClosed)
        case .pumpRequestBody:
            return io.streamRequestBody(clientReadClosed: machine.readClosed)
        case .readResponse:
            return io.readResponse()
        case .resumeResponse:
            return io.resumeResponse()
        case let .release(server, reusable):
            if let connection = io.upstream {
                io.upstream = nil
                if reusable && io.pool.reusesConnections && connection.canPark && !machine.shuttingDown {
                    context.cache.park(connection, idleTimeoutMilliseconds: context.upstreamIdleTimeoutMilliseconds)
                } else {
                    connection.close()
                }
            }
            shared.release(server.id, now: context.loop.now)
            return nil
        case let .abandon(server):
            // A stopping proxy does not wait for the worker: its slot no longer matters.
            guard let connection = io.upstream, !machine.shuttingDown else {
                io.upstream?.close()
                io.upstream = nil
                shared.release(server.id, now: context.loop.now)
                return nil
            }
            io.upstream = nil
            let loop = context.loop
            connection.drainUntilClosed(timeoutMilliseconds: UInt64(io.pool.config.timeouts.responseMilliseconds)) {
                shared.release(server.id, now: loop.now)
            }
            return nil
        case let .leaveQueue(ticket):
            shared.cancel(ticket)
            return nil
        case let .returnSlot(server):
            shared.release(server.id, now: context.loop.now)
            return nil
        case .relayFromServer:
            return io.relayFromServer()
        case .resumeServerRelay:
            io.upstream?.transport.startReading()
            return io.relayFromServer()
        case let .endTunnel(server):
            io.upstream?.closeAfterFlush(lingerMilliseconds: context.lingerMilliseconds)
            io.upstream = nil
            shared.release(server.id, now: context.loop.now)
            return nil
        }
    }

    /// A server failed the request: log it, count it against the server, give its slot back.
    private func drop(_ failed: ServerRef, _ reason: ServerFailure, io: ExchangeIO, next: String) {
        switch reason {
        case let .connectFailed(error):
            context.logger.warning("connect to \(failed.endpoint) failed: \(error); \(next)",
                                   metadata: ["pool": "\(io.pool.name)"])
        case let .closedEarly(error):
            context.logger.warning("\(failed.endpoint) closed the connection before answering\(error.map { " (\($0))" } ?? ""); \(next)",
                                   metadata: ["pool": "\(io.pool.name)"])
        }
        io.upstream?.close()
        io.upstream = nil
        context.noteHealth(reason.observation, of: failed, in: io.pool)
        io.pool.shared.release(failed.id, now: context.loop.now)
    }

    func perform(_ step: ClientStep) -> DownstreamEvent? {
        switch step {
        case .none:
            return nil
        case .readHead:
            return readRequestHead()
        case let .startBody(sendContinue):
            if sendContinue { transport.write(Self.continueResponse) }
            guard let io, io.plan.bufferBody else { return nil }
            return io.receiveBufferedBody(clientReadClosed: machine.readClosed)
        case .readBody:
            guard let io else { return nil }
            return io.receiveBufferedBody(clientReadClosed: machine.readClosed)
        case .holdInput:
            // Pipelined requests keep arriving while we answer: stop reading until we get to them.
            if transport.isInputFull { transport.stopReading() }
            return nil
        case let .startResponse(keepAlive):
            guard let io else { return nil }
            return io.startResponse(keepAlive: keepAlive)
        case .deliverFile:
            // nil from `deliver` means "not yet", so it must not fall back to "delivered".
            guard let staticOutput else { return .responseDelivered }
            return staticOutput.deliver()
        case .deliverResponse:
            guard let output = io?.responseOutput else { return .responseDelivered }
            let drained = output.drain()
            if let failure = output.failure { return .failed(.bufferFailed(failure)) }
            return drained ? .responseDelivered : nil
        case let .answer(response, close):
            let bodyBytes = writeLocalResponse(response, close: close)
            noteForRecord(answered: response.status, bodyBytes: bodyBytes)
            if close {
                closeAfterFlush()
                return nil
            }
            finishRecord()
            return readRequestHead()
        case .nextRequest:
            endExchange()
            if !transport.isReading { transport.startReading() }
            return readRequestHead()
        case .closeAfterFlush:
            closeAfterFlush()
            return nil
        case .close:
            closeTransports()
            transport.close()
            return nil
        case .abort:
            closeTransports()
            transport.abort()
            return nil
        case .discardInput:
            transport.consume(transport.readable.count)
            return nil
        case .startTunnel:
            guard let io else { return nil }
            return io.startTunnel()
        case .relayFromClient:
            guard let io else { return nil }
            return io.relayFromClient()
        case .resumeClientRelay:
            transport.startReading()
            guard let io else { return nil }
            return io.relayFromClient()
        }
    }

    /// The upstream side was already let go of by the machine's upstream step; whatever is still
    /// attached (a tunnel's server after a reset) closes with the client.
    private func closeTransports() {
        io?.upstream?.close()
        io?.upstream = nil
    }

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Returns the length of the body written.
    @discardableResult
    func writeLocalResponse(_ response: LocalResponse, close: Bool) -> Int {
        scratch.removeAll(keepingCapacity: true)
        let bodyBytes = serialize(response, close: close, into: &scratch)
        transport.write(scratch)
        return bodyBytes
    }

    /// A response of our own (a short text body and its fields); returns the body's length.
    func serialize(_ response: LocalResponse, close: Bool, into out: inout [UInt8]) -> Int {
        let status = response.status
        let body = response.headOnly ? [] : Array("\(status) \(ResponseSerializer.reasonPhrase(status)): \(response.message)\n".utf8)
        var extra = response.retryAfterSeconds.map { [("Retry-After", String($0))] } ?? []
        if let location = response.location { extra.append(("Location", location)) }
        if let allow = response.allow { extra.append(("Allow", allow)) }
        if let requestID = io?.requestID { extra.append(("X-Request-ID", requestID)) }
        if let hsts = strictTransportSecurity { extra.append(("Strict-Transport-Security", hsts)) }
        ResponseSerializer.writeSimple(status: status, contentType: "text/plain; charset=utf-8", body: body,
                                       close: close, extraFields: extra, into: &out)
        return body.count
    }
}

extension DownstreamConnection: UpstreamConnectionOwner {
    func upstreamDidConnect(_ error: UVError?) {
        guard let io, let connection = io.upstream else { return }
        if let error {
            send(.upstreamConnectFailed(error))
            return
        }
        context.noteHealth(.connectWorked, of: connection.server, in: io.pool)
        connection.attach(to: self)
        send(.upstreamConnected(reused: false))
    }

    func upstreamDidRead() { send(.upstreamReadable) }

    func upstreamDidEnd(_ error: UVError?) {
        guard let io, let connection = io.upstream else { return }
        if error == nil, let event = io.finishAtEOF() {
            send(event)
            return
        }
        send(.upstreamEnded(error, sawResponseBytes: !connection.transport.readable.isEmpty))
    }

    func upstreamDidDrain() { send(.upstreamDrained) }
}
