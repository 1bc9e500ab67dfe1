/// The whole validated configuration; produced only by `ConfigLoader` (or tests) and never mutated afterwards.
///
/// Invariants (after validation): `pools` is non-empty, sorted by name, names unique;
/// `routes` is non-empty, in file order, every `route.pool` names a pool, and no two routes
/// share the same (host, pathPrefix).
public struct Config: Sendable, Equatable {
    /// The config path as the user gave it; used in messages.
    public var file: String
    public var proxy: ProxyConfig
    public var timeouts: TimeoutsConfig
    public var limits: LimitsConfig
    public var tls: TLSConfig?
    public var admin: AdminConfig?
    public var pools: [PoolConfig]
    public var routes: [RouteConfig]

    public init(file: String, proxy: ProxyConfig, timeouts: TimeoutsConfig = TimeoutsConfig(),
                limits: LimitsConfig = LimitsConfig(), tls: TLSConfig? = nil, admin: AdminConfig? = nil,
                pools: [PoolConfig], routes: [RouteConfig]) {
        self.file = file
        self.proxy = proxy
        self.timeouts = timeouts
        self.limits = limits
        self.tls = tls
        self.admin = admin
        self.pools = pools.sorted { $0.name < $1.name }
        self.routes = routes
    }

    public func pool(named name: String) -> PoolConfig? {
        pools.first { $0.name == name }
    }
}
