import CLibUV

/// The read end of a pipe a child process writes to (its stdout or stderr), delivered as lines.
/// A line longer than `maxLineBytes` is delivered in pieces; the last line is delivered at EOF even
/// without its newline. Closes itself at EOF or on an error. It does not keep the loop running: a
/// process that escaped its group and still holds the write end must not keep Paddock from exiting.
public final class OutputPipe: HandleOwner {
    public static let maxLineBytes = 8 * 1024
    private static let readBytes = 16 * 1024
    private var onLine: ((String) -> Void)?
    private let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: OutputPipe.readBytes, alignment: 16)
    private var pending: [UInt8] = []

    public init(loop: EventLoop, onLine: @escaping (String) -> Void) {
        super.init(loop: loop, byteCount: uv_handle_size(UV_NAMED_PIPE))
        let rc = uv_pipe_init(loop.raw, handle.assumingMemoryBound(to: uv_pipe_t.self), 0)
        precondition(rc == 0, "uv_pipe_init cannot fail on a valid loop")
        adoptHandle()
        unref()
        self.onLine = onLine
    }

    deinit { readBuffer.deallocate() }

    var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }

    /// After the spawn connected the pipe.
    func startReading() {
        let rc = uv_read_start(stream, { h, _, buf in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(h), as: OutputPipe.self)
            buf!.pointee = uv_buf_init(me.readBuffer.assumingMemoryBound(to: CChar.self), UInt32(OutputPipe.readBytes))
        }, { s, count, _ in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(s), as: OutputPipe.self)
            if count < 0 {
                me.flush()
                me.close()
            } else if count > 0 {
                me.received(UnsafeRawBufferPointer(start: me.readBuffer, count: count))
            }
        })
        if rc < 0 { close() }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                flush()
            } else {
                pending.append(byte)
                if pending.count >= Self.maxLineBytes { flush() }
            }
        }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        onLine?(line)
    }

    override func willClose() { onLine = nil }
}
