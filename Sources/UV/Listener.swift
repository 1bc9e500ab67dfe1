import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket (TCP or unix-domain). Each accepted connection is handed over as a new `Socket`.
public final class Listener: HandleOwner {
    public let endpoint: Endpoint
    private var onAccept: ((Socket) -> Void)?
    private let maxInputBytes: Int
    /// Set once bound: only then is a unix socket file ours to remove on close.
    private var bound = false
    /// libuv handed us a connection that was left unaccepted because the listener is paused.
    private var hasPending = false

    /// While paused, a connection that arrives is not accepted: libuv stops polling the socket
    /// until it is, so new clients wait in the kernel's backlog instead of being refused.
    /// Unpausing accepts the one that waited first.
    public var isPaused = false {
        didSet {
            if !isPaused, hasPending { acceptOne(0) }
        }
    }

    /// - Parameter reusePort: for a TCP endpoint, set `SO_REUSEPORT` before binding, so that one
    ///   listener per loop may bind the same address and the kernel spreads new connections among
    ///   them (libuv 1.44 has no flag for it: the socket is made here and handed to `uv_tcp_open`).
    public init(loop: EventLoop, endpoint: Endpoint, backlog: Int32 = 511, maxInputBytes: Int = 128 * 1024,
                reusePort: Bool = false, onAccept: @escaping (Socket) -> Void) throws(UVError) {
        self.endpoint = endpoint
        self.maxInputBytes = maxInputBytes
        super.init(loop: loop, byteCount: Int(max(uv_handle_size(UV_TCP), uv_handle_size(UV_NAMED_PIPE))))
        switch endpoint {
        case .ip:
            let rc = uv_tcp_init(loop.raw, handle.assumingMemoryBound(to: uv_tcp_t.self))
            if rc < 0 { discardUninitialisedHandle(); throw UVError(rc) }
        case .unix:
            let rc = uv_pipe_init(loop.raw, handle.assumingMemoryBound(to: uv_pipe_t.self), 0)
            if rc < 0 { discardUninitialisedHandle(); throw UVError(rc) }
        }
        adoptHandle()
        do {
            if reusePort, case let .ip(host, _) = endpoint { try openReusingPort(ipv6: host.contains(":")) }
            try bind()
            try UVError.check(uv_listen(handle.assumingMemoryBound(to: uv_stream_t.self), backlog) { server, status in
                let me = HandleOwner.owner(UnsafeMutableRawPointer(server), as: Listener.self)
                me.acceptOne(status)
            })
        } catch {
            close()
            throw error
        }
        self.onAccept = onAccept
    }

    private func openReusingPort(ipv6: Bool) throws(UVError) {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UVError(-errno) }
        var one: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let error = UVError(-errno)
            Glibc.close(fd)
            throw error
        }
        let rc = uv_tcp_open(handle.assumingMemoryBound(to: uv_tcp_t.self), fd)
        if rc < 0 {
            Glibc.close(fd)
            throw UVError(rc)
        }
    }

    private func bind() throws(UVError) {
        switch endpoint {
        case .ip:
            let tcp = handle.assumingMemoryBound(to: uv_tcp_t.self)
            try endpoint.withSockAddr { address throws(UVError) in try UVError.check(uv_tcp_bind(tcp, address, 0)) }
        case let .unix(path):
            Self.removeStaleSocket(at: path)
            try UVError.check(uv_pipe_bind(handle.assumingMemoryBound(to: uv_pipe_t.self), path))
        }
        bound = true
    }

    /// A unix socket file left by a process that died blocks `bind`; remove it, but only if it is a socket.
    private static func removeStaleSocket(at path: String) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK {
            unlink(path)
        }
    }

    /// The port actually bound (useful with port 0), or nil for unix sockets.
    public var boundPort: UInt16? {
        guard case .ip = endpoint else { return nil }
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                uv_tcp_getsockname(handle.assumingMemoryBound(to: uv_tcp_t.self), $0, &length)
            }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { Endpoint.port($0) }
    }

    private func acceptOne(_ status: Int32) {
        guard status == 0, let onAccept, !isClosing else { return }
        if isPaused {
            hasPending = true
            return
        }
        hasPending = false
        let kind: Socket.Kind = if case .unix = endpoint { .pipe } else { .tcp }
        let socket = Socket(loop: loop, kind: kind, maxInputBytes: maxInputBytes)
        guard uv_accept(handle.assumingMemoryBound(to: uv_stream_t.self), socket.stream) == 0 else {
            socket.close()
            return
        }
        socket.acceptedTCP()
        onAccept(socket)
    }

    override func willClose() { onAccept = nil }

    override func didClose() {
        if bound, case let .unix(path) = endpoint { unlink(path) }
    }
}
