/// A named group of interchangeable upstream servers.
///
/// Invariants (after validation): `name` matches `[A-Za-z0-9_-]+`; `servers` is non-empty and
/// has no duplicate addresses; both timeouts are greater than zero.
public struct PoolConfig: Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    public var balance: BalanceStrategy
    /// Time allowed to establish an upstream connection.
    public var connectTimeoutMilliseconds: Int64
    /// Time allowed between sending the request and receiving the response head (→ 504).
    public var responseTimeoutMilliseconds: Int64
    /// Sync pools: how long a request may wait for a free worker before a 503.
    public var queueTimeoutMilliseconds: Int64
    /// Sync pools: how many requests may wait; one more gets a 503 at once.
    public var maxQueue: Int
    /// Read the whole request body before taking a worker (default: sync pools).
    public var bufferRequests: Bool
    /// Read the whole response at backend speed, releasing the worker before the client has it all
    /// (default: sync pools). A response with `X-Accel-Buffering: no` streams anyway.
    public var bufferResponses: Bool
    /// A WebSocket (or other upgraded) tunnel with no traffic either way for this long is closed.
    public var tunnelIdleMilliseconds: Int64
    /// How many other servers a request may be tried on after a failed connect, or, for an
    /// idempotent request that can be sent again, after a server closed or reset the connection
    /// before any response byte.
    public var retries: Int
    /// Active health checks; nil: passive only (a server is down after one failed connect and up
    /// after one that works).
    public var health: HealthCheckConfig?
    public var servers: [ServerConfig]

    /// Settings that are absent default by `kind`: sync pools queue and buffer, async pools stream.
    public init(
        name: String,
        kind: PoolKind,
        balance: BalanceStrategy = ConfigDefaults.balance,
        connectTimeoutMilliseconds: Int64 = ConfigDefaults.connectTimeoutMilliseconds,
        responseTimeoutMilliseconds: Int64 = ConfigDefaults.responseTimeoutMilliseconds,
        queueTimeoutMilliseconds: Int64 = ConfigDefaults.queueTimeoutMilliseconds,
        maxQueue: Int = ConfigDefaults.maxQueue,
        bufferRequests: Bool? = nil,
        bufferResponses: Bool? = nil,
        tunnelIdleMilliseconds: Int64 = ConfigDefaults.tunnelIdleMilliseconds,
        health: HealthCheckConfig? = nil,
        retries: Int = ConfigDefaults.retries,
        servers: [ServerConfig]
    ) {
        self.name = name
        self.kind = kind
        self.balance = balance
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.responseTimeoutMilliseconds = responseTimeoutMilliseconds
        self.queueTimeoutMilliseconds = queueTimeoutMilliseconds
        self.maxQueue = maxQueue
        self.bufferRequests = bufferRequests ?? (kind == .sync)
        self.bufferResponses = bufferResponses ?? (kind == .sync)
        self.tunnelIdleMilliseconds = tunnelIdleMilliseconds
        self.health = health
        self.retries = retries
        self.servers = servers
    }
}
