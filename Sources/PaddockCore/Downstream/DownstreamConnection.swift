import HTTP1
import Logging
import UV

/// One client connection: carries out what its `DownstreamMachine` decides.
///
/// Every callback (the client transport, the upstream connection, a pool grant, the timer) becomes
/// one `DownstreamEvent` and goes through `send`, which runs events to completion one at a time:
/// an event raised while another is being handled waits its turn, so no callback can tear the
/// exchange down under the code that is using it. Steps whose outcome is known at once report it
/// as the next event. The data plane (parsing, decoding, framing, spilling) lives in extensions:
/// the request head and body, the response, and tunnels.
final class DownstreamConnection {
    let transport: any Transport
    let context: ProxyContext
    let clientAddress: String
    var machine: DownstreamMachine
    var parser: RequestHeadParser
    /// The snapshot of the current (or last) request.
    var snapshot: ProxySnapshot
    /// The current exchange's resources; nil between requests.
    var io: ExchangeIO?
    /// What the current request did so far, for the access log and the metrics.
    var record: RequestRecord?
    /// A static route's answer being sent; nil otherwise.
    var staticOutput: StaticOutput?
    var scratch: [UInt8] = []
    /// One libuv timer for all deadlines, armed at or before the earliest (see `Deadlines`).
    private let timer: LoopTimer
    private var timerArmedAt: UInt64?
    private var pending: [DownstreamEvent] = []
    private var running = false
    /// Called once when the connection is fully closed, so the proxy can forget it.
    var onClose: ((DownstreamConnection) -> Void)?

    /// The client came in on a `[tls]` listener (sent upstream as `X-Forwarded-Proto: https`).
    let isTLS: Bool

    /// `[tls] hsts`, on a TLS connection, when set.
    var strictTransportSecurity: String? {
        guard isTLS, let hsts = snapshot.config.tls?.hsts, !hsts.isEmpty else { return nil }
        return hsts
    }

    init(transport: any Transport, context: ProxyContext, isTLS: Bool = false) {
        self.transport = transport
        self.context = context
        self.isTLS = isTLS
        snapshot = context.snapshot
        timer = LoopTimer(loop: context.loop)
        parser = RequestHeadParser(limits: snapshot.limits)
        clientAddress = transport.peerIP ?? "unix"
        machine = DownstreamMachine(settings: Self.settings(snapshot, context), now: context.loop.now, handshake: isTLS)
        pending.reserveCapacity(4)
        transport.delegate = self
    }

    static func settings(_ snapshot: ProxySnapshot, _ context: ProxyContext) -> DownstreamMachine.Settings {
        var settings = snapshot.clientTimeouts
        settings.linger = context.lingerMilliseconds
        return settings
    }

    func start() {
        transport.startReading()
        syncTimer()
    }

    /// Graceful stop: finish the current exchange, then close; close at once if idle.
    func shutdownGracefully() { send(.shutdown) }

    /// Closes at once, whatever is in progress.
    func close() { send(.forceClose) }

    // MARK: Running the machine

    func send(_ event: DownstreamEvent) {
        pending.append(event)
        guard !running else { return }
        running = true
        var next = 0
        while next < pending.count {
            noteForRecord(pending[next])
            let action = machine.handle(pending[next], now: context.loop.now)
            next += 1
            perform(action)
        }
        pending.removeAll(keepingCapacity: true)
        running = false
        if machine.isClosed {
            finishClosing()
        } else {
            // Waiting for the next request: no read buffer is held (a grown one included). Not for
            // TLS yet: its 128 KiB plaintext buffer would be freed and made again per request.
            if machine.isIdle && !isTLS { transport.releaseInputMemory() }
            syncTimer()
        }
    }

    private func perform(_ action: DownstreamAction) {
        if let failure = action.failure {
            log(failure)
            if let observation = failure.healthObservation, let io, let server = io.upstream?.server {
                context.noteHealth(observation, of: server, in: io.pool)
            }
        }
        noteForRecord(action)
        if let event = perform(action.upstream) { pending.append(event) }
        if let event = perform(action.client) { pending.append(event) }
    }

    private func log(_ failure: ProxyFailure) {
        guard failure.logLevel > .debug || context.logger.logLevel <= .debug else { return }
        if let io {
            context.logger.log(level: failure.logLevel, "\(failure)", metadata: ["pool": "\(io.pool.name)"])
        } else {
            context.logger.log(level: failure.logLevel, "\(failure)")
        }
    }

    // MARK: Deadlines

    private func syncTimer() {
        guard let earliest = machine.deadlines.earliest else { return }
        if let armed = timerArmedAt, armed <= earliest { return }
        timerArmedAt = earliest
        let now = context.loop.now
        timer.start(milliseconds: earliest > now ? earliest - now : 0) { [unowned self] in self.timerFired() }
    }

    private func timerFired() {
        timerArmedAt = nil
        let now = context.loop.now
        while !machine.isClosed, let kind = machine.takeExpiredDeadline(now: now) {
            send(.deadlineExpired(kind))
        }
        if !machine.isClosed { syncTimer() }
    }

    // MARK: Closing

    /// Sends what is queued, half-closes, then drains input until EOF or the linger deadline, so a
    /// client that is still sending does not turn our final response into a reset.
    func closeAfterFlush() {
        endExchange()
        // Discard what is buffered now, or a full buffer would keep reading paused and the
        // client's unread upload would turn the close into a reset.
        transport.consume(transport.readable.count)
        transport.startReading()
        transport.shutdown { [weak self] _ in self?.send(.downstreamShutDown) }
    }

    func endExchange() {
        finishRecord()
        staticOutput?.close()
        staticOutput = nil
        io?.discardBuffers()
        io = nil
    }

    private func finishClosing() {
        endExchange()
        timer.close()
        let callback = onClose
        onClose = nil
        callback?(self)
    }
}

extension DownstreamConnection: TransportDelegate {
    func transportDidRead() { send(.readable) }
    func transportDidReachEOF() { send(.downstreamReadClosed) }

    func transportDidFail(_ error: UVError) {
        if let io { context.logger.debug("client connection failed: \(error)", metadata: ["pool": "\(io.pool.name)"]) }
        send(.downstreamFailed)
    }

    func transportDidDrain() { send(.downstreamDrained) }
}

extension DownstreamConnection: SlotWaiter {
    func slotGranted(_ grant: PoolState.Grant, from pool: SharedPool) {
        // A grant that crossed loops may find the request gone (answered meanwhile, or the
        // connection on to a request for another pool): the slot goes straight back to its pool.
        guard let io, io.pool.shared === pool, machine.queuedTicket == grant.ticket else {
            pool.release(grant.server.id, now: context.loop.now)
            return
        }
        send(.slotGranted(grant))
    }
    var mailbox: LoopMailbox { context.mailbox }
}
