import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// Appends bytes to a file (or standard error) through libuv's thread pool, so a slow disk or a
/// full pipe never blocks the loop. One write is in flight at a time; what is appended meanwhile
/// goes out in the next one. Past `maxPendingBytes` waiting, new bytes are dropped and counted:
/// a log must not eat the memory of the process it describes.
///
/// `reopen()` (for logrotate's SIGUSR1) opens the path again once the write in flight is done, so
/// lines go to the new file and none is split between the two.
public final class FileAppender {
    private let loop: EventLoop
    /// nil: standard error.
    public let path: String?
    private var fd: Int32
    private var pending: [UInt8] = []
    /// The bytes of the write in flight, in memory of our own: libuv reads them from the thread pool
    /// until the write completes. `writingCount` of `writing.count` are in use.
    private var writing = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var writingCount = 0
    private var written = 0
    /// On standard error each write(2) is cut at a line end within `PIPE_BUF`: writes that small
    /// to a pipe are atomic, so the logger's lines and ours never mix within a line.
    private static let atomicPipeWrite = 4096
    private let request: UnsafeMutablePointer<uv_fs_t>
    private var busy = false
    /// Set while a write is in flight: libuv holds an unretained pointer to us until it completes.
    private var keptAlive: FileAppender?
    private var reopenWanted = false
    public let maxPendingBytes: Int
    public private(set) var droppedBytes: UInt64 = 0
    /// The last error of a write or reopen, for the owner to log.
    public var onError: ((String) -> Void)?

    /// Opens `path` for appending (created 0644 if missing) now, so that a bad path fails at start
    /// with a clear error; nil appends to standard error.
    public init(loop: EventLoop, path: String?, maxPendingBytes: Int = 8 << 20) throws(UVError) {
        // Opened before anything is stored: a throwing init must leave nothing for deinit.
        fd = try path.map { path throws(UVError) in try Self.open(path) } ?? 2
        self.loop = loop
        self.path = path
        self.maxPendingBytes = maxPendingBytes
        request = .allocate(capacity: 1)
        request.initialize(to: uv_fs_t())
    }

    deinit {
        if path != nil { Glibc.close(fd) }
        writing.deallocate()
        request.deinitialize(count: 1)
        request.deallocate()
    }

    private static func open(_ path: String) throws(UVError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw UVError(-errno) }
        return fd
    }

    public func append(_ bytes: [UInt8]) {
        guard pending.count + bytes.count <= maxPendingBytes else {
            droppedBytes += UInt64(bytes.count)
            return
        }
        pending += bytes
        startNext()
    }

    /// Opens the path again after the write in flight (a no-op for standard error).
    public func reopen() {
        guard path != nil else { return }
        reopenWanted = true
        startNext()
    }

    private func startNext() {
        guard !busy else { return }
        if reopenWanted, let path {
            reopenWanted = false
            do {
                let fresh = try Self.open(path)
                Glibc.close(fd)
                fd = fresh
            } catch {
                onError?("cannot reopen \(path): \(error); still writing to the old file")
            }
        }
        guard !pending.isEmpty else { return }
        if writing.count < pending.count {
            writing.deallocate()
            writing = .allocate(byteCount: max(pending.count, 64 << 10), alignment: 1)
        }
        writing.copyBytes(from: pending)
        writingCount = pending.count
        pending.removeAll(keepingCapacity: true)
        written = 0
        submit()
    }

    private func submit() {
        busy = true
        keptAlive = self
        request.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        var length = writingCount - written
        if path == nil, length > Self.atomicPipeWrite {
            // The last line end within PIPE_BUF; a longer line goes whole.
            let window = UnsafeRawBufferPointer(rebasing: writing[written..<(written + Self.atomicPipeWrite)])
            if let newline = window.lastIndex(of: UInt8(ascii: "\n")) { length = newline + 1 }
        }
        var buffer = uv_buf_init(writing.baseAddress!.advanced(by: written).assumingMemoryBound(to: CChar.self), UInt32(length))
        let rc = uv_fs_write(loop.raw, request, fd, &buffer, 1, -1) { request in
            let me = Unmanaged<FileAppender>.fromOpaque(request!.pointee.data).takeUnretainedValue()
            me.wrote(Int(request!.pointee.result))
        }
        if rc < 0 { finishWrite(error: UVError(rc)) }
    }

    private func wrote(_ result: Int) {
        uv_fs_req_cleanup(request)
        if result < 0 { return finishWrite(error: UVError(Int32(result))) }
        written += result
        if written < writingCount { return submit() }
        finishWrite(error: nil)
    }

    private func finishWrite(error: UVError?) {
        busy = false
        keptAlive = nil
        if let error {
            droppedBytes += UInt64(writingCount - written)
            onError?("cannot write to \(path ?? "standard error"): \(error)")
        }
        writingCount = 0
        startNext()
    }
}
