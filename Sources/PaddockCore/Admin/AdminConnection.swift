import HTTP1
import UV

/// One connection to the admin listener. Serves `GET /health` (JSON), `GET /status` (the same as
/// a table, for `paddock status`), `GET /metrics` and `POST /pools/NAME/restart` (`paddock
/// restart`), and answers everything else with 404.
/// Each response closes the connection: the admin endpoint is for probes, not for throughput.
final class AdminConnection: TransportDelegate {
    private let socket: any Transport
    private let context: ProxyContext
    private let timer: LoopTimer
    private var parser: RequestHeadParser
    private var answered = false
    var onClose: ((AdminConnection) -> Void)?

    init(socket: any Transport, context: ProxyContext) {
        self.socket = socket
        self.context = context
        timer = LoopTimer(loop: context.loop)
        parser = RequestHeadParser(limits: context.snapshot.limits)
        socket.delegate = self
    }

    func start() {
        socket.startReading()
        timer.start(milliseconds: context.snapshot.clientTimeouts.clientIdle) { [unowned self] in self.close() }
    }

    private func respond(status: Int, contentType: String, body: String) {
        answered = true
        var bytes: [UInt8] = []
        ResponseSerializer.writeSimple(status: status, contentType: contentType, body: Array(body.utf8),
                                       close: true, into: &bytes)
        socket.write(bytes)
        socket.shutdown { [weak self] _ in self?.close() }
    }

    func close() {
        guard let callback = onClose else { return }
        onClose = nil
        timer.close()
        socket.close()
        callback(self)
    }

    func transportDidRead() {
        guard !answered else {
            socket.consume(socket.readable.count)
            return
        }
        let input = socket.readable
        switch parser.parse(input) {
        case .incomplete:
            if socket.isInputFull { respond(status: 431, contentType: "text/plain", body: "request head too large\n") }
        case let .failure(error):
            respond(status: error.status, contentType: "text/plain", body: "\(error.reason)\n")
        case let .complete(head):
            let path = String(decoding: UnsafeRawBufferPointer(rebasing: input[head.path]), as: UTF8.self)
            let isGet = head.methodKind == .get || head.methodKind == .head
            if path == "/health" && isGet {
                let report = context.healthReport()
                respond(status: report.httpStatus, contentType: "application/json",
                        body: head.methodKind == .head ? "" : report.json)
            } else if path == "/status" && isGet {
                let report = context.healthReport()
                respond(status: report.httpStatus, contentType: "text/plain; charset=utf-8",
                        body: head.methodKind == .head ? "" : report.table)
            } else if path == "/metrics" && isGet {
                let snapshot = context.snapshot
                let gauges = MetricsText.Gauges(health: snapshot.healthReport(now: context.loop.now),
                                                generation: snapshot.generation,
                                                downstreamConnections: context.downstreamConnections.value,
                                                upstreamConnections: context.upstreamConnections.value,
                                                accessLogDroppedBytes: context.accessLog?.appender.droppedBytes ?? 0)
                respond(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                        body: head.methodKind == .head ? "" : MetricsText.render(context.metrics, gauges))
            } else if let pool = Self.restartTarget(path) {
                guard head.methodKind == .post else {
                    return respond(status: 405, contentType: "text/plain", body: "use POST\n")
                }
                // A web page's script may POST to a loopback address too; browsers say where from.
                guard !head.fields.contains(where: { asciiEqualsIgnoringCase($0.name, in: input, "origin") }) else {
                    return respond(status: 403, contentType: "text/plain", body: "not from a browser\n")
                }
                let answer = context.restartPool(pool)
                respond(status: answer.status, contentType: "text/plain", body: answer.message)
            } else if path == "/health" || path == "/metrics" || path == "/status" {
                respond(status: 405, contentType: "text/plain", body: "use GET\n")
            } else {
                respond(status: 404, contentType: "text/plain", body: "not found; try GET /health or GET /metrics\n")
            }
        }
    }

    /// `/pools/NAME/restart` -> NAME.
    static func restartTarget(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "pools", !parts[2].isEmpty, parts[3] == "restart" else { return nil }
        return String(parts[2])
    }

    func transportDidReachEOF() { close() }
    func transportDidFail(_ error: UVError) { close() }
    func transportDidDrain() {}
}
