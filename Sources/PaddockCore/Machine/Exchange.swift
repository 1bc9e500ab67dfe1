import HTTP1

/// What the proxy decided about one parsed, routed request: everything the state machine needs,
/// and nothing that points into a buffer.
struct RequestPlan: Equatable, Sendable {
    var method: Method
    var clientVersion: HTTPVersion
    /// The client asked to keep the connection (HTTP/1.1 default, or 1.0 with keep-alive).
    var keepAlive: Bool
    var hasBody: Bool
    /// The body is read whole (memory, then a temp file) before a server is chosen.
    var bufferBody: Bool
    var expectsContinue: Bool
    /// An upgrade to an async pool: a 101 turns the exchange into a tunnel.
    var isUpgrade: Bool
    var pool: PoolSettings

    /// A retry must send the same request again: possible when there is no body or it was buffered.
    var isReplayable: Bool { !hasBody || bufferBody }
}

/// The pool settings an exchange is bound to (from the snapshot it started under).
struct PoolSettings: Equatable, Sendable {
    var name: String
    var isSync: Bool
    var reusesConnections: Bool
    var connect: UInt64
    var response: UInt64
    var upstreamIdle: UInt64
    var queue: UInt64
    var tunnelIdle: UInt64
    /// Other servers a request may be tried on (see `PoolConfig.retries`).
    var retries: Int = 2
}

/// One request and its response, as a value: three phases that move independently (a streamed
/// request body may still be arriving while the response streams back), each an enum carrying its
/// own data, so no flag can disagree with the phase it belongs to.
struct Exchange: Equatable, Sendable {
    enum Body: Equatable, Sendable {
        case receiving
        /// The client has sent the whole body (or there is none).
        case received
    }

    enum Upstream: Equatable, Sendable {
        /// No server yet: a buffered body is still arriving.
        case unassigned
        case queued(ticket: UInt64)
        /// A slot is held on the server; the connection is being made.
        case connecting(ServerRef)
        /// Connected and carrying this request. `sent`: the whole request is on the upstream socket.
        /// `reused`: a kept-alive connection, which the server may have closed while it was idle.
        case attached(ServerRef, sent: Bool, reused: Bool)
        /// The response was read in full and the server given back.
        case released
    }

    enum Response: Equatable, Sendable {
        /// `informationalSent`: a 1xx reached the client, so the server has seen the request and it
        /// is never retried.
        case awaitingHead(informationalSent: Bool)
        /// The head went to the client; the body is flowing. `keepAlive` is what the head promised.
        case receiving(keepAlive: Bool)
        /// The server is done and released; the buffered rest is still going to a slow client.
        case delivering(keepAlive: Bool)

        /// Once true, a failure can only reset the connection, never answer with an error status.
        var hasStarted: Bool {
            if case .awaitingHead = self { false } else { true }
        }
    }

    let plan: RequestPlan
    var body: Body
    var upstream: Upstream = .unassigned
    var response: Response = .awaitingHead(informationalSent: false)
    /// Servers this request has been sent to or failed on, in order.
    var tried: [ServerID] = []
    /// The one retry on a fresh connection after a stale kept-alive one was used.
    var staleRetryUsed = false
    /// Retries on other servers so far (at most `plan.pool.retries`).
    var retriesUsed = 0
    /// When the request began waiting for a server to come back (see `waitForServer`).
    var waitingSince: UInt64?
    /// Some server was connected and given the request (or part of it). Such a request is never
    /// held to wait for a server: when its retries run out it fails at once.
    var reachedServer = false

    /// Waiting for a server to come back (nothing was sent anywhere yet).
    var isWaitingForServer: Bool { upstream == .unassigned && waitingSince != nil }

    init(plan: RequestPlan) {
        self.plan = plan
        body = plan.hasBody ? .receiving : .received
    }
}

/// The upstream decisions that depend on the exchange alone.
extension Exchange {
    /// The end of a sync pool's queue wait: `queue_timeout` from now, or from when the request began
    /// waiting for a server to come back, whichever is first (one `queue_timeout` in all).
    func queueDeadline(now: UInt64) -> UInt64 {
        let fromNow = now + plan.pool.queue
        return waitingSince.map { min(fromNow, $0 + plan.pool.queue) } ?? fromNow
    }

    /// How an exchange that ends early lets go of its upstream side. `workerMayBeBusy`: the server
    /// may still be running the request (the client gave up, or the response is late).
    func letGo(workerMayBeBusy: Bool) -> UpstreamStep {
        switch upstream {
        case .unassigned, .released:
            return .none
        case let .queued(ticket):
            return .leaveQueue(ticket: ticket)
        case let .connecting(server):
            return .release(server, reusable: false)
        case let .attached(server, sent, _):
            // A sync worker still running the request keeps its slot until it is done, or the next
            // request would go to a busy worker.
            return workerMayBeBusy && sent && plan.pool.isSync ? .abandon(server) : .release(server, reusable: false)
        }
    }

    /// A kept-alive connection the server closed just as we reused it, before any response byte:
    /// most likely the server closed it while idle and never saw the request. One retry on a fresh
    /// connection is made when the request can be sent again and repeating it is harmless: an
    /// idempotent method (RFC 9110 §9.2.2), as nginx does; a POST might have been processed.
    func freshRetryServer(sawResponseBytes: Bool) -> ServerRef? {
        guard case let .attached(server, _, reused: true) = upstream, !staleRetryUsed,
              isSafeToRepeat(sawResponseBytes: sawResponseBytes) else { return nil }
        return server
    }

    /// A server that closed or reset the connection before any response byte: an idempotent
    /// request that can be sent again goes to another server, within the pool's `retries`.
    func otherServerRetry(sawResponseBytes: Bool) -> ServerRef? {
        guard case let .attached(server, _, _) = upstream, retriesUsed < plan.pool.retries,
              isSafeToRepeat(sawResponseBytes: sawResponseBytes) else { return nil }
        return server
    }

    /// Nothing of the response reached the client (not even a 1xx), the request can be sent again
    /// (no body, or a buffered one), and repeating it is harmless.
    private func isSafeToRepeat(sawResponseBytes: Bool) -> Bool {
        response == .awaitingHead(informationalSent: false) && !sawResponseBytes
            && plan.isReplayable && plan.method.isIdempotent
    }
}

extension Method {
    /// RFC 9110 §9.2.2: repeating these has the same effect as sending them once.
    var isIdempotent: Bool {
        switch self {
        case .get, .head, .options, .trace, .put, .delete: true
        case .post, .patch, .connect, .other: false
        }
    }
}

/// An answer the proxy writes itself (404, 413, 4xx for a bad request, 502, 503, 504).
struct LocalResponse: Equatable, Sendable {
    var status: Int
    var message: String
    /// Sent as `Retry-After` (503 from a full or slow queue).
    var retryAfterSeconds: Int? = nil
    /// The answer to a HEAD request: the same head, no body.
    var headOnly = false
    /// Sent as `Location` (308 to https).
    var location: String? = nil
    /// Sent as `Allow` (405 from a static route).
    var allow: String? = nil
}
