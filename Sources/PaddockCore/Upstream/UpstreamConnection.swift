import UV

/// Receives the events of an upstream connection while it carries a request.
protocol UpstreamConnectionOwner: AnyObject {
    func upstreamDidRead(_ connection: UpstreamConnection)
    /// EOF (`error == nil`) or failure. The connection is no longer usable.
    func upstreamDidEnd(_ connection: UpstreamConnection, error: UVError?)
    func upstreamDidDrain(_ connection: UpstreamConnection)
}

/// A connection to one backend server. While it carries a request its events go to `owner`; while it is
/// parked idle in its server's keep-alive list it watches for the server closing it, and for its own
/// idle timeout, and then leaves the list.
final class UpstreamConnection: SocketDelegate {
    let socket: Socket
    unowned let server: UpstreamServer
    weak var owner: UpstreamConnectionOwner?
    /// How many requests this connection has carried; a reused one may have been closed by the server
    /// while idle, which is what makes a retry safe.
    private(set) var requestCount = 0
    private let timer: LoopTimer
    private var onIdleEnd: (() -> Void)?
    private(set) var isClosed = false
    /// Closing after a flush: whatever the server still sends is discarded.
    private var isDraining = false

    init(loop: EventLoop, server: UpstreamServer) {
        let kind: Socket.Kind = if case .unix = server.endpoint { .pipe } else { .tcp }
        socket = Socket(loop: loop, kind: kind)
        timer = LoopTimer(loop: loop)
        self.server = server
        socket.delegate = self
    }

    var isReused: Bool { requestCount > 1 }
    var isUsable: Bool { !isClosed && socket.readable.isEmpty }

    /// Connects, failing with `UVError.timedOut` after `timeoutMilliseconds`.
    func connect(timeoutMilliseconds: UInt64, _ completion: @escaping (UVError?) -> Void) {
        var finished = false
        timer.start(milliseconds: timeoutMilliseconds) { [weak self] in
            guard !finished else { return }
            finished = true
            self?.close()
            completion(.timedOut)
        }
        socket.connect(to: server.endpoint) { [weak self] error in
            guard !finished else { return }
            finished = true
            self?.timer.stop()
            completion(error)
        }
    }

    /// Hands the connection to a new request.
    func attach(to owner: UpstreamConnectionOwner) {
        precondition(!isClosed)
        timer.stop()
        onIdleEnd = nil
        self.owner = owner
        requestCount += 1
        socket.startReading()
    }

    /// Arms (or re-arms) a deadline for the current request, e.g. the response timeout.
    func startDeadline(milliseconds: UInt64, _ expired: @escaping () -> Void) {
        timer.start(milliseconds: milliseconds, expired)
    }

    func stopDeadline() { timer.stop() }

    /// Parks the connection: reading stays on so a close by the server is noticed at once.
    func becomeIdle(timeoutMilliseconds: UInt64, onEnd: @escaping () -> Void) {
        owner = nil
        onIdleEnd = onEnd
        socket.releaseInputMemory()
        socket.startReading()
        timer.start(milliseconds: timeoutMilliseconds) { [weak self] in self?.endIdle() }
    }

    private func endIdle() {
        let callback = onIdleEnd
        onIdleEnd = nil
        close()
        callback?()
    }

    /// Flushes queued writes, half-closes, then closes (at the latest after `lingerMilliseconds`).
    func closeAfterFlush(lingerMilliseconds: UInt64) {
        guard !isClosed else { return }
        owner = nil
        onIdleEnd = nil
        isDraining = true
        socket.startReading()
        // Strong captures: nothing else holds this connection now; `close()` breaks the cycle.
        socket.shutdown { _ in self.close() }
        timer.start(milliseconds: lingerMilliseconds) { self.close() }
    }

    /// Lets a request the client abandoned run to its end on the server: reads and discards until the
    /// server closes (a sync worker closes after its response) or `timeoutMilliseconds`, then closes
    /// and calls `finished`. Until then the worker is busy, so its slot must stay taken.
    func drainUntilClosed(timeoutMilliseconds: UInt64, finished: @escaping () -> Void) {
        guard !isClosed else {
            finished()
            return
        }
        owner = nil
        isDraining = true
        onIdleEnd = {
            finished()
        }
        socket.consume(socket.readable.count)
        socket.startReading()
        timer.start(milliseconds: timeoutMilliseconds) { self.endIdle() }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        owner = nil
        timer.close()
        socket.close()
    }

    // MARK: SocketDelegate

    func socketDidRead(_ socket: Socket) {
        if isDraining {
            socket.consume(socket.readable.count)
        } else if let owner {
            owner.upstreamDidRead(self)
        } else {
            // Bytes from an idle connection: the server broke the protocol; drop it.
            endIdle()
        }
    }

    func socketDidReachEOF(_ socket: Socket) {
        if let owner {
            owner.upstreamDidEnd(self, error: nil)
        } else {
            endIdle()
        }
    }

    func socketDidFail(_ socket: Socket, error: UVError) {
        if let owner {
            owner.upstreamDidEnd(self, error: error)
        } else {
            endIdle()
        }
    }

    func socketDidDrain(_ socket: Socket) {
        owner?.upstreamDidDrain(self)
    }
}
