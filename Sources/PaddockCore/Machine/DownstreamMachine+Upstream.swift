import UV

/// Choosing a server, waiting for a slot, connecting, sending, and retrying.
extension DownstreamMachine {
    mutating func dispatched(_ pick: PoolState.Pick, now: UInt64) -> DownstreamAction {
        guard let exchange, exchange.upstream == .unassigned else {
            if case let .server(server) = pick { return DownstreamAction(upstream: .returnSlot(server)) }
            return .none
        }
        switch pick {
        case let .server(server):
            return use(server, now: now)
        case .full:
            return DownstreamAction(upstream: .enqueue(excluding: exchange.tried, deadline: exchange.queueDeadline(now: now)))
        case .exhausted:
            // A request a server already had and failed (closed early) is not sent round again.
            if exchange.reachedServer { return fail(.upstreamClosedEarly(nil), now: now) }
            return waitForServer(now: now) ? .none : fail(.noServerReachable(pool: exchange.plan.pool.name), now: now)
        }
    }

    /// The server's gaps in its response body are timed only once the whole request is there: while
    /// a streamed upload is still arriving the server may well be waiting for the client.
    mutating func armUpstreamIdle(_ exchange: Exchange, now: UInt64) {
        if exchange.body == .received { deadlines.set(.upstreamIdle, at: now + exchange.plan.pool.upstreamIdle) }
    }

    /// How often a request with no server to go to looks again.
    static let serverRetryInterval: UInt64 = 200

    /// No server can take the request now: every one is down, or was tried and failed. Nothing was
    /// sent, so the request waits for one to come back (a restart takes a second or two), looking
    /// again every `serverRetryInterval`, for up to the pool's `queue_timeout` in all. False when
    /// that time is up.
    private mutating func waitForServer(now: UInt64) -> Bool {
        guard let exchange else { return false }
        let since = exchange.waitingSince ?? now
        let giveUp = since + exchange.plan.pool.queue
        guard now < giveUp else { return false }
        updateExchange { $0.waitingSince = since }
        deadlines.set(.serverRetry, at: min(now + Self.serverRetryInterval, giveUp))
        return true
    }

    /// Looks again for a server, from scratch: any of them may be back.
    mutating func retryServers(now: UInt64) -> DownstreamAction {
        guard let exchange, exchange.upstream == .unassigned, let since = exchange.waitingSince else { return .none }
        guard now < since + exchange.plan.pool.queue else {
            return fail(.noServerReachable(pool: exchange.plan.pool.name), now: now)
        }
        updateExchange {
            $0.tried = []
            $0.retriesUsed = 0
        }
        return DownstreamAction(upstream: .dispatch(excluding: []))
    }

    mutating func enqueued(_ ticket: UInt64?, now: UInt64) -> DownstreamAction {
        guard let exchange, exchange.upstream == .unassigned else {
            return ticket.map { DownstreamAction(upstream: .leaveQueue(ticket: $0)) } ?? .none
        }
        guard let ticket else { return fail(.queueFull(pool: exchange.plan.pool.name), now: now) }
        updateExchange { $0.upstream = .queued(ticket: ticket) }
        deadlines.set(.queue, at: exchange.queueDeadline(now: now))
        return .none
    }

    mutating func slotGranted(_ grant: PoolState.Grant, now: UInt64) -> DownstreamAction {
        guard let exchange, exchange.upstream == .queued(ticket: grant.ticket) else {
            return DownstreamAction(upstream: .returnSlot(grant.server))
        }
        deadlines.clear(.queue)
        return use(grant.server, now: now)
    }

    private mutating func use(_ server: ServerRef, now: UInt64) -> DownstreamAction {
        var reuse = false
        updateExchange { exchange in
            exchange.upstream = .connecting(server)
            exchange.tried.append(server.id)
            reuse = exchange.plan.pool.reusesConnections
        }
        deadlines.clear(.serverRetry)
        deadlines.set(.connect, at: now + exchange!.plan.pool.connect)
        return DownstreamAction(upstream: .connect(server, reuseIdle: reuse))
    }

    mutating func upstreamConnected(reused: Bool, now: UInt64) -> DownstreamAction {
        guard let exchange, case let .connecting(server) = exchange.upstream else { return .none }
        deadlines.clear(.connect)
        deadlines.set(.upstreamResponse, at: now + exchange.plan.pool.response)
        // A streamed body is read from here on: its gaps count from now (see `readable`).
        if exchange.body == .receiving && !exchange.plan.bufferBody { deadlines.set(.clientBody, at: now + settings.clientBody) }
        updateExchange {
            $0.upstream = .attached(server, sent: false, reused: reused)
            $0.reachedServer = true
        }
        return DownstreamAction(upstream: .send)
    }

    /// A failed or timed-out connect moves on to the next server; the balancer reports `.exhausted`
    /// (502) once every server has been tried.
    mutating func upstreamConnectFailed(_ error: UVError, now: UInt64) -> DownstreamAction {
        guard let exchange, case let .connecting(server) = exchange.upstream else { return .none }
        deadlines.clear(.connect)
        guard exchange.retriesUsed < exchange.plan.pool.retries else {
            updateExchange { $0.upstream = .unassigned }
            guard !exchange.reachedServer, waitForServer(now: now) else {
                updateExchange { $0.upstream = .connecting(server) }
                return fail(.noServerReachable(pool: exchange.plan.pool.name), now: now)
            }
            return DownstreamAction(upstream: .drop(failed: server, reason: .connectFailed(error)))
        }
        updateExchange {
            $0.upstream = .unassigned
            $0.retriesUsed += 1
        }
        return DownstreamAction(upstream: .retryElsewhere(failed: server, reason: .connectFailed(error), excluding: exchange.tried))
    }

    mutating func requestSent() -> DownstreamAction {
        updateExchange { exchange in
            if case let .attached(server, _, reused) = exchange.upstream {
                exchange.upstream = .attached(server, sent: true, reused: reused)
            }
        }
        return .none
    }

    mutating func upstreamReadable(now: UInt64) -> DownstreamAction {
        switch state {
        case let .exchange(exchange):
            guard case .attached = exchange.upstream else { return .none }
            if case .receiving = exchange.response { armUpstreamIdle(exchange, now: now) }
            return DownstreamAction(upstream: .readResponse)
        case .tunnel:
            return DownstreamAction(upstream: .relayFromServer)
        default:
            return .none
        }
    }

    mutating func upstreamDrained(now: UInt64) -> DownstreamAction {
        switch state {
        case let .exchange(exchange):
            guard case .attached(_, sent: false, _) = exchange.upstream else { return .none }
            // An upload in progress is progress: restart the wait for the response head, unless the
            // head is already here (then the response timeout no longer applies).
            if !exchange.response.hasStarted {
                deadlines.set(.upstreamResponse, at: now + exchange.plan.pool.response)
            }
            return DownstreamAction(upstream: .continueSending)
        case .tunnel:
            return DownstreamAction(client: .resumeClientRelay)
        default:
            return .none
        }
    }
}
