import HTTP1
import PaddockConfig
import UV

/// One HTTP check of one server: connect, `GET path` with a Host header and `Connection: close`,
/// read the response head, close. `accepts` decides whether its status passes; anything else
/// (refused, reset, an invalid response, nothing within `timeout`) fails. Used by `HealthProbe`
/// (every interval) and by `PoolSupervisor` (until a new instance first passes).
final class HealthCheck: TransportDelegate {
    struct Request {
        var path: String
        var host: String
        var timeoutMilliseconds: UInt64
        var accepts: @Sendable (Int) -> Bool
        /// What `accepts` wants, for the failure message.
        var expected: String

        /// The pool's own check.
        init(_ config: HealthCheckConfig) {
            path = config.path
            host = config.host
            timeoutMilliseconds = UInt64(config.timeoutMilliseconds)
            let matcher = config.expectStatus
            accepts = { matcher.matches($0) }
            expected = "\(matcher)"
        }

        init(path: String, host: String, timeoutMilliseconds: UInt64, accepts: @escaping @Sendable (Int) -> Bool, expected: String) {
            self.path = path
            self.host = host
            self.timeoutMilliseconds = timeoutMilliseconds
            self.accepts = accepts
            self.expected = expected
        }

        var bytes: [UInt8] {
            Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: paddock-health-check\r\nConnection: close\r\n\r\n".utf8)
        }
    }

    private let request: Request
    private let loop: EventLoop
    private let timer: LoopTimer
    private var transport: (any Transport)?
    private var parser = ResponseHeadParser(limits: HTTPLimits())
    private let startedAt: UInt64
    private var completion: ((ServerHealth.CheckResult) -> Void)?

    /// Starts the check; `completion` runs once, unless `cancel` comes first.
    init(_ endpoint: Endpoint, request: Request, dialer: UpstreamDialer, loop: EventLoop,
         completion: @escaping (ServerHealth.CheckResult) -> Void) {
        self.request = request
        self.loop = loop
        self.completion = completion
        startedAt = loop.now
        timer = LoopTimer(loop: loop)
        let transport = dialer.dial(endpoint) { [weak self] error in self?.connected(error) }
        transport.delegate = self
        self.transport = transport
        timer.start(milliseconds: request.timeoutMilliseconds) { [unowned self] in
            self.finish(status: nil, error: "no response within \(self.request.timeoutMilliseconds)ms")
        }
    }

    /// Drops the check without a result.
    func cancel() {
        completion = nil
        timer.close()
        transport?.close()
        transport = nil
    }

    private func connected(_ error: UVError?) {
        guard let transport else { return }
        if let error { return finish(status: nil, error: "connect: \(error)") }
        transport.startReading()
        transport.write(request.bytes)
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
            let passed = request.accepts(head.status)
            finish(status: head.status, error: passed ? nil : "status \(head.status), expected \(request.expected)")
        }
    }

    func transportDidReachEOF() { finish(status: nil, error: "closed before a response") }
    func transportDidFail(_ error: UVError) { finish(status: nil, error: "\(error)") }
    func transportDidDrain() {}

    private func finish(status: Int?, error: String?) {
        guard let completion else { return }
        let result = ServerHealth.CheckResult(status: status, error: error, latencyMilliseconds: loop.now - startedAt)
        cancel()
        completion(result)
    }
}
