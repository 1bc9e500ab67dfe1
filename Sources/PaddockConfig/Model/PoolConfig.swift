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
    public var servers: [ServerConfig]

    public init(
        name: String,
        kind: PoolKind,
        balance: BalanceStrategy = ConfigDefaults.balance,
        connectTimeoutMilliseconds: Int64 = ConfigDefaults.connectTimeoutMilliseconds,
        responseTimeoutMilliseconds: Int64 = ConfigDefaults.responseTimeoutMilliseconds,
        servers: [ServerConfig]
    ) {
        self.name = name
        self.kind = kind
        self.balance = balance
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.responseTimeoutMilliseconds = responseTimeoutMilliseconds
        self.servers = servers
    }
}
