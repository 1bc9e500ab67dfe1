import UV

/// What the connection must do after an event: at most one step on the upstream side, one on the
/// client side (carried out in that order), and a failure to log. Steps whose outcome is known at
/// once (a pick, an enqueue, a pump that finishes) report it as the next event.
struct DownstreamAction: Equatable, Sendable {
    var upstream: UpstreamStep = .none
    var client: ClientStep = .none
    /// Why the exchange ended early, for the log.
    var failure: ProxyFailure? = nil

    static let none = DownstreamAction()
}

enum UpstreamStep: Equatable, Sendable {
    case none
    /// Pick a server and take a slot on it (reported as `.dispatched`).
    case dispatch(excluding: [ServerID])
    /// Every server is full: wait in the queue (reported as `.enqueued`).
    case enqueue(excluding: [ServerID], deadline: UInt64)
    /// Use a kept-alive connection to the server if the cache has one, else connect.
    case connect(ServerRef, reuseIdle: Bool)
    /// A server failed the request: count it against the server's health, give its slot back, and
    /// pick another (reported as `.dispatched`).
    case retryElsewhere(failed: ServerRef, reason: ServerFailure, excluding: [ServerID])
    /// A server failed the request and no other is tried for now: count it against the server's
    /// health and give its slot back (the request waits for a server; see `serverRetry`).
    case drop(failed: ServerRef, reason: ServerFailure)
    /// A kept-alive connection turned out closed before any response byte: connect afresh to the
    /// same server, keeping the slot.
    case retryFresh(ServerRef)
    /// The connection is ready: send the head and whatever body there is.
    case send
    /// The upstream write queue drained: send more of a buffered body, or read the client again.
    case continueSending
    /// Stream the client's body bytes to the upstream.
    case pumpRequestBody
    case readResponse
    /// The client took its bytes: read the upstream again.
    case resumeResponse
    /// Give the slot back (waking the oldest waiter), park the connection for reuse or close it.
    case release(ServerRef, reusable: Bool)
    /// The client gave up on a request a sync worker is running: let the worker finish, and give
    /// its slot back only then.
    case abandon(ServerRef)
    case leaveQueue(ticket: UInt64)
    /// A granted slot nobody wants any more.
    case returnSlot(ServerRef)
    case relayFromServer
    case resumeServerRelay
    /// A tunnel ends cleanly: flush what is queued for the server, then close it; the slot goes back.
    case endTunnel(ServerRef)
}

/// Why a request moves on to another server.
enum ServerFailure: Equatable, Sendable {
    case connectFailed(UVError)
    /// Closed or reset before any response byte (the error, if it was not a clean EOF).
    case closedEarly(UVError?)

    var observation: ServerHealth.Observation {
        switch self {
        case .connectFailed: .connectFailed
        case .closedEarly: .requestFailed
        }
    }
}

enum ClientStep: Equatable, Sendable {
    case none
    /// Parse the buffered input for a request head.
    case readHead
    /// A request began: write `100 Continue` if asked, then read its body.
    case startBody(sendContinue: Bool)
    /// Read more of a buffered body into its spill.
    case readBody
    /// Bytes of a pipelined request arrived while this one is answered: keep them, and stop
    /// reading if the buffer is full.
    case holdInput
    /// Write the response head (promising `keepAlive`) and pump the body.
    case startResponse(keepAlive: Bool)
    /// Move more of a buffered response to the client.
    case deliverResponse
    /// Move more of a file (a static route's answer) to the client.
    case deliverFile
    /// Write a response of our own; then close after flushing it, or go on with the next request.
    case answer(LocalResponse, close: Bool)
    /// Keep-alive: read the next request (maybe already buffered).
    case nextRequest
    /// Flush, half-close, drain the client's leftovers until EOF or the linger deadline.
    case closeAfterFlush
    case close
    /// Close with a reset: a response is half sent and must never look complete.
    case abort
    case discardInput
    /// Write the 101 and join the two connections.
    case startTunnel
    case relayFromClient
    case resumeClientRelay
}
