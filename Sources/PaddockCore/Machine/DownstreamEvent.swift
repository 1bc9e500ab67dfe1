import UV

/// Everything that can happen to a client connection, from the client, the pool, the upstream
/// connection, the data plane's pumps, or a deadline. The connection turns each callback into one
/// of these and hands it to `DownstreamMachine.handle`.
enum DownstreamEvent: Equatable, Sendable {
    // The client.
    /// Bytes arrived from the client.
    case readable
    /// The first bytes of a request head arrived; the rest has `clientHeader` to arrive.
    case headStarted
    /// A complete head, routed to a pool.
    case requestHead(RequestPlan)
    /// A complete head the proxy answers itself; `mustClose` when the connection cannot go on
    /// (a body follows that was not read, or the client asked to close).
    case localAnswer(LocalResponse, mustClose: Bool)
    /// A static route's answer is ready to go (its head, and a file or a short body);
    /// `mustClose` as for `localAnswer`.
    case fileAnswer(mustClose: Bool)
    /// A read of the file being sent finished: there is more to write.
    case fileDataRead
    case requestBodyComplete
    /// The client half-closed its write side (EOF). It may still read (RFC 9112 §9.6).
    case downstreamReadClosed
    /// The client connection failed (reset, broken pipe).
    case downstreamFailed
    /// Every byte queued for the client was handed to the kernel.
    case downstreamDrained
    /// Our own half-close of a closing connection finished.
    case downstreamShutDown

    // The pool.
    case dispatched(PoolState.Pick)
    /// nil: the queue is full.
    case enqueued(ticket: UInt64?)
    case slotGranted(PoolState.Grant)

    // The upstream connection.
    case upstreamConnected(reused: Bool)
    case upstreamConnectFailed(UVError)
    /// The whole request is on the upstream socket.
    case requestSent
    case upstreamReadable
    case upstreamDrained
    /// A 1xx (not 100, not 101) went to the client.
    case informationalForwarded
    /// The final response head was parsed; `untilClose` when the client's framing will be
    /// delimited by closing the connection.
    case responseHead(serverKeepAlive: Bool, untilClose: Bool)
    case switchingProtocols
    /// The response is waiting for a slow client (upstream reads paused).
    case responseBackedUp
    /// The whole response was read from the server. `delivered`: nothing is left in the buffered
    /// output for the client.
    case responseComplete(reusable: Bool, delivered: Bool)
    case responseDelivered
    /// The upstream connection ended before the response was complete.
    case upstreamEnded(UVError?, sawResponseBytes: Bool)
    /// Bytes went through a tunnel.
    case tunnelActivity

    // Anything that ends an exchange early, detected by the data plane (bad body, bad response, ...).
    case failed(ProxyFailure)
    case deadlineExpired(DeadlineKind)
    /// Graceful stop: finish the current exchange, then close.
    case shutdown
    /// Close now, whatever is going on (the grace period ran out).
    case forceClose
}
