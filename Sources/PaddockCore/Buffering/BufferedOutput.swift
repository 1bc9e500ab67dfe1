import UV

/// Response bytes on their way to a client that may read slower than the backend writes.
///
/// While the socket's write queue is below the high-water mark and nothing is spilled, bytes go
/// straight to the socket. Otherwise they are appended to the spill buffer (memory, then a temp file)
/// and `drain()` moves them on as the client catches up. The backend is never paused, which is the
/// point: a sync worker is free as soon as it has written its response.
///
/// Invariant: once anything is spilled, every later byte is spilled too, so order is kept.
final class BufferedOutput: ByteSink {
    private let socket: any Transport
    private let spill: SpillBuffer
    private let highWaterBytes: Int
    private let maxBacklogBytes: UInt64
    private(set) var failure: SpillError?

    /// - Parameter maxBacklogBytes: above this much unsent backlog the output reports `isOverLimit`,
    ///   and the caller paces the server to the client (like nginx's `proxy_max_temp_file_size`).
    init(socket: any Transport, spill: SpillBuffer, highWaterBytes: Int, maxBacklogBytes: UInt64) {
        self.socket = socket
        self.spill = spill
        self.highWaterBytes = highWaterBytes
        self.maxBacklogBytes = maxBacklogBytes
    }

    var isOverLimit: Bool { spill.unreadBytes > maxBacklogBytes }

    var isDrained: Bool { spill.isDrained }

    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        if spill.isDrained && socket.writeQueueBytes < highWaterBytes {
            socket.write(first, second)
            return
        }
        do throws(SpillError) {
            try spill.append(first)
            try spill.append(second)
        } catch {
            failure = error
        }
    }

    /// Moves spilled bytes to the socket until its queue reaches the high-water mark.
    /// Returns true when nothing is left to send.
    @discardableResult
    func drain() -> Bool {
        while !spill.isDrained && socket.writeQueueBytes < highWaterBytes && failure == nil {
            do throws(SpillError) {
                let chunk = try spill.peek(maxBytes: 64 * 1024)
                socket.write(chunk)
                spill.consume(chunk.count)
            } catch {
                failure = error
            }
        }
        spill.resetIfDrained()
        return spill.isDrained
    }

    func close() { spill.close() }
}
