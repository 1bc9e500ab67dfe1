import HTTP1
import UV

/// The response: head checks, then the body streamed (with backpressure) or buffered (at backend speed).
extension DownstreamConnection: UpstreamConnectionOwner {
    func upstreamDidRead(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection else { return }
        if state == .tunnel {
            relayFromServer()
            return
        }
        if !exchange.responseHeadReceived {
            guard readResponseHead(exchange, connection) else { return }
        }
        pumpResponseBody(exchange, connection)
    }

    /// Returns true once the final response head has been parsed and queued for the client.
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
                if head.status == 101 {
                    guard exchange.isUpgrade else {
                        fail(.badResponse("101 Switching Protocols without an upgrade request"))
                        return false
                    }
                    startTunnel(exchange, connection, head: head, input: input)
                    return false
                }
                if head.isInformational {
                    // 100 Continue was already answered by us; other 1xx (103 Early Hints) go to HTTP/1.1 clients.
                    if head.status != 100 && exchange.clientVersion == .http1_1 {
                        scratch.removeAll(keepingCapacity: true)
                        ResponseSerializer.writeHead(head, source: input, body: .none, keepAlive: true,
                                                     clientVersion: exchange.clientVersion, into: &scratch)
                        socket.write(scratch)
                    }
                    exchange.forwardedInformational = true
                    connection.socket.consume(head.headLength)
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
            framing = .none
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
        exchange.downstreamKeepAlive = exchange.clientKeepAlive && exchange.requestBodyReceived
            && framing != .untilClose && !shuttingDown
        if exchange.pool.config.bufferResponses && exchange.responseDecoder != nil
            && !Self.optsOutOfBuffering(head, input: input) {
            let spill = SpillBuffer(memoryLimit: Int(clamping: context.config.proxy.bufferMemoryBytes),
                                    tempDirectory: context.config.proxy.tempDirectory)
            exchange.responseOutput = BufferedOutput(socket: socket, spill: spill,
                                                     highWaterBytes: context.writeHighWaterBytes,
                                                     maxBacklogBytes: context.config.proxy.maxTempFileBytes)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.headLength + 64)
        ResponseSerializer.writeHead(head, source: input, body: framing, keepAlive: exchange.downstreamKeepAlive,
                                     clientVersion: exchange.clientVersion, into: &bytes)
        exchange.responseWriter = FramedWriter(head: bytes, chunked: framing == .chunked && exchange.responseDecoder != nil)
        exchange.responseStarted = true
    }

    /// `X-Accel-Buffering: no` is how apps already ask nginx to stream (SSE, long polls); honour it.
    private static func optsOutOfBuffering(_ head: ResponseHead, input: UnsafeRawBufferPointer) -> Bool {
        head.fields.contains { field in
            field.token == .other && asciiEqualsIgnoringCase(field.name, in: input, "x-accel-buffering")
                && asciiEqualsIgnoringCase(field.value, in: input, "no")
        }
    }

    private func pumpResponseBody(_ exchange: Exchange, _ connection: UpstreamConnection) {
        guard var writer = exchange.responseWriter else { return }
        let sink = exchange.responseSink(socket)
        defer {
            writer.flush(to: sink)
            if self.exchange === exchange { exchange.responseWriter = writer }
        }
        guard var decoder = exchange.responseDecoder else {
            finishUpstream(exchange, writer: &writer, sink: sink)
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
                writer.writeData(UnsafeRawBufferPointer(rebasing: input[step.data]), to: sink)
            }
            connection.socket.consume(step.consumed)
            if let failure = exchange.responseOutput?.failure {
                fail(.bufferFailed(failure))
                return
            }
            if step.finished {
                finishUpstream(exchange, writer: &writer, sink: sink)
                return
            }
            if step.consumed == 0 && step.data.isEmpty { return }
            let backedUp = exchange.responseOutput.map(\.isOverLimit)
                ?? (socket.writeQueueBytes > context.writeHighWaterBytes)
            if backedUp {
                connection.socket.stopReading()
                exchange.pausedUpstreamReads = true
                armStallTimeout()
                return
            }
        }
    }

    /// The whole response has been read from the server: release it at once (a sync worker serves the
    /// next waiter while this client is still downloading), then finish the client side when it has all.
    private func finishUpstream(_ exchange: Exchange, writer: inout FramedWriter, sink: ByteSink) {
        writer.finish()
        writer.flush(to: sink)
        releaseUpstream(reusable: exchange.responseKeepAlive && exchange.requestSent)
        if let output = exchange.responseOutput, !output.drain() {
            exchange.awaitingDownstreamDrain = true
            armStallTimeout()
            return
        }
        completeDownstream(exchange)
    }

    func upstreamDidEnd(_ connection: UpstreamConnection, error: UVError?) {
        guard let exchange, exchange.upstream === connection else { return }
        if state == .tunnel {
            if error == nil { endTunnel() } else { close() }
            return
        }
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
            finishUpstream(exchange, writer: &writer, sink: exchange.responseSink(socket))
            return
        }
        if retryOnFreshConnection(exchange, connection) { return }
        fail(.upstreamClosedEarly(error))
    }
}
