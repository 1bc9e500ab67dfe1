import HTTP1
import Logging
import UV

/// One client connection: reads requests, proxies each to a pool, and writes the responses back in order.
///
/// States:
/// - `idle`: between requests (keep-alive); the client timeout closes it quietly.
/// - `readingHead`: some bytes of a head arrived; the whole head must arrive within the client timeout.
/// - `proxying`: an `Exchange` is in progress. Pipelined requests wait unparsed in the input buffer.
/// - `closing`: the last response is flushing; input is drained and discarded until EOF or the linger timeout.
///
/// Every failure goes through `fail(_:)`, which maps it to an outcome in one place.
final class DownstreamConnection: SocketDelegate, UpstreamConnectionOwner {
    enum State { case idle, readingHead, proxying, closing, closed }

    private let socket: Socket
    private let context: ProxyContext
    private let timer: LoopTimer
    private let clientAddress: String
    private var parser: RequestHeadParser
    private(set) var state: State = .idle
    private var exchange: Exchange?
    private var scratch: [UInt8] = []
    private var shuttingDown = false
    /// Called once when the connection is fully closed, so the proxy can forget it.
    var onClose: ((DownstreamConnection) -> Void)?

    init(socket: Socket, context: ProxyContext) {
        self.socket = socket
        self.context = context
        timer = LoopTimer(loop: context.loop)
        parser = RequestHeadParser(limits: context.limits)
        clientAddress = socket.peerIP ?? "unix"
        socket.delegate = self
    }

    func start() {
        socket.startReading()
        armIdleTimeout()
    }

    /// Graceful stop: finish the current exchange, then close; close at once if idle.
    func shutdownGracefully() {
        shuttingDown = true
        if state == .idle { close() }
    }

    // MARK: Reading requests

    /// Parses and starts as many requests as the buffered input allows (one at a time: pipelined
    /// requests are answered in order because the next one is parsed only after the current response).
    private func processInput() {
        while state == .idle || state == .readingHead {
            let input = socket.readable
            if input.isEmpty { return }
            if state == .idle {
                state = .readingHead
                armTimer(context.clientTimeoutMilliseconds) { [unowned self] in self.fail(.clientTimeout) }
            }
            switch parser.parse(input) {
            case .incomplete:
                if socket.isInputFull { fail(.badRequest(HTTPParseError(status: 431, reason: "request head too large"))) }
                return
            case let .failure(error):
                fail(.badRequest(error))
                return
            case let .complete(head):
                begin(head, input: input)
            }
        }
    }

    private func begin(_ head: RequestHead, input: UnsafeRawBufferPointer) {
        timer.stop()
        let host = head.host.map { hostWithoutPort($0, in: input) }
        let path = UnsafeRawBufferPointer(rebasing: input[head.path])
        guard let poolName = context.router.pool(host: host, path: path), let pool = context.pools[poolName] else {
            finishLocally(head, status: 404, message: "no route for this host and path")
            return
        }
        if case let .contentLength(length) = head.framing, length > context.config.proxy.maxBodyBytes {
            finishLocally(head, status: 413, message: "request body larger than max_body_bytes", forceClose: true)
            return
        }
        let upstreamBody: UpstreamBodyFraming = switch head.framing {
        case .none: .none
        case let .contentLength(length): .contentLength(length)
        case .chunked: .chunked
        }
        var options = UpstreamRequestOptions(clientAddress: clientAddress, body: upstreamBody, keepAlive: true)
        options.trustForwardedFor = context.config.proxy.trustForwardedFor
        var upstreamHead: [UInt8] = []
        upstreamHead.reserveCapacity(head.headLength + 128)
        RequestSerializer.writeHead(head, source: input, options: options, into: &upstreamHead)

        let exchange = Exchange(pool: pool, head: head, upstreamHead: upstreamHead, limits: context.limits)
        exchange.requestWriter = FramedWriter(head: upstreamHead, chunked: upstreamBody == .chunked)
        self.exchange = exchange
        state = .proxying
        let expectsContinue = head.expectsContinue && exchange.hasBody && head.version == .http1_1
        socket.consume(head.headLength)
        parser.reset()
        if expectsContinue { socket.write(Self.continueResponse) }
        if exchange.hasBody { armBodyTimeout() }
        dispatch()
    }

    private static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Answers a request the proxy handles itself (404, 413). A request body that was not read means the
    /// next request's start is unknown, so such answers close the connection.
    private func finishLocally(_ head: RequestHead, status: Int, message: String, forceClose: Bool = false) {
        let bodyFollows = head.framing != .none && head.framing != .contentLength(0)
        let close = forceClose || bodyFollows || !head.keepAlive || shuttingDown
        socket.consume(head.headLength)
        parser.reset()
        writeLocalResponse(status: status, message: message, close: close, isHead: head.methodKind == .head)
        if close {
            closeAfterFlush()
        } else {
            state = .idle
            armIdleTimeout()
        }
    }

    private func writeLocalResponse(status: Int, message: String, close: Bool, isHead: Bool = false,
                                    extraFields: [(String, String)] = []) {
        scratch.removeAll(keepingCapacity: true)
        let body = isHead ? [] : Array("\(status) \(ResponseSerializer.reasonPhrase(status)): \(message)\n".utf8)
        ResponseSerializer.writeSimple(status: status, contentType: "text/plain; charset=utf-8", body: body,
                                       close: close, extraFields: extraFields, into: &scratch)
        socket.write(scratch)
    }

    // MARK: Upstream selection and connection

    private func dispatch() {
        guard let exchange else { return }
        guard let index = exchange.pool.pick(excluding: exchange.tried) else {
            fail(.noServerReachable(pool: exchange.pool.name))
            return
        }
        exchange.tried.append(index)
        let server = exchange.pool.servers[index]
        exchange.serverIndex = index
        server.acquire()
        if let connection = server.takeIdle() {
            attach(connection)
        } else {
            connectFresh(to: server)
        }
    }

    private func connectFresh(to server: UpstreamServer) {
        guard let exchange else { return }
        let connection = UpstreamConnection(loop: context.loop, server: server)
        exchange.upstream = connection
        exchange.upstreamReady = false
        connection.connect(timeoutMilliseconds: UInt64(exchange.pool.config.connectTimeoutMilliseconds)) {
            [weak self, unowned connection] error in
            self?.upstreamConnected(connection, error: error)
        }
    }

    private func upstreamConnected(_ connection: UpstreamConnection, error: UVError?) {
        guard let exchange, exchange.upstream === connection, let server = exchange.server else {
            connection.close()
            return
        }
        if let error {
            context.logger.warning("connect to \(server.endpoint) failed: \(error)",
                                   metadata: ["pool": "\(exchange.pool.name)"])
            server.markDown()
            releaseServer()
            connection.close()
            exchange.upstream = nil
            dispatch()
            return
        }
        server.markUp()
        attach(connection)
    }

    private func attach(_ connection: UpstreamConnection) {
        guard let exchange else { return }
        exchange.upstream = connection
        exchange.upstreamReady = true
        connection.attach(to: self)
        connection.startDeadline(milliseconds: UInt64(exchange.pool.config.responseTimeoutMilliseconds)) {
            [unowned self] in self.fail(.upstreamTimeout)
        }
        pumpRequestBody()
    }

    // MARK: Request body: downstream → upstream

    private func pumpRequestBody() {
        guard let exchange, let upstream = exchange.upstream, var writer = exchange.requestWriter else { return }
        defer {
            writer.flush(to: upstream.socket)
            if self.exchange === exchange { exchange.requestWriter = writer }
        }
        guard !exchange.requestDone, var decoder = exchange.requestDecoder else { return }
        defer { exchange.requestDecoder = decoder }
        while true {
            let input = socket.readable
            let step: BodyDecodeStep
            do {
                step = try decoder.decode(input)
            } catch {
                fail(.badRequestBody(error))
                return
            }
            if !step.data.isEmpty {
                exchange.requestBodyBytes += UInt64(step.data.count)
                if exchange.requestBodyBytes > context.config.proxy.maxBodyBytes {
                    fail(.bodyTooLarge)
                    return
                }
                writer.writeData(UnsafeRawBufferPointer(rebasing: input[step.data]), to: upstream.socket)
            }
            socket.consume(step.consumed)
            if step.finished {
                writer.finish()
                exchange.requestDone = true
                timer.stop()
                return
            }
            if step.consumed == 0 && step.data.isEmpty { return }
            if upstream.socket.writeQueueBytes > context.writeHighWaterBytes {
                socket.stopReading()
                exchange.pausedDownstreamReads = true
                return
            }
        }
    }

    // MARK: Response: upstream → downstream

    func upstreamDidRead(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection else { return }
        if !exchange.responseHeadReceived {
            guard readResponseHead(exchange, connection) else { return }
        }
        pumpResponseBody(exchange, connection)
    }

    /// Returns true once the final response head has been parsed and queued downstream.
    private func readResponseHead(_ exchange: Exchange, _ connection: UpstreamConnection) -> Bool {
        while true {
            let input = connection.socket.readable
            switch exchange.responseParser.parse(input, requestMethod: exchange.method) {
            case .incomplete:
                if connection.socket.isInputFull { fail(.badResponse("response head too large")) }
                return false
            case let .failure(error):
                fail(.badResponse(error.reason))
                return false
            case let .complete(head):
                if head.isInformational {
                    guard head.status != 101 else {
                        fail(.badResponse("101 Switching Protocols without an upgrade request"))
                        return false
                    }
                    // 100 Continue was already answered by us; other 1xx (103 Early Hints) go to HTTP/1.1 clients.
                    if head.status != 100 && exchange.clientVersion == .http1_1 {
                        scratch.removeAll(keepingCapacity: true)
                        ResponseSerializer.writeHead(head, source: input, body: .none, keepAlive: true,
                                                     clientVersion: exchange.clientVersion, into: &scratch)
                        socket.write(scratch)
                    }
                    connection.socket.consume(head.headLength)
                    exchange.responseParser.reset()
                    continue
                }
                connection.stopDeadline()
                startResponse(exchange, head: head, input: input)
                connection.socket.consume(head.headLength)
                return true
            }
        }
    }

    private func startResponse(_ exchange: Exchange, head: ResponseHead, input: UnsafeRawBufferPointer) {
        exchange.responseHeadReceived = true
        exchange.responseKeepAlive = head.keepAlive
        let framing: DownstreamBodyFraming
        switch head.framing {
        case .none:
            framing = exchange.method == .head ? headResponseFraming(head, input: input) : .none
        case let .contentLength(length):
            framing = .contentLength(length)
            exchange.responseDecoder = BodyDecoder(contentLength: length)
        case .chunked:
            framing = exchange.clientVersion == .http1_1 ? .chunked : .untilClose
            exchange.responseDecoder = .chunked(limits: context.limits)
        case .untilClose:
            framing = exchange.clientVersion == .http1_1 ? .chunked : .untilClose
            exchange.responseDecoder = .untilClose()
        }
        exchange.downstreamKeepAlive = exchange.clientKeepAlive && exchange.requestDone && framing != .untilClose
            && !shuttingDown
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.headLength + 64)
        ResponseSerializer.writeHead(head, source: input, body: framing, keepAlive: exchange.downstreamKeepAlive,
                                     clientVersion: exchange.clientVersion, into: &bytes)
        let chunked = framing == .chunked && exchange.responseDecoder != nil
        exchange.responseWriter = FramedWriter(head: bytes, chunked: chunked)
        exchange.responseStarted = true
    }

    /// A HEAD response carries the framing fields of the GET it stands for, without the body.
    private func headResponseFraming(_ head: ResponseHead, input: UnsafeRawBufferPointer) -> DownstreamBodyFraming {
        for field in head.fields where field.token == .contentLength {
            var value: UInt64 = 0
            for byte in input[field.value] {
                guard byte >= 0x30 && byte <= 0x39, value < UInt64.max / 10 - 9 else { return .none }
                value = value * 10 + UInt64(byte - 0x30)
            }
            return .contentLength(value)
        }
        return .none
    }

    private func pumpResponseBody(_ exchange: Exchange, _ connection: UpstreamConnection) {
        guard var writer = exchange.responseWriter else { return }
        defer {
            writer.flush(to: socket)
            if self.exchange === exchange { exchange.responseWriter = writer }
        }
        guard var decoder = exchange.responseDecoder else {
            finishExchange(exchange, writer: &writer)
            return
        }
        defer { if self.exchange === exchange { exchange.responseDecoder = decoder } }
        while true {
            let input = connection.socket.readable
            let step: BodyDecodeStep
            do {
                step = try decoder.decode(input)
            } catch {
                fail(.badResponse(error.reason))
                return
            }
            if !step.data.isEmpty {
                writer.writeData(UnsafeRawBufferPointer(rebasing: input[step.data]), to: socket)
            }
            connection.socket.consume(step.consumed)
            if step.finished {
                finishExchange(exchange, writer: &writer)
                return
            }
            if step.consumed == 0 && step.data.isEmpty { return }
            if socket.writeQueueBytes > context.writeHighWaterBytes {
                connection.socket.stopReading()
                exchange.pausedUpstreamReads = true
                return
            }
        }
    }

    func upstreamDidEnd(_ connection: UpstreamConnection, error: UVError?) {
        guard let exchange, exchange.upstream === connection else { return }
        if exchange.responseHeadReceived {
            guard error == nil, var decoder = exchange.responseDecoder, var writer = exchange.responseWriter else {
                fail(.upstreamAborted)
                return
            }
            do {
                try decoder.finishAtEOF()
            } catch {
                // A body that ends early must not look complete: abort, never send the last chunk.
                fail(.upstreamAborted)
                return
            }
            exchange.responseKeepAlive = false
            exchange.responseDecoder = decoder
            finishExchange(exchange, writer: &writer)
            return
        }
        let nothingReceived = connection.socket.readable.isEmpty
        if nothingReceived && connection.isReused && !exchange.hasBody && !exchange.retriedReusedConnection,
           let server = exchange.server {
            // The server closed a kept-alive connection just as we reused it: nothing was processed,
            // so one retry on a fresh connection is safe.
            exchange.retriedReusedConnection = true
            connection.close()
            exchange.upstream = nil
            exchange.requestWriter = FramedWriter(head: exchange.upstreamHead, chunked: false)
            connectFresh(to: server)
            return
        }
        fail(.upstreamClosedEarly(error))
    }

    // MARK: Finishing

    private func finishExchange(_ exchange: Exchange, writer: inout FramedWriter) {
        writer.finish()
        releaseUpstream(reusable: exchange.responseKeepAlive && exchange.requestDone)
        self.exchange = nil
        writer.flush(to: socket)
        if !exchange.downstreamKeepAlive {
            closeAfterFlush()
            return
        }
        state = .idle
        armIdleTimeout()
        if exchange.pausedDownstreamReads || !socket.isReading { socket.startReading() }
        processInput()
    }

    /// Returns the server's slot and either parks the upstream connection for reuse or closes it.
    private func releaseUpstream(reusable: Bool) {
        guard let exchange else { return }
        if let connection = exchange.upstream {
            exchange.upstream = nil
            connection.stopDeadline()
            if reusable && connection.isUsable && !shuttingDown {
                connection.server.park(connection, idleTimeoutMilliseconds: context.upstreamIdleTimeoutMilliseconds)
            } else {
                connection.close()
            }
        }
        releaseServer()
    }

    private func releaseServer() {
        guard let exchange, let server = exchange.server else { return }
        server.release()
        exchange.serverIndex = nil
    }

    // MARK: Failures, in one place

    private func fail(_ failure: ProxyFailure) {
        let exchange = self.exchange
        if let exchange {
            context.logger.log(level: failure.logLevel, "\(failure)", metadata: ["pool": "\(exchange.pool.name)"])
            releaseUpstream(reusable: false)
            self.exchange = nil
        } else if failure.logLevel > .debug {
            context.logger.log(level: failure.logLevel, "\(failure)")
        }
        guard let response = failure.response, !(exchange?.responseStarted ?? false) else {
            // Nothing sensible can be said on this connection any more (or a response is half sent).
            close()
            return
        }
        writeLocalResponse(status: response.status, message: response.message, close: true,
                           extraFields: response.extraFields)
        closeAfterFlush()
    }

    // MARK: Timers

    private func armTimer(_ milliseconds: UInt64, _ expired: @escaping () -> Void) {
        timer.start(milliseconds: milliseconds, expired)
    }

    private func armIdleTimeout() {
        armTimer(context.clientTimeoutMilliseconds) { [unowned self] in
            if self.state == .idle { self.close() }
        }
    }

    /// The body must keep moving: the timeout restarts on each read.
    private func armBodyTimeout() {
        armTimer(context.clientTimeoutMilliseconds) { [unowned self] in self.fail(.clientTimeout) }
    }

    // MARK: Closing

    /// Sends what is queued, half-closes, then drains input until EOF or the linger timeout, so a client
    /// that is still sending does not turn our final response into a reset.
    private func closeAfterFlush() {
        guard state != .closing && state != .closed else { return }
        state = .closing
        socket.startReading()
        socket.shutdown { [weak self] _ in
            guard let self else { return }
            self.armTimer(self.context.lingerMilliseconds) { [unowned self] in self.close() }
        }
        armTimer(context.lingerMilliseconds + context.clientTimeoutMilliseconds) { [unowned self] in self.close() }
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        if exchange != nil { releaseUpstream(reusable: false) }
        exchange = nil
        timer.close()
        socket.close()
        let callback = onClose
        onClose = nil
        callback?(self)
    }

    // MARK: SocketDelegate

    func socketDidRead(_ socket: Socket) {
        switch state {
        case .idle, .readingHead:
            processInput()
        case .proxying:
            guard let exchange else { return }
            if !exchange.requestDone {
                armBodyTimeout()
                if exchange.upstreamReady { pumpRequestBody() }
            } else if socket.isInputFull {
                // Pipelined requests keep arriving while we answer: stop reading until we get to them.
                socket.stopReading()
            }
        case .closing:
            socket.consume(socket.readable.count)
        case .closed:
            break
        }
    }

    func socketDidReachEOF(_ socket: Socket) {
        switch state {
        case .proxying:
            // The client is gone (or half-closed): stop the backend work it asked for.
            fail(.clientClosed)
        default:
            close()
        }
    }

    func socketDidFail(_ socket: Socket, error: UVError) {
        if let exchange, state == .proxying {
            context.logger.debug("client connection failed: \(error)", metadata: ["pool": "\(exchange.pool.name)"])
        }
        close()
    }

    func socketDidDrain(_ socket: Socket) {
        guard let exchange, exchange.pausedUpstreamReads, let upstream = exchange.upstream else { return }
        exchange.pausedUpstreamReads = false
        upstream.socket.startReading()
        upstreamDidRead(upstream)
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection, exchange.pausedDownstreamReads else { return }
        exchange.pausedDownstreamReads = false
        socket.startReading()
        pumpRequestBody()
    }
}
