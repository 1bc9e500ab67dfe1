import Logging
import PaddockConfig
import UV

/// What every connection on one loop shares: the current config snapshot, the loop's upstream
/// connection cache, and how to dial servers. Loop-confined; with `threads = N` there is one per
/// loop, and only the snapshot and the pools' shared state cross loops.
final class ProxyContext {
    let loop: EventLoop
    let logger: Logger
    let registry: PoolRegistry
    let cache = ConnectionCache()
    let dialer: UpstreamDialer
    var requestIDs = RequestIDGenerator()
    let metrics = ProxyMetrics()
    /// How other loops hand this one work (a slot freed there for a request waiting here).
    let mailbox: LoopMailbox
    let downstreamConnections = OpenConnectionCount()
    let upstreamConnections = OpenConnectionCount()
    /// Where finished requests are logged, if anywhere (set by `Proxy` from `[proxy] access_log`).
    var accessLog: (appender: FileAppender, format: AccessLogConfig.Format)?
    /// The supervision of pools with `run`, by pool name (set by `Proxy`), for the reports.
    var supervision: [String: HealthReport.Supervision] { supervisionReport() }
    var supervisionReport: () -> [String: HealthReport.Supervision] = { [:] }
    /// `POST /pools/NAME/restart`: the status and text to answer (set by `Proxy`).
    var restartPool: (String) -> (status: Int, message: String) = { _ in (404, "no such pool\n") }
    /// The config new requests use. Replaced whole by `install`; a request keeps the one it began with.
    private(set) var snapshot: ProxySnapshot

    /// Stop reading one side while the other side's write queue holds more than this.
    let writeHighWaterBytes = 256 * 1024
    /// Idle upstream keep-alive connections are closed after this, well before uvicorn's 5 s,
    /// so we never race a server-side close with a new request.
    let upstreamIdleTimeoutMilliseconds: UInt64 = 2_000
    /// After a close with `Connection: close`, keep draining the client this long so our response is
    /// not destroyed by a TCP reset (lingering close).
    let lingerMilliseconds: UInt64 = 2_000

    init(loop: EventLoop, config: Config, logger: Logger, registry: PoolRegistry = PoolRegistry(),
         dialer: UpstreamDialer? = nil) {
        self.loop = loop
        self.logger = logger
        self.registry = registry
        self.dialer = dialer ?? SocketDialer(loop: loop)
        mailbox = LoopMailbox(loop: loop)
        snapshot = ProxySnapshot(generation: 1, config: config, registry: registry, now: loop.now)
    }

    /// Makes `config` the one new requests use, and returns its snapshot. Capacity the new config
    /// adds goes to requests already waiting, once the new snapshot is in place.
    @discardableResult
    func install(_ config: Config) -> ProxySnapshot {
        let now = loop.now
        snapshot = ProxySnapshot(generation: snapshot.generation + 1, config: config, registry: registry, now: now)
        for pool in snapshot.pools.values { pool.shared.grantWaiting(now: now) }
        return snapshot
    }

    /// Every pool's state now, with the supervision of those that have `run`.
    func healthReport() -> HealthReport {
        var report = snapshot.healthReport(now: loop.now)
        let supervision = self.supervision
        for index in report.pools.indices { report.pools[index].run = supervision[report.pools[index].name] }
        return report
    }

    /// A request is over: count it, and log it.
    func finished(_ record: RequestRecord) {
        metrics.record(record)
        guard let accessLog else { return }
        let total = record.totalMilliseconds(now: loop.now)
        accessLog.appender.append(AccessLogLine.render(record, totalMilliseconds: total, format: accessLog.format))
    }

    /// Counts a health observation (a real request's, or a check's); logs when the server goes
    /// down or comes up.
    func noteHealth(_ observation: ServerHealth.Observation, of server: ServerRef, in pool: UpstreamPool) {
        guard let transition = pool.shared.record(observation, for: server.id, now: loop.now) else { return }
        metrics.healthChanged(pool: pool.name, server: server.endpoint, up: transition == .cameUp)
        let state = transition == .wentDown ? "down" : "up"
        logger.log(level: transition == .wentDown ? .warning : .notice, "server \(server.endpoint) is \(state) (\(observation.summary))",
                   metadata: ["pool": "\(pool.name)"])
    }
}
