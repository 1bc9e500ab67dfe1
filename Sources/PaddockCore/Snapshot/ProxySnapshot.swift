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
                                connect: UInt64(config.timeouts.connectMilliseconds),
                                response: UInt64(config.timeouts.responseMilliseconds),
                                upstreamIdle: UInt64(config.timeouts.idleMilliseconds),
                                queue: UInt64(config.queueTimeoutMilliseconds),
                                tunnelIdle: UInt64(config.timeouts.tunnelIdleMilliseconds), retries: config.retries)
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
    /// The folders of static routes, by route index.
    let sites: [Int: StaticSite]
    let limits: HTTPLimits
    /// The client-side deadlines of the downstream state machine (`linger` comes from the context).
    let clientTimeouts: DownstreamMachine.Settings

    init(generation: UInt64, config: Config, registry: PoolRegistry, now: UInt64) {
        self.generation = generation
        self.config = config
        router = Router(routes: config.routes)
        let shared = registry.adopt(config.pools, now: now)
        var pools: [String: UpstreamPool] = [:]
        for pool in config.pools { pools[pool.name] = UpstreamPool(config: pool, shared: shared[pool.name]!) }
        self.pools = pools
        var sites: [Int: StaticSite] = [:]
        for (index, route) in config.routes.enumerated() {
            if case let .files(files) = route.target { sites[index] = StaticSite(config: files) }
        }
        self.sites = sites
        limits = HTTPLimits(maxRequestLineBytes: config.limits.maxURIBytes, maxFieldCount: config.limits.maxHeaders,
                            maxHeadBytes: config.limits.maxHeaderBytes,
                            dropUnderscoreFields: config.proxy.dropUnderscoreHeaders)
        let timeouts = config.timeouts
        clientTimeouts = DownstreamMachine.Settings(
            clientIdle: UInt64(timeouts.clientIdleMilliseconds), clientHeader: UInt64(timeouts.clientHeaderMilliseconds),
            clientBody: UInt64(timeouts.clientBodyMilliseconds), clientSend: UInt64(timeouts.clientSendMilliseconds), linger: 0)
    }

    func healthReport(now: UInt64) -> HealthReport {
        HealthReport(pools: config.pools.compactMap { pools[$0.name]?.shared.healthReport(now: now) })
    }
}
