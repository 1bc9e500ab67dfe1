/// The request side: reading a head, starting the exchange, the request body.
extension DownstreamMachine {
    mutating func readable(now: UInt64) -> DownstreamAction {
        awaitingFirstByte = false
        switch state {
        case .idle, .readingHead:
            return DownstreamAction(client: .readHead)
        case let .exchange(exchange):
            guard exchange.body == .receiving else { return DownstreamAction(client: .holdInput) }
            // The server answered before the upload ended and is done: the rest of the body has
            // nowhere to go (the connection closes after the response).
            if exchange.upstream == .released { return DownstreamAction(client: .discardInput) }
            if exchange.plan.bufferBody {
                deadlines.set(.clientBody, at: now + settings.clientBody)
                return DownstreamAction(client: .readBody)
            }
            // A streamed body is held until a server is connected: the client is not the slow one.
            guard case .attached = exchange.upstream else { return .none }
            deadlines.set(.clientBody, at: now + settings.clientBody)
            return DownstreamAction(upstream: .pumpRequestBody)
        case .sendingFile:
            return DownstreamAction(client: .holdInput)
        case .tunnel:
            return DownstreamAction(client: .relayFromClient)
        case .closing:
            return DownstreamAction(client: .discardInput)
        case .closed:
            return .none
        }
    }

    mutating func headStarted(now: UInt64) -> DownstreamAction {
        guard state == .idle else { return .none }
        state = .readingHead
        deadlines.clear(.clientIdle)
        deadlines.set(.clientHeader, at: now + settings.clientHeader)
        return .none
    }

    mutating func requestHead(_ plan: RequestPlan, now: UInt64) -> DownstreamAction {
        guard state == .idle || state == .readingHead else { return .none }
        deadlines.clear(.clientIdle)
        deadlines.clear(.clientHeader)
        let exchange = Exchange(plan: plan)
        state = .exchange(exchange)
        var action = DownstreamAction()
        if plan.hasBody {
            // A streamed body's gaps are timed once a server takes it (see `upstreamConnected`).
            if plan.bufferBody { deadlines.set(.clientBody, at: now + settings.clientBody) }
            action.client = .startBody(sendContinue: plan.expectsContinue)
        }
        if !plan.bufferBody { action.upstream = .dispatch(excluding: []) }
        return action
    }

    mutating func localAnswer(_ response: LocalResponse, mustClose: Bool, now: UInt64) -> DownstreamAction {
        guard state == .idle || state == .readingHead else { return .none }
        deadlines.clear(.clientHeader)
        let close = mustClose || shuttingDown || readClosed
        if close {
            enterClosing(now: now)
        } else {
            state = .idle
            deadlines.set(.clientIdle, at: now + settings.clientIdle)
        }
        return DownstreamAction(client: .answer(response, close: close))
    }

    /// A static route answers: the head and body go out at the client's pace.
    mutating func fileAnswer(mustClose: Bool, now: UInt64) -> DownstreamAction {
        guard state == .idle || state == .readingHead else { return .none }
        deadlines.clear(.clientHeader)
        deadlines.clear(.clientIdle)
        state = .sendingFile(keepAlive: !(mustClose || shuttingDown || readClosed))
        deadlines.set(.clientSend, at: now + settings.clientSend)
        return DownstreamAction(client: .deliverFile)
    }

    /// The client took bytes, or a file read finished: move more, with the client's deadline renewed.
    mutating func fileProgress(now: UInt64) -> DownstreamAction {
        guard case .sendingFile = state else { return .none }
        deadlines.set(.clientSend, at: now + settings.clientSend)
        return DownstreamAction(client: .deliverFile)
    }

    mutating func requestBodyComplete(now: UInt64) -> DownstreamAction {
        guard var exchange, exchange.body == .receiving else { return .none }
        exchange.body = .received
        deadlines.clear(.clientBody)
        if case .receiving = exchange.response { armUpstreamIdle(exchange, now: now) }
        var action = DownstreamAction()
        if exchange.plan.bufferBody {
            action.upstream = .dispatch(excluding: exchange.tried)
        } else if case let .attached(server, _, reused) = exchange.upstream {
            // A streamed body ends as its last bytes go upstream.
            exchange.upstream = .attached(server, sent: true, reused: reused)
        }
        state = .exchange(exchange)
        return action
    }

    mutating func downstreamReadClosed(now: UInt64) -> DownstreamAction {
        readClosed = true
        switch state {
        case .idle, .readingHead:
            // Nothing, or only part of a head, was sent: there is nothing to answer.
            return closeNow()
        case let .exchange(exchange):
            // An EOF cannot tell a half-close from a client that went away. While the request only
            // waits in a sync pool's queue nothing has been spent on it yet, and a client that gave
            // up (the common case) must not take a worker later: leave the queue. From the moment a
            // server has it, the request is answered.
            if case .queued = exchange.upstream { return fail(.clientClosed, now: now) }
            if exchange.isWaitingForServer { return fail(.clientClosed, now: now) }
            guard exchange.body == .receiving else { return .none }
            // Whatever body is buffered may still complete it; the pumps fail the exchange with
            // `clientClosed` if the input runs out first.
            if exchange.plan.bufferBody { return DownstreamAction(client: .readBody) }
            if case .attached = exchange.upstream { return DownstreamAction(upstream: .pumpRequestBody) }
            return .none
        case .sendingFile:
            return .none  // the answer goes on; the connection closes after it
        case .tunnel:
            return endTunnel(now: now)
        case .closing:
            return closeNow()
        case .closed:
            return .none
        }
    }

    mutating func shutdown(now: UInt64) -> DownstreamAction {
        shuttingDown = true
        if state == .idle { return closeNow() }
        // The checks that would bring a server back stop with the proxy: do not wait for one.
        if let exchange, exchange.isWaitingForServer {
            return fail(.noServerReachable(pool: exchange.plan.pool.name), now: now)
        }
        return .none
    }
}
