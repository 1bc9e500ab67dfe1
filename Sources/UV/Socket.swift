import CLibUV

/// A connected stream socket, TCP or unix-domain, owned by exactly one connection object.
///
/// Reads land directly in the socket's `InputBuffer` (no copy); the delegate parses `readable` in place.
/// Writes go out with `uv_try_write` straight from the caller's memory; only what the kernel did not take
/// is copied into one allocation holding the `uv_write_t` and the bytes, freed in the write callback.
public final class Socket: HandleOwner, Transport {
    public enum Kind: Sendable { case tcp, pipe }

    public let kind: Kind
    public weak var delegate: TransportDelegate?
    private var input: InputBuffer
    public private(set) var isReading = false
    /// The input buffer filled up and reading paused itself; it resumes once the consumer makes room.
    private var pausedForSpace = false
    private var connectCompletion: ((UVError?) -> Void)?
    private var shutdownCompletion: ((UVError?) -> Void)?

    /// - Parameter maxInputBytes: the most unconsumed input held; reading pauses when it is reached.
    public init(loop: EventLoop, kind: Kind, maxInputBytes: Int = 128 * 1024) {
        self.kind = kind
        input = InputBuffer(initialCapacity: min(16 * 1024, maxInputBytes), maxCapacity: maxInputBytes)
        super.init(loop: loop, byteCount: Int(max(uv_handle_size(UV_TCP), uv_handle_size(UV_NAMED_PIPE))))
        let rc: Int32 = switch kind {
        case .tcp: uv_tcp_init(loop.raw, handle.assumingMemoryBound(to: uv_tcp_t.self))
        case .pipe: uv_pipe_init(loop.raw, handle.assumingMemoryBound(to: uv_pipe_t.self), 0)
        }
        precondition(rc == 0, "stream init cannot fail on a valid loop")
        adoptHandle()
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }
    private var tcp: UnsafeMutablePointer<uv_tcp_t> { handle.assumingMemoryBound(to: uv_tcp_t.self) }

    // MARK: Connecting

    /// Connects to `endpoint`; the socket's kind must match (`.ip` → tcp, `.unix` → pipe).
    /// The completion runs once, on the loop, unless the socket is closed first.
    public func connect(to endpoint: Endpoint, _ completion: @escaping (UVError?) -> Void) {
        precondition(connectCompletion == nil, "connect already in progress")
        connectCompletion = completion
        let request = UnsafeMutableRawPointer.allocate(byteCount: uv_req_size(UV_CONNECT), alignment: 16)
            .assumingMemoryBound(to: uv_connect_t.self)
        let callback: uv_connect_cb = { request, status in
            let stream = request!.pointee.handle
            request!.deallocate()
            let me = HandleOwner.owner(UnsafeMutableRawPointer(stream), as: Socket.self)
            me.connectFinished(status)
        }
        switch endpoint {
        case .ip:
            precondition(kind == .tcp)
            let rc: Int32
            do {
                rc = try endpoint.withSockAddr { address in uv_tcp_connect(request, tcp, address, callback) }
            } catch {
                rc = error.code
            }
            if rc < 0 {
                request.deallocate()
                failConnectLater(rc)
            }
        case let .unix(path):
            precondition(kind == .pipe)
            // uv_pipe_connect reports every failure through the callback.
            uv_pipe_connect(request, handle.assumingMemoryBound(to: uv_pipe_t.self), path, callback)
        }
    }

    private func connectFinished(_ status: Int32) {
        guard let completion = connectCompletion, !isClosing else { return }
        connectCompletion = nil
        if status == 0, kind == .tcp { uv_tcp_nodelay(tcp, 1) }
        completion(status < 0 ? UVError(status) : nil)
    }

    /// A synchronous connect failure (bad address) is still reported asynchronously, keeping callers simple.
    private func failConnectLater(_ code: Int32) {
        let timer = LoopTimer(loop: loop)
        timer.start(milliseconds: 0) { [weak self, timer] in
            timer.close()
            self?.connectFinished(code)
        }
    }

    /// Called by `Listener` for accepted TCP connections.
    func acceptedTCP() {
        if kind == .tcp { uv_tcp_nodelay(tcp, 1) }
    }

    // MARK: Reading

    /// The bytes received and not yet consumed.
    public var readable: UnsafeRawBufferPointer { input.readable }

    /// True when the input buffer holds its maximum and reading is paused for lack of space.
    public var isInputFull: Bool { input.isFull }

    public func consume(_ count: Int) {
        input.consume(count)
        if pausedForSpace && !input.isFull {
            pausedForSpace = false
            startReadingNow()
        }
    }

    /// Frees the input buffer's memory if it holds nothing (for idle connections).
    public func releaseInputMemory() { input.releaseIfEmpty() }

    public func startReading() {
        guard !isClosing, !isReading else { return }
        isReading = true
        if input.isFull {
            pausedForSpace = true
            return
        }
        startReadingNow()
    }

    public func stopReading() {
        guard isReading else { return }
        isReading = false
        pausedForSpace = false
        if !isClosing { uv_read_stop(stream) }
    }

    private func startReadingNow() {
        let rc = uv_read_start(stream, { h, _, buf in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(h), as: Socket.self)
            let space = me.input.reserveForRead()
            buf!.pointee = uv_buf_init(space.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(space.count))
        }, { s, nread, _ in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(s), as: Socket.self)
            me.readFinished(nread)
        })
        if rc < 0 { failLater(UVError(rc)) }
    }

    private func readFinished(_ nread: Int) {
        if nread > 0 {
            input.commit(nread)
            if input.isFull {
                // Stop the kernel reads until the consumer makes room; `consume` restarts them.
                uv_read_stop(stream)
                pausedForSpace = true
            }
            delegate?.transportDidRead()
        } else if nread == Int(UV_EOF.rawValue) {
            stopReading()
            delegate?.transportDidReachEOF()
        } else if nread == Int(UV_ENOBUFS.rawValue) {
            uv_read_stop(stream)
            pausedForSpace = true
        } else if nread < 0 {
            stopReading()
            delegate?.transportDidFail(UVError(Int32(nread)))
        }
    }

    // MARK: Writing

    /// Bytes queued in libuv and not yet accepted by the kernel. Above a high-water mark, stop reading the peer.
    public var writeQueueBytes: Int { isClosing ? 0 : uv_stream_get_write_queue_size(stream) }

    /// Sends `first` then `second` (one writev). The bytes are copied only if the kernel does not take them now.
    public func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        guard !isClosing else { return }
        let total = first.count + second.count
        guard total > 0 else { return }
        var written = 0
        if uv_stream_get_write_queue_size(stream) == 0 {
            var buffers = (uv_buf_init(UnsafeMutableRawPointer(mutating: first.baseAddress)?.assumingMemoryBound(to: CChar.self), UInt32(first.count)),
                           uv_buf_init(UnsafeMutableRawPointer(mutating: second.baseAddress)?.assumingMemoryBound(to: CChar.self), UInt32(second.count)))
            let rc = withUnsafeMutableBytes(of: &buffers) { raw in
                uv_try_write(stream, raw.baseAddress!.assumingMemoryBound(to: uv_buf_t.self), second.isEmpty ? 1 : 2)
            }
            // On EAGAIN or any error, fall through to uv_write: it reports errors from its callback.
            if rc > 0 { written = Int(rc) }
        }
        if written == total { return }
        queueWrite(first, second, skipping: written)
    }

    @inline(never)
    private func queueWrite(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, skipping written: Int) {
        let remaining = first.count + second.count - written
        let headerSize = (uv_req_size(UV_WRITE) + 15) & ~15
        let block = UnsafeMutableRawPointer.allocate(byteCount: headerSize + remaining, alignment: 16)
        let payload = block + headerSize
        var offset = 0
        if written < first.count {
            let part = first.count - written
            payload.copyMemory(from: first.baseAddress! + written, byteCount: part)
            offset = part
            if !second.isEmpty { (payload + offset).copyMemory(from: second.baseAddress!, byteCount: second.count) }
        } else {
            let skip = written - first.count
            (payload).copyMemory(from: second.baseAddress! + skip, byteCount: second.count - skip)
        }
        var buffer = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(remaining))
        let request = block.assumingMemoryBound(to: uv_write_t.self)
        let rc = uv_write(request, stream, &buffer, 1) { request, status in
            let stream = request!.pointee.handle
            UnsafeMutableRawPointer(request!).deallocate()
            let me = HandleOwner.owner(UnsafeMutableRawPointer(stream), as: Socket.self)
            me.writeFinished(status)
        }
        if rc < 0 {
            block.deallocate()
            failLater(UVError(rc))
        }
    }

    private func writeFinished(_ status: Int32) {
        guard !isClosing else { return }
        if status < 0 {
            delegate?.transportDidFail(UVError(status))
        } else if uv_stream_get_write_queue_size(stream) == 0 {
            delegate?.transportDidDrain()
        }
    }

    /// Half-closes the write side once queued writes are flushed.
    public func shutdown(_ completion: @escaping (UVError?) -> Void) {
        guard !isClosing else { return }
        shutdownCompletion = completion
        let request = UnsafeMutableRawPointer.allocate(byteCount: uv_req_size(UV_SHUTDOWN), alignment: 16)
            .assumingMemoryBound(to: uv_shutdown_t.self)
        let rc = uv_shutdown(request, stream) { request, status in
            let stream = request!.pointee.handle
            request!.deallocate()
            let me = HandleOwner.owner(UnsafeMutableRawPointer(stream), as: Socket.self)
            guard !me.isClosing, let completion = me.shutdownCompletion else { return }
            me.shutdownCompletion = nil
            completion(status < 0 ? UVError(status) : nil)
        }
        if rc < 0 {
            request.deallocate()
            shutdownCompletion = nil
            failLater(UVError(rc))
        }
    }

    private func failLater(_ error: UVError) {
        let timer = LoopTimer(loop: loop)
        timer.start(milliseconds: 0) { [weak self, timer] in
            timer.close()
            guard let self, !self.isClosing else { return }
            self.delegate?.transportDidFail(error)
        }
    }

    // MARK: Addresses

    /// The peer's IP ("127.0.0.1", "::1"), or nil for unix sockets.
    public var peerIP: String? {
        guard kind == .tcp, !isClosing else { return nil }
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_getpeername(tcp, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { Endpoint.ipString($0) }
    }

    /// Closes at once with a TCP reset (RST) instead of a FIN, discarding queued writes: the peer
    /// sees an error, never a clean end. Used when a response cannot be completed, where a FIN
    /// would make a close-delimited body look whole. Unix sockets simply close.
    public func abort() {
        guard kind == .tcp, !isClosing else {
            close()
            return
        }
        guard beginClose() else { return }
        if uv_tcp_close_reset(tcp, Self.closeCallback) != 0 {
            uv_close(rawHandle, Self.closeCallback)
        }
    }

    override func willClose() {
        delegate = nil
        connectCompletion = nil
        shutdownCompletion = nil
        isReading = false
    }
}
