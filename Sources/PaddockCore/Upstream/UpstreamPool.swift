import PaddockConfig

/// A pool of servers behind one name, with its balancer.
final class UpstreamPool {
    let config: PoolConfig
    let servers: [UpstreamServer]
    private var balancer: Balancer

    init(config: PoolConfig) {
        self.config = config
        servers = config.servers.map(UpstreamServer.init(config:))
        balancer = Balancer(strategy: config.balance, serverCount: servers.count)
    }

    var name: String { config.name }

    /// The next server for a request, skipping those already tried; nil when all were tried.
    func pick(excluding tried: [Int]) -> Int? {
        balancer.pick(servers.map(\.load), excluding: tried)
    }

    var healthReport: HealthReport.Pool {
        HealthReport.Pool(name: config.name, kind: config.kind, servers: servers.map {
            HealthReport.Server(address: $0.config.address.description, isUp: $0.isUp,
                                inFlight: $0.inFlight, workers: $0.config.workers)
        })
    }

    func closeIdle() {
        for server in servers { server.closeIdle() }
    }
}
