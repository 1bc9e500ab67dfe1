/// A named group of interchangeable upstream servers.
///
/// Invariants (after validation): `name` matches `[A-Za-z0-9_-]+`; `servers` is non-empty and
/// has no duplicate addresses (it may be empty when `run` is set); every timeout is greater than zero.
public struct PoolConfig: Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    public var balance: BalanceStrategy
    /// `[timeouts]`, with this pool's own `timeouts = { ... }` applied over it.
    public var timeouts: UpstreamTimeouts
    /// How long a request may wait: in a sync pool for a free worker (then 503), and in any pool,
    /// while no server is up or every one failed to connect, for a server to come back (then 502).
    public var queueTimeoutMilliseconds: Int64
    /// Sync pools: how many requests may wait; one more gets a 503 at once.
    public var maxQueue: Int
    /// Read the whole request body before taking a worker (default: sync pools).
    public var bufferRequests: Bool
    /// Read the whole response at backend speed, releasing the worker before the client has it all
    /// (default: sync pools). A response with `X-Accel-Buffering: no` streams anyway.
    public var bufferResponses: Bool
    /// How many other servers a request may be tried on after a failed connect, or, for an
    /// idempotent request that can be sent again, after a server closed or reset the connection
    /// before any response byte.
    public var retries: Int
    /// Active health checks; nil: passive only (a server is down after one failed connect and up
    /// after one that works).
    public var health: HealthCheckConfig?
    /// A server that comes back up takes a growing share of requests over this long, from a
    /// tenth to all of its capacity (0: at once).
    public var slowStartMilliseconds: Int64
    /// The servers at fixed addresses; a pool with `run` may have none.
    public var servers: [ServerConfig]
    /// The servers Paddock starts and supervises itself, beside `servers`.
    public var run: RunConfig?

    /// Settings that are absent default by `kind`: sync pools queue and buffer, async pools stream.
    public init(
        name: String,
        kind: PoolKind,
        balance: BalanceStrategy = ConfigDefaults.balance,
        timeouts: UpstreamTimeouts = UpstreamTimeouts(),
        queueTimeoutMilliseconds: Int64 = ConfigDefaults.queueTimeoutMilliseconds,
        maxQueue: Int = ConfigDefaults.maxQueue,
        bufferRequests: Bool? = nil,
        bufferResponses: Bool? = nil,
        health: HealthCheckConfig? = nil,
        retries: Int = ConfigDefaults.retries,
        slowStartMilliseconds: Int64 = ConfigDefaults.slowStartMilliseconds,
        servers: [ServerConfig],
        run: RunConfig? = nil
    ) {
        self.name = name
        self.kind = kind
        self.balance = balance
        self.timeouts = timeouts
        self.queueTimeoutMilliseconds = queueTimeoutMilliseconds
        self.maxQueue = maxQueue
        self.bufferRequests = bufferRequests ?? (kind == .sync)
        self.bufferResponses = bufferResponses ?? (kind == .sync)
        self.health = health
        self.retries = retries
        self.slowStartMilliseconds = slowStartMilliseconds
        self.servers = servers
        self.run = run
    }
}
