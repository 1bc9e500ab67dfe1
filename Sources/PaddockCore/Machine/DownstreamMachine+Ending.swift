import UV

/// Failures, deadlines, and closing, each decided in one place.
extension DownstreamMachine {
    /// Ends the exchange early. Maps the failure to one outcome: an error response and a close when
    /// nothing was answered yet, a reset once the response has started, or a quiet close.
    mutating func fail(_ failure: ProxyFailure, now: UInt64) -> DownstreamAction {
        var action = DownstreamAction(failure: failure)
        var started = false
        switch state {
        case let .exchange(exchange):
            action.upstream = exchange.letGo(workerMayBeBusy: failure.leavesWorkerBusy)
            started = exchange.response.hasStarted
        case let .tunnel(server, _):
            action.upstream = .release(server, reusable: false)
            started = true
        case .sendingFile:
            started = true
        case .closing, .closed:
            action.client = .close
            state = .closed
            deadlines.clearAll()
            return action
        case .idle, .readingHead:
            break
        }
        if started {
            // A response is half sent: reset, so a close-delimited body cannot look complete.
            state = .closed
            deadlines.clearAll()
            action.client = .abort
        } else if let response = failure.response {
            enterClosing(now: now)
            action.client = .answer(response, close: true)
        } else {
            state = .closed
            deadlines.clearAll()
            action.client = .close
        }
        return action
    }

    /// The client is gone, or the grace period ran out: close at once.
    mutating func closeNow() -> DownstreamAction {
        var action = DownstreamAction(client: .close)
        switch state {
        case let .exchange(exchange):
            action.upstream = exchange.letGo(workerMayBeBusy: true)
            // Cut short mid-response (the grace period ran out): a reset, so that a close-delimited
            // body cannot look complete.
            if exchange.response.hasStarted { action.client = .abort }
        case let .tunnel(server, _):
            action.upstream = .release(server, reusable: false)
        case .sendingFile:
            action.client = .abort  // a file cut short must not look complete
        default:
            break
        }
        state = .closed
        deadlines.clearAll()
        return action
    }

    /// One side of a tunnel sent EOF: flush what is queued for each side, then close both.
    mutating func endTunnel(now: UInt64) -> DownstreamAction {
        guard case let .tunnel(server, _) = state else { return closeNow() }
        enterClosing(now: now)
        return DownstreamAction(upstream: .endTunnel(server), client: .closeAfterFlush)
    }

    mutating func enterClosing(now: UInt64) {
        state = .closing
        deadlines.clearAll()
        deadlines.set(.flush, at: now + settings.linger + settings.clientSend)
    }

    mutating func downstreamShutDown(now: UInt64) -> DownstreamAction {
        guard state == .closing else { return .none }
        // A client that already half-closed has nothing left to drain.
        if readClosed { return closeNow() }
        deadlines.set(.linger, at: now + settings.linger)
        return .none
    }

    mutating func deadlineExpired(_ kind: DeadlineKind, now: UInt64) -> DownstreamAction {
        switch kind {
        case .clientIdle, .tunnelIdle, .flush, .linger:
            return closeNow()
        case .clientHeader where awaitingFirstByte:
            return closeNow()
        case .clientHeader, .clientBody, .clientSend:
            return fail(.clientTimeout, now: now)
        case .queue:
            return fail(.queueTimeout(pool: exchange?.plan.pool.name ?? ""), now: now)
        case .serverRetry:
            return retryServers(now: now)
        case .connect:
            return upstreamConnectFailed(.timedOut, now: now)
        case .upstreamResponse:
            return fail(.upstreamTimeout, now: now)
        case .upstreamIdle:
            return fail(.upstreamStalled, now: now)
        }
    }
}
