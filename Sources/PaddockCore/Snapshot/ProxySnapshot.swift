import HTTP1
import PaddockConfig

/// One pool as a snapshot sees it: its config (timeouts, buffering) and its shared state.
final class UpstreamPool: Sendable {
    let config: PoolConfig
    let shared: SharedPool
    /// What the state machine needs of `config`, derived once per snapshot.
    let settings: PoolSettings

    init(config: PoolConfig, shared: SharedPool) {
        self.config = config
        self.shared = shared
        settings = PoolSettings(name: config.name, isSync: config.kind == .sync, reusesConnections: config.kind == .async,
                                connect: UInt64(config.connectTimeoutMilliseconds),
                                response: UInt64(config.responseTimeoutMilliseconds),
                                queue: UInt64(config.queueTimeoutMilliseconds),
                                tunnelIdle: UInt64(config.tunnelIdleMilliseconds), retries: config.retries)
    }

    var name: String { config.name }
    var isSync: Bool { settings.isSync }
    /// Async servers keep connections alive; gunicorn's sync workers close after every response.
    var reusesConnections: Bool { settings.reusesConnections }
}

/// The validated config with everything derived from it, immutable, with a generation number.
/// A connection takes the current snapshot for each new request and keeps it until that request is
/// done, so a swap never changes a request already under way.
final class ProxySnapshot: Sendable {
    let generation: UInt64
    let config: Config
    let router: Router
    let pools: [String: UpstreamPool]
    let limits: HTTPLimits

    init(generation: UInt64, config: Config, registry: PoolRegistry, now: UInt64) {
        self.generation = generation
        self.config = config
        router = Router(routes: config.routes)
        let shared = registry.adopt(config.pools, now: now)
        var pools: [String: UpstreamPool] = [:]
        for pool in config.pools { pools[pool.name] = UpstreamPool(config: pool, shared: shared[pool.name]!) }
        self.pools = pools
        var limits = HTTPLimits()
        limits.dropUnderscoreFields = config.proxy.dropUnderscoreHeaders
        self.limits = limits
    }

    var clientTimeoutMilliseconds: UInt64 { UInt64(config.proxy.clientTimeoutMilliseconds) }

    func healthReport(now: UInt64) -> HealthReport {
        HealthReport(pools: config.pools.compactMap { pools[$0.name]?.shared.healthReport(now: now) })
    }
}
