import Logging
import UV

/// Receives the events of an upstream connection while it carries a request.
protocol UpstreamConnectionOwner: AnyObject {
    func upstreamDidConnect(_ error: UVError?)
    func upstreamDidRead()
    /// EOF (`error == nil`) or failure. The connection is no longer usable.
    func upstreamDidEnd(_ error: UVError?)
    func upstreamDidDrain()
}

/// Opens byte streams to servers. `SocketDialer` makes TCP and unix sockets; tests dial fakes.
protocol UpstreamDialer {
    /// Starts connecting; `completion` runs once, later, on the loop.
    func dial(_ endpoint: Endpoint, _ completion: @escaping (UVError?) -> Void) -> any Transport
}

struct SocketDialer: UpstreamDialer {
    let loop: EventLoop

    func dial(_ endpoint: Endpoint, _ completion: @escaping (UVError?) -> Void) -> any Transport {
        let kind: Socket.Kind = if case .unix = endpoint { .pipe } else { .tcp }
        let socket = Socket(loop: loop, kind: kind)
        socket.connect(to: endpoint, completion)
        return socket
    }
}

/// A connection to one backend server: carries out `UpstreamMachine`'s actions. While it carries a
/// request its events go to `owner`; parked in the loop's cache it watches for the server closing it.
final class UpstreamConnection: TransportDelegate {
    let server: ServerRef
    private(set) var transport: (any Transport)!
    weak var owner: UpstreamConnectionOwner?
    private var machine = UpstreamMachine()
    private let timer: LoopTimer
    /// While parked: the cache to tell when the connection leaves it on its own (closed by the
    /// server, expired).
    private weak var cache: ConnectionCache?
    /// The idle deadline's callback, made once (parking happens after every response).
    private lazy var idleExpired: () -> Void = { [unowned self] in self.perform(self.machine.handle(.deadlineExpired)) }
    /// For an abandoned request: gives the worker's slot back.
    private var onDrained: (() -> Void)?
    /// Counts this connection while it is open (for `/metrics`); nil once closed.
    private var openCount: OpenConnectionCount?

    init(loop: EventLoop, server: ServerRef, dialer: UpstreamDialer, owner: UpstreamConnectionOwner,
         openCount: OpenConnectionCount? = nil) {
        self.server = server
        self.owner = owner
        self.openCount = openCount
        openCount?.value += 1
        timer = LoopTimer(loop: loop)
        transport = dialer.dial(server.endpoint) { [weak self] error in self?.connected(error) }
        transport.delegate = self
    }

    var isReused: Bool { machine.isReused }
    var isUsable: Bool { machine.state == .idle && transport.readable.isEmpty }
    var isClosed: Bool { machine.state == .closed }
    /// Carrying a request whose response ended cleanly, with nothing unread: may go back to the cache.
    var canPark: Bool { machine.state == .active && transport.readable.isEmpty }

    private func connected(_ error: UVError?) {
        if error == nil { perform(machine.handle(.connected)) }
        owner?.upstreamDidConnect(error)
    }

    /// Hands the connection to a request (a new one, or one taken from the cache).
    func attach(to owner: UpstreamConnectionOwner) {
        perform(machine.handle(.attached))
        timer.stop()
        cache = nil
        self.owner = owner
        transport.startReading()
    }

    /// Parks the connection in `cache`: reading stays on so a close by the server is noticed at once.
    func park(in cache: ConnectionCache, idleTimeoutMilliseconds: UInt64) {
        perform(machine.handle(.parked))
        owner = nil
        self.cache = cache
        transport.releaseInputMemory()
        transport.startReading()
        timer.start(milliseconds: idleTimeoutMilliseconds, idleExpired)
    }

    /// Lets a request the client abandoned run to its end on the server: reads and discards until
    /// the server closes (a sync worker closes after its response) or `timeoutMilliseconds`, then
    /// calls `finished`. Until then the worker is busy, so its slot stays taken.
    func drainUntilClosed(timeoutMilliseconds: UInt64, finished: @escaping () -> Void) {
        owner = nil
        perform(machine.handle(.abandoned))
        guard machine.state == .draining else {
            // Not carrying a request (cannot happen today): nothing to wait for.
            close()
            return finished()
        }
        onDrained = finished
        transport.startReading()
        // Strong capture: nothing else holds this connection now; the drain's end breaks the cycle.
        timer.start(milliseconds: timeoutMilliseconds) { self.perform(self.machine.handle(.deadlineExpired)) }
    }

    /// Flushes queued writes, half-closes, then closes (at the latest after `lingerMilliseconds`).
    func closeAfterFlush(lingerMilliseconds: UInt64) {
        owner = nil
        perform(machine.handle(.endGracefully))
        guard machine.state == .lingering else { return close() }
        transport.startReading()
        transport.shutdown { _ in self.perform(self.machine.handle(.ended)) }
        timer.start(milliseconds: lingerMilliseconds) { self.perform(self.machine.handle(.deadlineExpired)) }
    }

    func close() { perform(machine.handle(.close)) }

    private func perform(_ action: UpstreamMachine.Action) {
        switch action {
        case .none:
            break
        case .toOwner:
            break  // the caller forwards
        case .discardInput:
            transport.consume(transport.readable.count)
        case .forgetAndClose:
            let cache = self.cache
            finalClose()
            cache?.forget(self)
        case .finishDrain:
            let finished = onDrained
            finalClose()
            finished?()
        case .close:
            finalClose()
        }
    }

    private func finalClose() {
        owner = nil
        cache = nil
        onDrained = nil
        openCount?.value -= 1
        openCount = nil
        timer.close()
        transport.close()
    }

    // MARK: TransportDelegate

    func transportDidRead() {
        let action = machine.handle(.readable)
        if action == .toOwner {
            owner?.upstreamDidRead()
        } else {
            perform(action)
        }
    }

    func transportDidReachEOF() { ended(nil) }

    func transportDidFail(_ error: UVError) { ended(error) }

    private func ended(_ error: UVError?) {
        let action = machine.handle(.ended)
        if action == .toOwner {
            owner?.upstreamDidEnd(error)
        } else {
            perform(action)
        }
    }

    func transportDidDrain() {
        if machine.state == .active { owner?.upstreamDidDrain() }
    }
}
