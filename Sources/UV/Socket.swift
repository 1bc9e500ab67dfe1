import CLibUV

/// A connected stream socket, TCP or unix-domain, owned by exactly one connection object.
///
/// Reads land directly in the socket's `InputBuffer` (no copy); the delegate parses `readable` in place.
/// Writes go out with `uv_try_write` straight from the caller's memory; only what the kernel did not take
/// is copied into write blocks from the loop's `WriteBlockPool` (Socket+Writing.swift).
///
/// Memory: one allocation holds the stream handle and the socket's one connect and one shutdown request
/// (at most one of each is in flight). libuv runs every pending request callback (with `UV_ECANCELED`)
/// before the handle's close callback, and `HandleOwner` frees the allocation only in that close callback;
/// `didClose` checks that no request is still in flight.
public final class Socket: HandleOwner, Transport {
    public enum Kind: Sendable { case tcp, pipe }

    /// Offsets inside the socket's single allocation; every piece is 16-byte aligned.
    enum Layout {
        private static func aligned(_ bytes: Int) -> Int { (bytes + 15) & ~15 }
        static let connectOffset = aligned(max(uv_handle_size(UV_TCP), uv_handle_size(UV_NAMED_PIPE)))
        static let shutdownOffset = connectOffset + aligned(uv_req_size(UV_CONNECT))
        static let totalBytes = shutdownOffset + aligned(uv_req_size(UV_SHUTDOWN))
    }

    public let kind: Kind
    public weak var delegate: TransportDelegate?
    private var input: InputBuffer
    public private(set) var isReading = false
    /// The input buffer filled up and reading paused itself; it resumes once the consumer makes room.
    private var pausedForSpace = false
    /// Inside the read callback (the delegate is parsing the input in place).
    private var delivering = false

    // Request state, used by Socket+Connecting.swift and Socket+Writing.swift. A request is "in flight"
    // from the libuv call that accepted it until its callback; the completions are dropped on close,
    // the in-flight flags are not (the callbacks still come, with UV_ECANCELED).
    var connectCompletion: ((UVError?) -> Void)?
    var connectInFlight = false
    var shutdownCompletion: ((UVError?) -> Void)?
    var shutdownInFlight = false
    /// `uv_write` requests whose callback has not run yet.
    var writesInFlight = 0

    /// - Parameter maxInputBytes: the most unconsumed input held; reading pauses when it is reached.
    public init(loop: EventLoop, kind: Kind, maxInputBytes: Int = 128 * 1024) {
        self.kind = kind
        input = InputBuffer(initialCapacity: min(16 * 1024, maxInputBytes), maxCapacity: maxInputBytes)
        super.init(loop: loop, byteCount: Layout.totalBytes)
        let rc: Int32 = switch kind {
        case .tcp: uv_tcp_init(loop.raw, handle.assumingMemoryBound(to: uv_tcp_t.self))
        case .pipe: uv_pipe_init(loop.raw, handle.assumingMemoryBound(to: uv_pipe_t.self), 0)
        }
        precondition(rc == 0, "stream init cannot fail on a valid loop")
        adoptHandle()
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }
    var tcp: UnsafeMutablePointer<uv_tcp_t> { handle.assumingMemoryBound(to: uv_tcp_t.self) }
    var connectRequest: UnsafeMutablePointer<uv_connect_t> {
        (handle + Layout.connectOffset).assumingMemoryBound(to: uv_connect_t.self)
    }
    var shutdownRequest: UnsafeMutablePointer<uv_shutdown_t> {
        (handle + Layout.shutdownOffset).assumingMemoryBound(to: uv_shutdown_t.self)
    }

    /// The socket a request was issued on (its handle's `data` is still retained while requests are pending).
    static func owner(ofRequestOn stream: UnsafeMutablePointer<uv_stream_t>?) -> Socket {
        HandleOwner.owner(UnsafeMutableRawPointer(stream), as: Socket.self)
    }

    /// Reports `error` to the delegate on a later loop iteration, so no delegate is re-entered.
    func failLater(_ error: UVError) {
        loop.runSoon { [weak self] in
            guard let self, !self.isClosing else { return }
            self.delegate?.transportDidFail(error)
        }
    }

    // MARK: Reading

    /// The bytes received and not yet consumed.
    public var readable: UnsafeRawBufferPointer { input.readable }

    /// True when the input buffer holds its maximum and reading is paused for lack of space.
    public var isInputFull: Bool { input.isFull }

    public func consume(_ count: Int) {
        input.consume(count)
        // Everything taken: the buffer goes back to the loop's pool until more bytes arrive (after
        // the read callback, when it is the one consuming). A grown buffer, which the pool would
        // free at once, waits for the end of the next read callback: a caller may still be
        // looking at the bytes it just consumed.
        if !delivering && input.capacity == ReadBufferPool.bufferBytes { input.releaseIfEmpty(to: loop.readBuffers) }
        if pausedForSpace && !input.isFull {
            pausedForSpace = false
            startReadingNow()
        }
    }

    /// Holds a read buffer now (only while some input is unconsumed, or during a read).
    var holdsInputMemory: Bool { input.capacity > 0 }

    /// Frees the input buffer's memory if it holds nothing (for idle connections).
    public func releaseInputMemory() { input.releaseIfEmpty(to: loop.readBuffers) }

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
            let space = me.input.reserveForRead(from: me.loop.readBuffers)
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
            delivering = true
            delegate?.transportDidRead()
            delivering = false
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
        // Nothing left unconsumed (or nothing read: EAGAIN): the buffer waits in the pool.
        if !isClosing { input.releaseIfEmpty(to: loop.readBuffers) }
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

    // MARK: Closing

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

    override func didClose() {
        input.release(to: loop.readBuffers)
        // The requests live in the handle's allocation, which is freed right after this returns.
        precondition(!connectInFlight && !shutdownInFlight && writesInFlight == 0,
                     "libuv closed a stream before its requests' callbacks ran")
    }
}
