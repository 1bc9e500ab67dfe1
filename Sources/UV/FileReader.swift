import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// Reads an open file through libuv's thread pool, one read at a time into a buffer of its own, so a
/// slow disk never blocks the loop. Owns the descriptor: `close()` closes it at once, or, if a read
/// is in flight (the thread pool may be using the descriptor), as soon as that read is done.
public final class FileReader {
    private let loop: EventLoop
    public let fd: Int32
    private let request: UnsafeMutablePointer<uv_fs_t>
    /// Where each read lands; valid from a read's completion until the next read starts.
    public let buffer: UnsafeMutableRawBufferPointer
    private var completion: ((Result<Int, UVError>) -> Void)?
    /// Set while a read is in flight: libuv holds an unretained pointer to us until it completes.
    private var keptAlive: FileReader?
    private var closeWanted = false
    public private(set) var isClosed = false

    public init(loop: EventLoop, fd: Int32, bufferSize: Int = 64 << 10) {
        self.loop = loop
        self.fd = fd
        request = .allocate(capacity: 1)
        request.initialize(to: uv_fs_t())
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        if !isClosed { Glibc.close(fd) }
        request.deinitialize(count: 1)
        request.deallocate()
        buffer.deallocate()
    }

    public var isReading: Bool { keptAlive != nil }

    /// Reads up to `count` bytes (at most the buffer's size) at `offset`; `completion` gets how many
    /// arrived (0 at the end of the file).
    public func read(at offset: UInt64, count: Int, _ completion: @escaping (Result<Int, UVError>) -> Void) {
        precondition(!isReading && !isClosed, "one read at a time, on an open file")
        self.completion = completion
        keptAlive = self
        request.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        var target = uv_buf_init(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(min(count, buffer.count)))
        let rc = uv_fs_read(loop.raw, request, fd, &target, 1, Int64(offset)) { request in
            let me = Unmanaged<FileReader>.fromOpaque(request!.pointee.data).takeUnretainedValue()
            me.finished(Int(request!.pointee.result))
        }
        if rc < 0 {
            // Reported on a later turn, like every other completion.
            loop.runSoon { self.finished(Int(rc)) }
        }
    }

    private func finished(_ result: Int) {
        uv_fs_req_cleanup(request)
        let completion = self.completion
        self.completion = nil
        let me = keptAlive
        keptAlive = nil
        if closeWanted { closeNow() }
        completion?(result < 0 ? .failure(UVError(Int32(result))) : .success(result))
        _ = me
    }

    public func close() {
        closeWanted = true
        if !isReading { closeNow() }
    }

    private func closeNow() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }
}
