import PaddockConfig
import UV

/// Checks one server of a pool every `interval` (see `HealthCheck`). Results go to the pool's
/// shared state (`ServerHealth`), which marks the server.
///
/// On a sync server the check takes one of the server's slots for its few milliseconds, like a
/// request, so a worker never gets two requests at once; when every worker is busy the check is
/// skipped (the server is evidently serving) and runs at the next interval.
final class HealthProbe {
    let server: ServerRef
    let pool: UpstreamPool
    private let check: HealthCheckConfig
    private let context: ProxyContext
    private let timer: LoopTimer
    /// While a check runs (it also holds one of the server's slots then).
    private var running: HealthCheck?
    private var startedAt: UInt64 = 0
    private var stopped = false

    init(server: ServerRef, pool: UpstreamPool, check: HealthCheckConfig, context: ProxyContext) {
        self.server = server
        self.pool = pool
        self.check = check
        self.context = context
        timer = LoopTimer(loop: context.loop)
    }

    /// Runs the first check after `delay`, then one every interval.
    func start(after delay: UInt64) {
        timer.start(milliseconds: delay) { [unowned self] in self.begin() }
    }

    /// Stops checking; a check in progress is dropped without a result.
    func stop() {
        stopped = true
        timer.close()
        endCheck()
    }

    private func begin() {
        startedAt = context.loop.now
        guard pool.shared.tryAcquire(server.id) else { return scheduleNext() }
        running = HealthCheck(server.endpoint, request: HealthCheck.Request(check), dialer: context.dialer, loop: context.loop) {
            [unowned self] result in
            self.endCheck()
            self.context.noteHealth(.check(result), of: self.server, in: self.pool)
            self.scheduleNext()
        }
    }

    /// Drops the check's connection and gives its slot back.
    private func endCheck() {
        guard let running else { return }
        self.running = nil
        running.cancel()
        pool.shared.release(server.id, now: context.loop.now)
    }

    private func scheduleNext() {
        guard !stopped else { return }
        let next = startedAt + UInt64(check.intervalMilliseconds)
        let now = context.loop.now
        timer.start(milliseconds: next > now ? next - now : 0) { [unowned self] in self.begin() }
    }
}
