/// The life of one client connection, as a value: events in, actions out, no I/O. The connection
/// class (`DownstreamConnection`) parses, pumps bytes and carries out the actions; every decision
/// (what state we are in, what may be retried, when to answer, reset or close, which deadline runs)
/// is made here, so it is unit-tested without sockets.
///
/// States:
/// - `idle`: between requests (keep-alive); `clientIdle` closes it quietly.
/// - `readingHead`: part of a head arrived; `clientHeader` answers 408.
/// - `exchange`: a request is being proxied (see `Exchange`). Pipelined requests wait unparsed.
/// - `sendingFile`: a static route's answer is going out; `clientSend` bounds a client that stops
///   taking it.
/// - `tunnel`: after a 101, bytes are relayed both ways until either side closes or `tunnelIdle`.
/// - `closing`: the last bytes are flushing; input is discarded until EOF or `linger`.
/// - `closed`: terminal; every event is ignored.
///
/// Invariants: the deadlines armed are exactly those the state needs (one slot per kind, see
/// `Deadlines`); a `.closed` machine has none; a failure once the response has started resets.
struct DownstreamMachine: Sendable {
    struct Settings: Equatable, Sendable {
        /// Keep-alive: no new request started.
        var clientIdle: UInt64
        /// The whole request head, from its first byte.
        var clientHeader: UInt64
        /// A gap between reads of the request body.
        var clientBody: UInt64
        /// A client that takes none of its response (also bounds the final flush).
        var clientSend: UInt64
        /// After our half-close, how long the client's leftovers are drained.
        var linger: UInt64
    }

    enum State: Equatable, Sendable {
        case idle
        case readingHead
        case exchange(Exchange)
        case sendingFile(keepAlive: Bool)
        case tunnel(ServerRef, idleLimit: UInt64)
        case closing
        case closed
    }

    // Written only by the transitions in this type's extensions (one file per phase); read by the connection.
    var state: State = .idle
    var deadlines = Deadlines()
    /// The proxy is stopping: no new request is started on this connection.
    var shuttingDown = false
    /// The client half-closed. It can still read, so the current request is answered, but the
    /// connection closes after that response.
    var readClosed = false
    /// Taken from the snapshot of each new request.
    var settings: Settings
    /// A TLS connection that has not sent a byte of a request yet (a preconnect, a probe): at
    /// `clientHeader` it is closed quietly, with no 408 and no log line.
    var awaitingFirstByte = false

    /// `handshake`: a TLS connection, whose handshake and first head together get `clientHeader`
    /// (a client that connects to a TLS port sends at once; one that does not is a slow-header one).
    init(settings: Settings, now: UInt64, handshake: Bool = false) {
        self.settings = settings
        if handshake {
            state = .readingHead
            awaitingFirstByte = true
            deadlines.set(.clientHeader, at: now + settings.clientHeader)
        } else {
            deadlines.set(.clientIdle, at: now + settings.clientIdle)
        }
    }

    var exchange: Exchange? {
        if case let .exchange(exchange) = state { exchange } else { nil }
    }

    var isClosed: Bool { state == .closed }
    var isIdle: Bool { state == .idle }

    /// The ticket of the request waiting in its pool's queue, if one is.
    var queuedTicket: UInt64? {
        if case let .queued(ticket) = exchange?.upstream { ticket } else { nil }
    }

    /// Clears and returns the earliest deadline due at `now`, for the connection to report.
    mutating func takeExpiredDeadline(now: UInt64) -> DeadlineKind? {
        deadlines.takeExpired(now: now)
    }

    mutating func handle(_ event: DownstreamEvent, now: UInt64) -> DownstreamAction {
        if state == .closed { return .none }
        switch event {
        case .readable: return readable(now: now)
        case .headStarted: return headStarted(now: now)
        case let .requestHead(plan): return requestHead(plan, now: now)
        case let .localAnswer(response, mustClose): return localAnswer(response, mustClose: mustClose, now: now)
        case let .fileAnswer(mustClose): return fileAnswer(mustClose: mustClose, now: now)
        case .fileDataRead: return fileProgress(now: now)
        case .requestBodyComplete: return requestBodyComplete(now: now)
        case .downstreamReadClosed: return downstreamReadClosed(now: now)
        case .downstreamFailed, .forceClose: return closeNow()
        case .downstreamDrained: return downstreamDrained(now: now)
        case .downstreamShutDown: return downstreamShutDown(now: now)
        case let .dispatched(pick): return dispatched(pick, now: now)
        case let .enqueued(ticket): return enqueued(ticket, now: now)
        case let .slotGranted(grant): return slotGranted(grant, now: now)
        case let .upstreamConnected(reused): return upstreamConnected(reused: reused, now: now)
        case let .upstreamConnectFailed(error): return upstreamConnectFailed(error, now: now)
        case .requestSent: return requestSent()
        case .upstreamReadable: return upstreamReadable(now: now)
        case .upstreamDrained: return upstreamDrained(now: now)
        case .informationalForwarded: return informationalForwarded()
        case let .responseHead(serverKeepAlive, untilClose):
            return responseHead(serverKeepAlive: serverKeepAlive, untilClose: untilClose, now: now)
        case .switchingProtocols: return switchingProtocols(now: now)
        case .responseBackedUp: return responseBackedUp(now: now)
        case let .responseComplete(reusable, delivered): return responseComplete(reusable: reusable, delivered: delivered, now: now)
        case .responseDelivered: return responseDelivered(now: now)
        case let .upstreamEnded(error, sawResponseBytes): return upstreamEnded(error, sawResponseBytes: sawResponseBytes, now: now)
        case .tunnelActivity: return tunnelActivity(now: now)
        case let .failed(failure): return fail(failure, now: now)
        case let .deadlineExpired(kind): return deadlineExpired(kind, now: now)
        case .shutdown: return shutdown(now: now)
        }
    }

    /// Replaces the current exchange after `change` (a no-op outside an exchange).
    mutating func updateExchange(_ change: (inout Exchange) -> Void) {
        guard case var .exchange(exchange) = state else { return }
        state = .idle  // drop the reference so `change` mutates a unique copy
        change(&exchange)
        state = .exchange(exchange)
    }
}
