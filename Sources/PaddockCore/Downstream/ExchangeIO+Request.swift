import HTTP1
import UV

/// The request body: buffered whole before a server is chosen, or streamed to the server as it
/// arrives, with backpressure.
extension ExchangeIO {
    /// Decodes what the client sent into the spill; the head gets its Content-Length once all is in.
    func receiveBufferedBody(clientReadClosed: Bool) -> DownstreamEvent? {
        guard let spill = requestSpill else { return nil }
        var spillError: SpillError?
        let outcome = decodeRequestBody(clientReadClosed: clientReadClosed) { data in
            do throws(SpillError) {
                try spill.append(data)
                return true
            } catch {
                spillError = error
                return false
            }
        }
        if let spillError { return .failed(.bufferFailed(spillError)) }
        guard case .complete = outcome else { return outcome.event }
        RequestSerializer.finishHead(&upstreamHead, contentLength: spill.totalBytes)
        return .requestBodyComplete
    }

    /// Connected: sends the head, with the buffered body or as much of a streamed one as is here.
    func sendRequest(clientReadClosed: Bool) -> DownstreamEvent? {
        if let spill = requestSpill {
            spill.rewind()
            bufferedHeadPending = true
            return sendBufferedBody()
        }
        requestWriter = FramedWriter(head: upstreamHead, chunked: upstreamChunked)
        return streamRequestBody(clientReadClosed: clientReadClosed)
    }

    func continueSending(clientReadClosed: Bool) -> DownstreamEvent? {
        if requestSpill != nil { return sendBufferedBody() }
        guard pausedDownstreamReads else { return nil }
        pausedDownstreamReads = false
        client.startReading()
        return streamRequestBody(clientReadClosed: clientReadClosed)
    }

    /// Streams body bytes from the client's input buffer to the upstream, pausing the client while
    /// the upstream write queue is above the high-water mark.
    func streamRequestBody(clientReadClosed: Bool) -> DownstreamEvent? {
        guard let upstream = upstream?.transport, requestWriter != nil else { return nil }
        let sink = TransportSink(transport: upstream)
        defer { requestWriter!.flush(to: sink) }
        if requestDecoder == nil {
            return .requestSent
        }
        let outcome = decodeRequestBody(clientReadClosed: clientReadClosed) { data in
            requestWriter!.writeData(data, to: sink)
            if upstream.writeQueueBytes > highWaterBytes {
                client.stopReading()
                pausedDownstreamReads = true
                return false
            }
            return true
        }
        if case .complete = outcome { requestWriter!.finish() }
        return outcome.event
    }

    enum BodyOutcome {
        case complete, needMore, paused
        case failed(ProxyFailure)

        var event: DownstreamEvent? {
            switch self {
            case .complete: .requestBodyComplete
            case .needMore, .paused: nil
            case let .failed(failure): .failed(failure)
            }
        }
    }

    /// Feeds decoded body data to `deliver` until the input runs out, the body ends, or `deliver`
    /// asks to stop; enforces `max_body_bytes`. A client that half-closed before its body was
    /// complete has given up.
    private func decodeRequestBody(clientReadClosed: Bool, deliver: (UnsafeRawBufferPointer) -> Bool) -> BodyOutcome {
        guard requestDecoder != nil else { return .complete }
        let maxBodyBytes = self.maxBodyBytes
        var tooLarge = false
        let stop: BodyPumpStop
        do {
            stop = try requestDecoder!.pump(from: client) { data in
                requestBodyBytes += UInt64(data.count)
                if requestBodyBytes > maxBodyBytes {
                    tooLarge = true
                    return false
                }
                return deliver(data)
            }
        } catch {
            return .failed(.badRequestBody(error))
        }
        if tooLarge { return .failed(.bodyTooLarge) }
        switch stop {
        case .finished:
            requestDecoder = nil
            return .complete
        case .paused:
            return .paused
        case .needMore:
            return clientReadClosed ? .failed(.clientClosed) : .needMore
        }
    }

    /// Sends a buffered request (head, then the spilled body) with backpressure.
    private func sendBufferedBody() -> DownstreamEvent? {
        guard let upstream = upstream?.transport, let spill = requestSpill else { return nil }
        do throws(SpillError) {
            while upstream.writeQueueBytes <= highWaterBytes {
                let chunk = try spill.peek(maxBytes: 256 * 1024)
                if bufferedHeadPending {
                    bufferedHeadPending = false
                    upstreamHead.withUnsafeBytes { upstream.write($0, chunk) }
                } else if !chunk.isEmpty {
                    upstream.write(chunk)
                }
                spill.consume(chunk.count)
                if spill.isDrained { return .requestSent }
            }
            return nil
        } catch {
            return .failed(.bufferFailed(error))
        }
    }
}
