import UV

/// The response side: the head, the body, delivery to a slow client, and the end of the exchange.
extension DownstreamMachine {
    mutating func informationalForwarded() -> DownstreamAction {
        updateExchange { exchange in
            if case .awaitingHead = exchange.response { exchange.response = .awaitingHead(informationalSent: true) }
        }
        // More of the response may already be buffered behind the 1xx.
        return DownstreamAction(upstream: .readResponse)
    }

    mutating func responseHead(serverKeepAlive: Bool, untilClose: Bool, now: UInt64) -> DownstreamAction {
        guard let exchange, case .awaitingHead = exchange.response else { return .none }
        deadlines.clear(.upstreamResponse)
        armUpstreamIdle(exchange, now: now)
        // The client keeps its connection only if we know where the next request starts: its whole
        // body was read, the response is not close-delimited, and it did not half-close.
        let keepAlive = exchange.plan.keepAlive && exchange.body == .received && !untilClose
            && !shuttingDown && !readClosed
        updateExchange { $0.response = .receiving(keepAlive: keepAlive) }
        return DownstreamAction(client: .startResponse(keepAlive: keepAlive))
    }

    mutating func switchingProtocols(now: UInt64) -> DownstreamAction {
        guard let exchange, case .awaitingHead = exchange.response else { return .none }
        guard exchange.plan.isUpgrade else {
            return fail(.badResponse("101 Switching Protocols without an upgrade request"), now: now)
        }
        guard case let .attached(server, _, _) = exchange.upstream else { return .none }
        deadlines.clearAll()
        let idle = exchange.plan.pool.tunnelIdle
        deadlines.set(.tunnelIdle, at: now + idle)
        state = .tunnel(server, idleLimit: idle)
        return DownstreamAction(client: .startTunnel)
    }

    mutating func responseBackedUp(now: UInt64) -> DownstreamAction {
        guard let exchange, exchange.response.hasStarted else { return .none }
        // Upstream reads pause until the client catches up: the server is not the one idling.
        deadlines.clear(.upstreamIdle)
        deadlines.set(.clientSend, at: now + settings.clientSend)
        return .none
    }

    mutating func downstreamDrained(now: UInt64) -> DownstreamAction {
        switch state {
        case let .exchange(exchange):
            switch exchange.response {
            case .receiving:
                // Reading the server again; if the client is still too far behind, the data plane
                // reports `responseBackedUp` again, which swaps the deadlines back.
                deadlines.clear(.clientSend)
                armUpstreamIdle(exchange, now: now)
                return DownstreamAction(upstream: .resumeResponse)
            case .delivering:
                deadlines.set(.clientSend, at: now + settings.clientSend)
                return DownstreamAction(client: .deliverResponse)
            case .awaitingHead:
                return .none
            }
        case .sendingFile:
            return fileProgress(now: now)
        case .tunnel:
            return DownstreamAction(upstream: .resumeServerRelay)
        default:
            return .none
        }
    }

    /// The whole response was read: the server is released at once (a sync worker serves the next
    /// waiter while this client is still downloading), and the exchange ends when the client has it.
    mutating func responseComplete(reusable: Bool, delivered: Bool, now: UInt64) -> DownstreamAction {
        guard let exchange, case let .receiving(keepAlive) = exchange.response else { return .none }
        guard case let .attached(server, sent, _) = exchange.upstream else { return .none }
        updateExchange {
            $0.upstream = .released
            $0.response = .delivering(keepAlive: keepAlive)
        }
        // An upload still arriving is discarded from here on (see `readable`): no deadline for it.
        deadlines.clear(.clientBody)
        deadlines.clear(.upstreamIdle)
        let release = UpstreamStep.release(server, reusable: reusable && sent)
        guard delivered else {
            deadlines.set(.clientSend, at: now + settings.clientSend)
            return DownstreamAction(upstream: release)
        }
        var action = finishExchange(keepAlive: keepAlive, now: now)
        action.upstream = release
        return action
    }

    mutating func responseDelivered(now: UInt64) -> DownstreamAction {
        if case let .sendingFile(keepAlive) = state { return finishExchange(keepAlive: keepAlive, now: now) }
        guard let exchange, case let .delivering(keepAlive) = exchange.response else { return .none }
        return finishExchange(keepAlive: keepAlive, now: now)
    }

    private mutating func finishExchange(keepAlive: Bool, now: UInt64) -> DownstreamAction {
        deadlines.clear(.clientSend)
        deadlines.clear(.clientBody)
        if keepAlive && !shuttingDown && !readClosed {
            state = .idle
            deadlines.set(.clientIdle, at: now + settings.clientIdle)
            return DownstreamAction(client: .nextRequest)
        }
        enterClosing(now: now)
        return DownstreamAction(client: .closeAfterFlush)
    }

    mutating func upstreamEnded(_ error: UVError?, sawResponseBytes: Bool, now: UInt64) -> DownstreamAction {
        switch state {
        case let .exchange(exchange):
            if exchange.response.hasStarted { return fail(.upstreamAborted, now: now) }
            if let server = exchange.freshRetryServer(sawResponseBytes: sawResponseBytes) {
                updateExchange {
                    $0.staleRetryUsed = true
                    $0.upstream = .connecting(server)
                }
                deadlines.clear(.upstreamResponse)
                deadlines.set(.connect, at: now + exchange.plan.pool.connect)
                return DownstreamAction(upstream: .retryFresh(server))
            }
            if let server = exchange.otherServerRetry(sawResponseBytes: sawResponseBytes) {
                updateExchange {
                    $0.upstream = .unassigned
                    $0.retriesUsed += 1
                }
                deadlines.clear(.upstreamResponse)
                return DownstreamAction(upstream: .retryElsewhere(failed: server, reason: .closedEarly(error),
                                                                  excluding: exchange.tried))
            }
            return fail(.upstreamClosedEarly(error), now: now)
        case .tunnel:
            return error == nil ? endTunnel(now: now) : closeNow()
        default:
            return .none
        }
    }

    mutating func tunnelActivity(now: UInt64) -> DownstreamAction {
        if case let .tunnel(_, idle) = state { deadlines.set(.tunnelIdle, at: now + idle) }
        return .none
    }
}
