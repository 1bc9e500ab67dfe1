import HTTP1
import Logging
import PaddockConfig
import UV

/// What every connection on one loop shares: the config snapshot, its router and pools, and limits.
/// Loop-confined.
final class ProxyContext {
    let loop: EventLoop
    let config: Config
    let router: Router
    let pools: [String: UpstreamPool]
    let limits: HTTPLimits
    let logger: Logger

    /// Stop reading one side while the other side's write queue holds more than this.
    let writeHighWaterBytes = 256 * 1024
    /// Idle upstream keep-alive connections are closed after this, well before uvicorn's 5 s,
    /// so we never race a server-side close with a new request.
    let upstreamIdleTimeoutMilliseconds: UInt64 = 2_000
    /// After a close with `Connection: close`, keep draining the client this long so our response is
    /// not destroyed by a TCP reset (lingering close).
    let lingerMilliseconds: UInt64 = 2_000

    init(loop: EventLoop, config: Config, logger: Logger) {
        self.loop = loop
        self.config = config
        self.logger = logger
        router = Router(routes: config.routes)
        var pools: [String: UpstreamPool] = [:]
        for pool in config.pools { pools[pool.name] = UpstreamPool(config: pool) }
        self.pools = pools
        var limits = HTTPLimits()
        limits.dropUnderscoreFields = config.proxy.dropUnderscoreHeaders
        self.limits = limits
    }

    var clientTimeoutMilliseconds: UInt64 { UInt64(config.proxy.clientTimeoutMilliseconds) }

    var healthReport: HealthReport {
        HealthReport(pools: config.pools.compactMap { pools[$0.name]?.healthReport })
    }
}
