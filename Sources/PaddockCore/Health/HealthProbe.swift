import HTTP1
import PaddockConfig
import UV

/// Checks one server every `interval`: connect, `GET path` with a Host header and
/// `Connection: close`, read the response head, close. A status `expect_status` accepts passes;
/// anything else (refused, reset, an invalid or unexpected response, nothing within `timeout`)
/// fails. Results go to the pool's shared state (`ServerHealth`), which marks the server.
///
/// On a sync server the check takes one of the server's slots for its few milliseconds, like a
/// request, so a worker never gets two requests at once; when every worker is busy the check is
/// skipped (the server is evidently serving) and runs at the next interval.
final class HealthProbe: TransportDelegate {
    private let server: ServerRef
    private let pool: UpstreamPool
    private let check: HealthCheckConfig
    private let context: ProxyContext
    private let request: [UInt8]
    private let timer: LoopTimer
    /// While a check runs: its connection (the check also holds one of the server's slots then).
    private var transport: (any Transport)?
    private var startedAt: UInt64 = 0
    private var parser = ResponseHeadParser(limits: HTTPLimits())
    private var stopped = false

    init(server: ServerRef, pool: UpstreamPool, check: HealthCheckConfig, context: ProxyContext) {
        self.server = server
        self.pool = pool
        self.check = check
        self.context = context
        request = Array("GET \(check.path) HTTP/1.1\r\nHost: \(check.host)\r\nUser-Agent: paddock-health-check\r\nConnection: close\r\n\r\n".utf8)
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
        parser.reset()
        let transport = context.dialer.dial(server.endpoint) { [weak self] error in self?.connected(error) }
        transport.delegate = self
        self.transport = transport
        timer.start(milliseconds: UInt64(check.timeoutMilliseconds)) { [unowned self] in
            self.finish(status: nil, error: "no response within \(self.check.timeoutMilliseconds)ms")
        }
    }

    private func connected(_ error: UVError?) {
        guard let transport else { return }
        if let error { return finish(status: nil, error: "connect: \(error)") }
        transport.startReading()
        transport.write(request)
    }

    func transportDidRead() {
        guard let transport else { return }
        switch parser.parse(transport.readable, requestMethod: .get) {
        case .incomplete:
            if transport.isInputFull { finish(status: nil, error: "response head too large") }
        case let .failure(error):
            finish(status: nil, error: "invalid response: \(error.reason)")
        case let .complete(head) where head.isInformational:
            // 1xx then the real answer: skip it and parse on.
            transport.consume(head.headLength)
            parser.reset()
            transportDidRead()
        case let .complete(head):
            let passed = check.expectStatus.matches(head.status)
            finish(status: head.status, error: passed ? nil : "status \(head.status), expected \(check.expectStatus)")
        }
    }

    func transportDidReachEOF() { finish(status: nil, error: "closed before a response") }
    func transportDidFail(_ error: UVError) { finish(status: nil, error: "\(error)") }
    func transportDidDrain() {}

    private func finish(status: Int?, error: String?) {
        guard transport != nil else { return }
        endCheck()
        let now = context.loop.now
        let result = ServerHealth.CheckResult(status: status, error: error, latencyMilliseconds: now - startedAt)
        context.noteHealth(.check(result), of: server, in: pool)
        scheduleNext()
    }

    /// Closes the check's connection and gives its slot back.
    private func endCheck() {
        guard let transport else { return }
        self.transport = nil
        transport.close()
        pool.shared.release(server.id, now: context.loop.now)
    }

    private func scheduleNext() {
        guard !stopped else { return }
        let next = startedAt + UInt64(check.intervalMilliseconds)
        let now = context.loop.now
        timer.start(milliseconds: next > now ? next - now : 0) { [unowned self] in self.begin() }
    }
}
