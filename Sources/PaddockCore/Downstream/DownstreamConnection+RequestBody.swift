import HTTP1
import UV

/// The request body: streamed to the server as it arrives, or buffered whole before a server is chosen.
extension DownstreamConnection {
    /// Decodes what the client sent. Buffered: into the spill, then dispatch when complete.
    /// Streamed: onto the upstream socket, once it is connected.
    func receiveRequestBody() {
        guard let exchange, !exchange.requestBodyReceived else { return }
        if let spill = exchange.requestSpill {
            let complete = decodeRequestBody(exchange) { data in
                do throws(SpillError) {
                    try spill.append(data)
                    return true
                } catch {
                    fail(.bufferFailed(error))
                    return false
                }
            }
            if complete, self.exchange === exchange {
                timer.stop()
                exchange.upstreamHead.removeLast(2)  // the blank line; the framing field goes before it
                exchange.upstreamHead.append(contentsOf: Array("Content-Length: \(spill.totalBytes)\r\n\r\n".utf8))
                dispatch()
            }
        } else if exchange.upstreamReady {
            streamRequestBody()
        }
    }

    /// Streams body bytes from the client's input buffer to the upstream socket, pausing the client
    /// while the upstream write queue is above the high-water mark.
    func streamRequestBody() {
        guard let exchange, let upstream = exchange.upstream, exchange.upstreamReady,
              var writer = exchange.requestWriter else { return }
        defer {
            writer.flush(to: upstream.socket)
            if self.exchange === exchange { exchange.requestWriter = writer }
        }
        if exchange.requestBodyReceived {
            exchange.requestSent = true
            return
        }
        let complete = decodeRequestBody(exchange) { data in
            writer.writeData(data, to: upstream.socket)
            if upstream.socket.writeQueueBytes > context.writeHighWaterBytes {
                socket.stopReading()
                exchange.pausedDownstreamReads = true
                return false
            }
            return true
        }
        if complete {
            writer.finish()
            exchange.requestSent = true
        }
    }

    /// Feeds decoded body data to `deliver` until the input runs out, the body ends, or `deliver`
    /// asks to stop. Returns true when the whole body has been received.
    private func decodeRequestBody(_ exchange: Exchange, deliver: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard var decoder = exchange.requestDecoder else { return exchange.requestBodyReceived }
        defer { exchange.requestDecoder = decoder }
        while true {
            let input = socket.readable
            let step: BodyDecodeStep
            do {
                step = try decoder.decode(input)
            } catch {
                fail(.badRequestBody(error))
                return false
            }
            var keepGoing = true
            if !step.data.isEmpty {
                exchange.requestBodyBytes += UInt64(step.data.count)
                if exchange.requestBodyBytes > context.config.proxy.maxBodyBytes {
                    fail(.bodyTooLarge)
                    return false
                }
                keepGoing = deliver(UnsafeRawBufferPointer(rebasing: input[step.data]))
                guard self.exchange === exchange else { return false }
            }
            socket.consume(step.consumed)
            if step.finished {
                exchange.requestBodyReceived = true
                timer.stop()
                return true
            }
            if !keepGoing || (step.consumed == 0 && step.data.isEmpty) { return false }
        }
    }

    /// Sends a buffered request (head, then the spilled body) with backpressure.
    func sendBufferedBody() {
        guard let exchange, let upstream = exchange.upstream, exchange.upstreamReady,
              let spill = exchange.requestSpill, !exchange.requestSent else { return }
        do throws(SpillError) {
            while upstream.socket.writeQueueBytes <= context.writeHighWaterBytes {
                let chunk = try spill.peek(maxBytes: 256 * 1024)
                if exchange.bufferedHeadPending {
                    exchange.bufferedHeadPending = false
                    exchange.upstreamHead.withUnsafeBytes { upstream.socket.write($0, chunk) }
                } else if !chunk.isEmpty {
                    upstream.socket.write(chunk)
                }
                spill.consume(chunk.count)
                if spill.isDrained {
                    exchange.requestSent = true
                    return
                }
            }
        } catch {
            fail(.bufferFailed(error))
        }
    }

    func upstreamDidDrain(_ connection: UpstreamConnection) {
        guard let exchange, exchange.upstream === connection else { return }
        if state == .tunnel {
            resumeClientRelay()
            return
        }
        guard !exchange.requestSent else { return }
        // An upload in progress is progress: restart the wait for the response head, unless the
        // head is already here (then response_timeout no longer applies).
        if !exchange.responseHeadReceived { armResponseDeadline() }
        if exchange.requestSpill != nil {
            sendBufferedBody()
        } else if exchange.pausedDownstreamReads {
            exchange.pausedDownstreamReads = false
            socket.startReading()
            streamRequestBody()
        }
    }
}
