import HTTP1
import UV

/// The response: head checks, then the body streamed (with backpressure) or buffered (at backend speed).
extension DownstreamConnection {
    /// Parses the response head (forwarding 1xx) and reports it, or pumps the body once it started.
    func readResponse(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport else { return nil }
        if io.responseStarted { return pumpResponseBody(io) }
        let input = upstream.readable
        switch io.responseParser.parse(input, requestMethod: io.plan.method) {
        case .incomplete:
            return upstream.isInputFull ? .failed(.badResponse("response head too large")) : nil
        case let .failure(error):
            return .failed(.badResponse(error.reason))
        case let .complete(head):
            if head.status == 101 {
                io.parsedHead = head
                return .switchingProtocols
            }
            if head.isInformational {
                // 100 Continue was already answered by us; other 1xx (103 Early Hints) go to HTTP/1.1 clients.
                if head.status != 100 && io.plan.clientVersion == .http1_1 {
                    scratch.removeAll(keepingCapacity: true)
                    ResponseSerializer.writeHead(head, source: input, body: .none, keepAlive: true,
                                                 clientVersion: io.plan.clientVersion, into: &scratch)
                    transport.write(scratch)
                }
                upstream.consume(head.headLength)
                return .informationalForwarded
            }
            io.parsedHead = head
            let http11 = io.plan.clientVersion == .http1_1
            io.responseFraming = switch head.framing {
            case .none: .none
            case let .contentLength(length): .contentLength(length)
            case .chunked, .untilClose: http11 ? .chunked : .untilClose
            }
            return .responseHead(serverKeepAlive: head.keepAlive, untilClose: io.responseFraming == .untilClose)
        }
    }

    /// Writes the head the machine accepted (promising `keepAlive`), then pumps the body.
    func startResponse(_ io: ExchangeIO, keepAlive: Bool) -> DownstreamEvent? {
        guard let head = io.parsedHead, let upstream = io.upstream?.transport else { return nil }
        io.parsedHead = nil
        let input = upstream.readable
        io.responseKeepAlive = head.keepAlive
        switch head.framing {
        case .none: break
        case let .contentLength(length): io.responseDecoder = BodyDecoder(contentLength: length)
        case .chunked: io.responseDecoder = .chunked(limits: snapshot.limits)
        case .untilClose: io.responseDecoder = .untilClose()
        }
        let proxy = snapshot.config.proxy
        if io.pool.config.bufferResponses && io.responseDecoder != nil && !Self.optsOutOfBuffering(head, input: input) {
            let spill = SpillBuffer(memoryLimit: Int(clamping: proxy.bufferMemoryBytes), tempDirectory: proxy.tempDirectory)
            io.responseOutput = BufferedOutput(socket: transport, spill: spill, highWaterBytes: context.writeHighWaterBytes,
                                               maxBacklogBytes: proxy.maxTempFileBytes)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.headLength + 64)
        ResponseSerializer.writeHead(head, source: input, body: io.responseFraming, keepAlive: keepAlive,
                                     clientVersion: io.plan.clientVersion, into: &bytes)
        io.responseWriter = FramedWriter(head: bytes, chunked: io.responseFraming == .chunked && io.responseDecoder != nil)
        io.responseStarted = true
        upstream.consume(head.headLength)
        return pumpResponseBody(io)
    }

    /// `X-Accel-Buffering: no` is how apps already ask nginx to stream (SSE, long polls); honour it.
    private static func optsOutOfBuffering(_ head: ResponseHead, input: UnsafeRawBufferPointer) -> Bool {
        head.fields.contains { field in
            field.token == .other && asciiEqualsIgnoringCase(field.name, in: input, "x-accel-buffering")
                && asciiEqualsIgnoringCase(field.value, in: input, "no")
        }
    }

    private func pumpResponseBody(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport, io.responseWriter != nil else { return nil }
        let sink = io.responseSink(transport)
        defer { io.responseWriter?.flush(to: sink) }
        guard io.responseDecoder != nil else { return finishUpstream(io, sink: sink) }
        while true {
            let input = upstream.readable
            let step: BodyDecodeStep
            do {
                step = try io.responseDecoder!.decode(input)
            } catch {
                return .failed(.badResponse(error.reason))
            }
            if !step.data.isEmpty {
                io.responseWriter!.writeData(UnsafeRawBufferPointer(rebasing: input[step.data]), to: sink)
            }
            upstream.consume(step.consumed)
            if let failure = io.responseOutput?.failure { return .failed(.bufferFailed(failure)) }
            if step.finished { return finishUpstream(io, sink: sink) }
            if step.consumed == 0 && step.data.isEmpty { return nil }
            let backedUp = io.responseOutput.map(\.isOverLimit) ?? (transport.writeQueueBytes > context.writeHighWaterBytes)
            if backedUp {
                upstream.stopReading()
                io.pausedUpstreamReads = true
                return .responseBackedUp
            }
        }
    }

    /// The client drained: move more of a buffered response, and read the server again if it waited.
    func resumeResponse(_ io: ExchangeIO) -> DownstreamEvent? {
        if let output = io.responseOutput {
            output.drain()
            if let failure = output.failure { return .failed(.bufferFailed(failure)) }
            if output.isOverLimit { return nil }
        }
        guard io.pausedUpstreamReads, let upstream = io.upstream else { return nil }
        io.pausedUpstreamReads = false
        upstream.transport.startReading()
        return readResponse(io)
    }

    /// The whole response has been read from the server.
    private func finishUpstream(_ io: ExchangeIO, sink: some ByteSink) -> DownstreamEvent {
        io.responseWriter!.finish()
        io.responseWriter!.flush(to: sink)
        let delivered = io.responseOutput?.drain() ?? true
        return .responseComplete(reusable: io.responseKeepAlive, delivered: delivered)
    }

    /// The server closed: that ends a close-delimited body cleanly; anything else is reported.
    func finishAtEOF(_ io: ExchangeIO) -> DownstreamEvent? {
        guard io.responseStarted, io.responseDecoder != nil else { return nil }
        do {
            try io.responseDecoder!.finishAtEOF()
        } catch {
            // A body that ends early must not look complete: abort, never send the last chunk.
            return nil
        }
        io.responseKeepAlive = false
        let sink = io.responseSink(transport)
        return finishUpstream(io, sink: sink)
    }
}
