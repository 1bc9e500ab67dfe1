/// The `[timeouts]` table: every time limit, with the upstream ones as defaults that a pool may
/// override in its own `timeouts = { ... }`.
///
/// Invariants (after validation): every value is at least 1 ms.
public struct TimeoutsConfig: Sendable, Equatable {
    /// From the first byte of a request head to its end (408, close). Slowloris protection.
    public var clientHeaderMilliseconds: Int64
    /// The longest gap between two reads of a request body (408, close).
    public var clientBodyMilliseconds: Int64
    /// A keep-alive connection with no request started (close).
    public var clientIdleMilliseconds: Int64
    /// A client that takes none of its response for this long (close; the server is freed).
    public var clientSendMilliseconds: Int64
    /// SIGTERM or SIGINT: how long requests in progress may take to finish before what is left is closed.
    public var shutdownMilliseconds: Int64
    /// Defaults for every pool.
    public var upstream: UpstreamTimeouts

    public init(
        clientHeaderMilliseconds: Int64 = ConfigDefaults.clientHeaderMilliseconds,
        clientBodyMilliseconds: Int64 = ConfigDefaults.clientBodyMilliseconds,
        clientIdleMilliseconds: Int64 = ConfigDefaults.clientIdleMilliseconds,
        clientSendMilliseconds: Int64 = ConfigDefaults.clientSendMilliseconds,
        shutdownMilliseconds: Int64 = ConfigDefaults.shutdownMilliseconds,
        upstream: UpstreamTimeouts = UpstreamTimeouts()
    ) {
        self.clientHeaderMilliseconds = clientHeaderMilliseconds
        self.clientBodyMilliseconds = clientBodyMilliseconds
        self.clientIdleMilliseconds = clientIdleMilliseconds
        self.clientSendMilliseconds = clientSendMilliseconds
        self.shutdownMilliseconds = shutdownMilliseconds
        self.upstream = upstream
    }
}

/// The time limits of talking to one pool's servers.
public struct UpstreamTimeouts: Sendable, Equatable {
    /// One connect; on expiry the next server is tried, then 502.
    public var connectMilliseconds: Int64
    /// From sending the request to the response head (504).
    public var responseMilliseconds: Int64
    /// The longest gap while reading a response body (the client's connection is reset, so a
    /// cut body never looks complete).
    public var idleMilliseconds: Int64
    /// A WebSocket (or other upgraded) tunnel with no traffic either way (close).
    public var tunnelIdleMilliseconds: Int64

    public init(
        connectMilliseconds: Int64 = ConfigDefaults.connectMilliseconds,
        responseMilliseconds: Int64 = ConfigDefaults.upstreamResponseMilliseconds,
        idleMilliseconds: Int64 = ConfigDefaults.upstreamIdleMilliseconds,
        tunnelIdleMilliseconds: Int64 = ConfigDefaults.tunnelIdleMilliseconds
    ) {
        self.connectMilliseconds = connectMilliseconds
        self.responseMilliseconds = responseMilliseconds
        self.idleMilliseconds = idleMilliseconds
        self.tunnelIdleMilliseconds = tunnelIdleMilliseconds
    }
}
