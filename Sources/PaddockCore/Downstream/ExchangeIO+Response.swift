import HTTP1
import UV

/// The response: head checks, then the body streamed (with backpressure) or buffered (at backend speed).
extension ExchangeIO {
    /// Parses the response head (forwarding 1xx) and reports it, or pumps the body once it started.
    func readResponse() -> DownstreamEvent? {
        guard let upstream = upstream?.transport else { return nil }
        if responseStarted { return pumpResponseBody() }
        let input = upstream.readable
        switch responseParser.parse(input, requestMethod: plan.method) {
        case .incomplete:
            return upstream.isInputFull ? .failed(.badResponse("response head too large")) : nil
        case let .failure(error):
            return .failed(.badResponse(error.reason))
        case let .complete(head):
            if head.status == 101 {
                parsedHead = head
                return .switchingProtocols
            }
            if head.isInformational {
                // 100 Continue was already answered by us; other 1xx (103 Early Hints) go to HTTP/1.1 clients.
                if head.status != 100 && plan.clientVersion == .http1_1 {
                    var bytes: [UInt8] = []
                    ResponseSerializer.writeHead(head, source: input, body: .none, keepAlive: true,
                                                 clientVersion: plan.clientVersion, into: &bytes)
                    client.write(bytes)
                }
                upstream.consume(head.headLength)
                return .informationalForwarded
            }
            parsedHead = head
            let http11 = plan.clientVersion == .http1_1
            responseFraming = switch head.framing {
            case .none: .none
            case let .contentLength(length): .contentLength(length)
            case .chunked, .untilClose: http11 ? .chunked : .untilClose
            }
            return .responseHead(serverKeepAlive: head.keepAlive, untilClose: responseFraming == .untilClose)
        }
    }

    /// Writes the head the machine accepted (promising `keepAlive`), then pumps the body.
    func startResponse(keepAlive: Bool) -> DownstreamEvent? {
        guard let head = parsedHead, let upstream = upstream?.transport else { return nil }
        parsedHead = nil
        let input = upstream.readable
        responseKeepAlive = head.keepAlive
        switch head.framing {
        case .none: break
        case let .contentLength(length): responseDecoder = BodyDecoder(contentLength: length)
        case .chunked: responseDecoder = .chunked(limits: Self.responseLimits)
        case .untilClose: responseDecoder = .untilClose()
        }
        let proxy = proxy
        if pool.config.bufferResponses && responseDecoder != nil && !Self.optsOutOfBuffering(head, input: input) {
            let spill = SpillBuffer(memoryLimit: Int(clamping: proxy.bufferMemoryBytes), tempDirectory: proxy.tempDirectory)
            responseOutput = BufferedOutput(socket: client, spill: spill, highWaterBytes: highWaterBytes,
                                               maxBacklogBytes: proxy.maxTempFileBytes)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.headLength + 64)
        ResponseSerializer.writeHead(head, source: input, body: responseFraming, keepAlive: keepAlive,
                                     clientVersion: plan.clientVersion, requestID: requestID,
                                     strictTransportSecurity: strictTransportSecurity, into: &bytes)
        responseWriter = FramedWriter(head: bytes, chunked: responseFraming == .chunked && responseDecoder != nil)
        responseStarted = true
        upstream.consume(head.headLength)
        return pumpResponseBody()
    }

    /// `X-Accel-Buffering: no` is how apps already ask nginx to stream (SSE, long polls); honour it.
    private static func optsOutOfBuffering(_ head: ResponseHead, input: UnsafeRawBufferPointer) -> Bool {
        head.fields.contains { field in
            field.token == .other && asciiEqualsIgnoringCase(field.name, in: input, "x-accel-buffering")
                && asciiEqualsIgnoringCase(field.value, in: input, "no")
        }
    }

    private func pumpResponseBody() -> DownstreamEvent? {
        guard let upstream = upstream?.transport, responseWriter != nil else { return nil }
        let sink = responseSink
        defer { responseWriter?.flush(to: sink) }
        guard responseDecoder != nil else { return finishUpstream(sink: sink) }
        var backedUp = false
        let stop: BodyPumpStop
        do {
            stop = try responseDecoder!.pump(from: upstream) { data in
                responseWriter!.writeData(data, to: sink)
                if responseOutput?.failure != nil { return false }
                backedUp = responseOutput.map(\.isOverLimit) ?? (client.writeQueueBytes > highWaterBytes)
                return !backedUp
            }
        } catch {
            return .failed(.badResponse(error.reason))
        }
        if let failure = responseOutput?.failure { return .failed(.bufferFailed(failure)) }
        switch stop {
        case .finished:
            return finishUpstream(sink: sink)
        case .needMore:
            return nil
        case .paused:
            upstream.stopReading()
            pausedUpstreamReads = true
            return .responseBackedUp
        }
    }

    /// The client drained: move more of a buffered response, and read the server again if it waited.
    func resumeResponse() -> DownstreamEvent? {
        if let output = responseOutput {
            output.drain()
            if let failure = output.failure { return .failed(.bufferFailed(failure)) }
            // Still too far behind: the server stays paused, and the client is the one to time.
            if output.isOverLimit { return .responseBackedUp }
        }
        guard pausedUpstreamReads, let upstream = upstream else { return nil }
        pausedUpstreamReads = false
        upstream.transport.startReading()
        return readResponse()
    }

    /// The whole response has been read from the server.
    private func finishUpstream(sink: some ByteSink) -> DownstreamEvent {
        responseWriter!.finish()
        responseWriter!.flush(to: sink)
        let delivered = responseOutput?.drain() ?? true
        return .responseComplete(reusable: responseKeepAlive, delivered: delivered)
    }

    /// The server closed: that ends a close-delimited body cleanly; anything else is reported.
    func finishAtEOF() -> DownstreamEvent? {
        guard responseStarted, responseDecoder != nil else { return nil }
        do {
            try responseDecoder!.finishAtEOF()
        } catch {
            // A body that ends early must not look complete: abort, never send the last chunk.
            return nil
        }
        responseKeepAlive = false
        let sink = responseSink
        return finishUpstream(sink: sink)
    }
}
