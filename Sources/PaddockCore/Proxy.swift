import Logging
import PaddockConfig
import TLS
import UV
#if canImport(Glibc)
import Glibc
#endif

/// The proxy on one event loop: its listeners, the admin endpoint, every client connection, and the
/// upstream pools. Loop-confined. `threads = N` will mean N of these, one per loop, sharing only the
/// config snapshot and cross-loop server state.
public final class Proxy {
    private let context: ProxyContext
    /// A listener and the config address it was bound for, so a reload keeps the ones that stay.
    private struct BoundListener {
        let address: SocketAddressSpec
        /// A `[tls]` listener: its connections speak TLS.
        let isTLS: Bool
        let listener: Listener
    }

    /// The listeners a config asks for: `[proxy] listen`, then `[tls] listen`.
    private static func wanted(_ config: Config) -> [(address: SocketAddressSpec, isTLS: Bool)] {
        config.proxy.listen.map { ($0, false) } + (config.tls?.listen ?? []).map { ($0, true) }
    }

    /// The certificates of the current config, for new handshakes; connections keep the one they began with.
    private var tlsContext: TLSContext?

    private static func makeTLSContext(_ config: Config) throws(ProxyStartError) -> TLSContext? {
        guard let tls = config.tls else { return nil }
        do {
            return try TLSContext(tls)
        } catch {
            throw ProxyStartError(address: error.file, detail: error.reason, action: "cannot use")
        }
    }

    private var listeners: [BoundListener] = []
    private var adminListener: BoundListener?
    private var connections: [ObjectIdentifier: DownstreamConnection] = [:]
    private var adminConnections: [ObjectIdentifier: AdminConnection] = [:]
    /// Active health checks of the current config, one per server of a pool with `health`.
    private var probes: [HealthProbe] = []
    private var drainTimer: LoopTimer?
    /// Rotates the TLS session-ticket keys (see `TLSContext.rotateTicketKeys`).
    private var ticketKeyTimer: LoopTimer?
    private var stopping = false
    /// The supervisors of pools with `run`, by pool name, and those stopping after a reload dropped
    /// their pool (or its `run`) or because the proxy stops.
    private var supervisors: [String: PoolSupervisor] = [:]
    private var retiringSupervisors: [ObjectIdentifier: PoolSupervisor] = [:]
    /// Where supervised instances' `{socket}`s go: made under `[proxy] temp_dir` when first needed,
    /// removed when the last instance is gone.
    private var socketDirectory: String?
    /// Numbers each supervisor, for its socket names.
    private var supervisorSerial = 0
    /// `paddock run --reload`: every supervised pool restarts when a `*.py` file under its cwd changes.
    public var watchesFiles = false
    /// At `max_connections` since the last time there was room: the warning is logged once per episode.
    private var atConnectionLimit = false

    public init(loop: EventLoop, config: Config, logger: Logger) {
        context = ProxyContext(loop: loop, config: config, logger: logger)
        context.supervisionReport = { [unowned self] in self.supervisors.mapValues(\.report) }
        context.restartPool = { [unowned self] name in self.restartPool(name) }
    }

    /// Binds every listener. On failure nothing stays bound, and the error names the address.
    public func start() throws(ProxyStartError) {
        let config = context.snapshot.config
        context.accessLog = try accessLog(for: config.proxy.accessLog)
        tlsContext = try Self.makeTLSContext(config)
        listeners = try bindListeners(Self.wanted(config), keeping: [])
        do {
            adminListener = try bindAdmin(config.admin?.listen, keeping: nil)
            try makeSocketDirectory(for: config)
        } catch {
            closeListeners()
            throw error
        }
        for bound in listeners { context.logger.info("listening on \(bound.isTLS ? "https://" : "")\(bound.listener.endpoint)") }
        let rotation = TLSContext.ticketKeyRotationMilliseconds
        let timer = LoopTimer(loop: context.loop)
        timer.start(milliseconds: rotation, repeat: rotation) { TLSContext.rotateTicketKeys() }
        ticketKeyTimer = timer
        if let admin = adminListener { context.logger.info("admin endpoint on http://\(admin.listener.endpoint)/health") }
        startHealthChecks()
        superviseRuns(restartReason: nil)
    }

    /// Starts a supervisor for every pool with `run` that has none; with `restartReason` (a reload),
    /// the others roll to their pool's run as it is now. Supervisors of pools that lost their `run`
    /// stop their instances.
    private func superviseRuns(restartReason: String?) {
        let snapshot = context.snapshot
        for config in snapshot.config.pools {
            guard let run = config.run, let pool = snapshot.pools[config.name], let directory = socketDirectory else { continue }
            if let supervisor = supervisors[config.name] {
                if let restartReason { supervisor.restart(run, pool: pool, reason: restartReason) }
                continue
            }
            supervisorSerial += 1
            let supervisor = PoolSupervisor(pool: pool, run: run, context: context, socketDirectory: directory,
                                            serial: supervisorSerial, watchFiles: watchesFiles)
            supervisor.onRoutingChanged = { [unowned self] in self.syncHealthChecks() }
            supervisors[config.name] = supervisor
            supervisor.start()
        }
        for (name, supervisor) in supervisors where snapshot.pools[name]?.config.run == nil {
            supervisors[name] = nil
            retire(supervisor)
        }
    }

    private func retire(_ supervisor: PoolSupervisor) {
        let key = ObjectIdentifier(supervisor)
        retiringSupervisors[key] = supervisor
        supervisor.onFinished = { [unowned self] in
            self.retiringSupervisors[key] = nil
            self.removeSocketDirectoryIfUnused()
        }
        supervisor.stop()
    }

    /// Makes the socket folder if `config` runs servers and there is none yet.
    private func makeSocketDirectory(for config: Config) throws(ProxyStartError) {
        guard socketDirectory == nil, config.pools.contains(where: { $0.run != nil }) else { return }
        let base = config.proxy.tempDirectory
        var template = Array("\(base.hasSuffix("/") ? String(base.dropLast()) : base)/paddock-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw ProxyStartError(address: "[proxy] temp_dir \(base)", detail: String(cString: strerror(errno)),
                                  action: "cannot make a folder for the supervised servers' sockets in")
        }
        socketDirectory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func removeSocketDirectoryIfUnused() {
        guard supervisors.isEmpty, retiringSupervisors.isEmpty, let socketDirectory else { return }
        rmdir(socketDirectory)
        self.socketDirectory = nil
    }

    /// `paddock restart POOL`.
    private func restartPool(_ name: String) -> (status: Int, message: String) {
        guard !stopping else { return (503, "paddock is stopping\n") }
        if let supervisor = supervisors[name] {
            supervisor.restart(reason: "paddock restart")
            return (202, "rolling restart of pool \(name) started; paddock status shows its progress\n")
        }
        if context.snapshot.pools[name] != nil {
            return (409, "pool \(name) has no run = { ... }; paddock restarts only the servers it runs\n")
        }
        return (404, "no pool named \(name)\n")
    }

    /// One probe per server of every pool with active checks, the first checks spread over one
    /// interval so they do not all land at once. A reload replaces them (the health state itself
    /// lives in the shared pools and carries over).
    private func startHealthChecks() {
        for probe in probes { probe.stop() }
        probes.removeAll()
        let snapshot = context.snapshot
        for config in snapshot.config.pools {
            guard let check = config.health, let pool = snapshot.pools[config.name] else { continue }
            let servers = pool.shared.servers
            for (index, server) in servers.enumerated() {
                let probe = HealthProbe(server: server, pool: pool, check: check, context: context)
                probe.start(after: UInt64(check.intervalMilliseconds) * UInt64(index) / UInt64(servers.count))
                probes.append(probe)
            }
        }
    }

    /// After supervised instances joined or left a pool: a probe for each new server of a pool with
    /// checks, none for those gone. (Its first check comes one interval later: it has just passed one.)
    private func syncHealthChecks() {
        guard !stopping else { return }
        let snapshot = context.snapshot
        var kept: [HealthProbe] = []
        for probe in probes {
            if snapshot.pools[probe.pool.name] === probe.pool, probe.pool.shared.servers.contains(where: { $0.id == probe.server.id }) {
                kept.append(probe)
            } else {
                probe.stop()
            }
        }
        probes = kept
        for config in snapshot.config.pools {
            guard let check = config.health, let pool = snapshot.pools[config.name] else { continue }
            for server in pool.shared.servers where !probes.contains(where: { $0.pool === pool && $0.server.id == server.id }) {
                let probe = HealthProbe(server: server, pool: pool, check: check, context: context)
                probe.start(after: UInt64(check.intervalMilliseconds))
                probes.append(probe)
            }
        }
    }

    /// The access log for `config`: the one open now if it has the same target (a reload keeps the
    /// file open), else a newly opened one.
    private func accessLog(for config: AccessLogConfig) throws(ProxyStartError) -> (appender: FileAppender, format: AccessLogConfig.Format)? {
        let path: String?
        switch config.target {
        case .off: return nil
        case .standardError: path = nil
        case let .file(file): path = file
        }
        if let current = context.accessLog?.appender, current.path == path { return (current, config.format) }
        do {
            let appender = try FileAppender(loop: context.loop, path: path)
            let logger = context.logger
            appender.onError = { logger.error("access log: \($0)") }
            return (appender, config.format)
        } catch {
            throw ProxyStartError(address: "access_log \(path ?? "stderr")", error: error, action: "cannot open")
        }
    }

    /// SIGUSR1: opens the access log file again (after logrotate moved it).
    public func reopenLogs() {
        context.accessLog?.appender.reopen()
    }

    /// The current config generation (1 at start, one more for each reload).
    public var generation: UInt64 { context.snapshot.generation }

    /// Reloads: binds the listeners the new config adds, then makes it the config new requests use
    /// (requests under way finish under the old one; see `install`), then closes the listeners it
    /// dropped. Listeners that stay are kept as they are, so no connection is refused or dropped.
    /// If a new address cannot be bound, nothing changes and the error names it.
    public func reload(_ config: Config) throws(ProxyStartError) {
        guard !stopping else { return }
        // An address moving between the admin and the proxy listeners is still bound by the other
        // kind: in use, as it would be for TCP (and a unix path must not be unlinked under it).
        if let admin = adminListener, config.admin?.listen != admin.address,
           Self.wanted(config).contains(where: { $0.address == admin.address }) {
            throw ProxyStartError(address: admin.address.description, error: .addressInUse)
        }
        if let address = config.admin?.listen, address != adminListener?.address,
           listeners.contains(where: { $0.address == address }) {
            throw ProxyStartError(address: address.description, error: .addressInUse)
        }
        try makeSocketDirectory(for: config)
        let accessLog = try accessLog(for: config.proxy.accessLog)
        // Certificates are read again on every reload, so renewed files take effect for new handshakes.
        let tls = try Self.makeTLSContext(config)
        let listeners = try bindListeners(Self.wanted(config), keeping: self.listeners)
        let admin: BoundListener?
        do {
            admin = try bindAdmin(config.admin?.listen, keeping: adminListener)
        } catch {
            close(listeners, except: self.listeners)
            throw error
        }
        close(self.listeners, except: listeners)
        if let old = adminListener, old.listener !== admin?.listener { old.listener.close() }
        for bound in listeners where !self.listeners.contains(where: { $0.listener === bound.listener }) {
            context.logger.info("listening on \(bound.isTLS ? "https://" : "")\(bound.listener.endpoint)")
        }
        for bound in self.listeners where !listeners.contains(where: { $0.listener === bound.listener }) {
            context.logger.info("no longer listening on \(bound.listener.endpoint)")
        }
        self.listeners = listeners
        adminListener = admin
        context.accessLog = accessLog
        tlsContext = tls
        install(config)
        startHealthChecks()
        // A reload is a deploy: every supervised pool rolls to new instances, one at a time.
        superviseRuns(restartReason: "reload to config generation \(context.snapshot.generation)")
        // New listeners start unpaused, and the limit itself may have changed.
        if connections.count >= maxConnections {
            for bound in listeners { bound.listener.isPaused = true }
        } else {
            resumeAcceptingIfRoom()
        }
    }

    /// The listeners for `addresses`: those in `current` that stay, the others newly bound. On a
    /// failure the newly bound ones are closed again.
    private func bindListeners(_ wanted: [(address: SocketAddressSpec, isTLS: Bool)],
                               keeping current: [BoundListener])
        throws(ProxyStartError) -> [BoundListener] {
        var result: [BoundListener] = []
        do {
            for (address, isTLS) in wanted {
                if let kept = current.first(where: { $0.address == address && $0.isTLS == isTLS }) {
                    result.append(kept)
                } else {
                    let listener = try bind(address) { [unowned self] socket in self.accept(socket, isTLS: isTLS) }
                    result.append(BoundListener(address: address, isTLS: isTLS, listener: listener))
                }
            }
        } catch {
            close(result, except: current)
            throw error
        }
        return result
    }

    private func bindAdmin(_ address: SocketAddressSpec?, keeping current: BoundListener?)
        throws(ProxyStartError) -> BoundListener? {
        guard let address else { return nil }
        if let current, current.address == address { return current }
        return BoundListener(address: address, isTLS: false, listener: try bind(address) { [unowned self] socket in self.acceptAdmin(socket) })
    }

    private func close(_ listeners: [BoundListener],
                       except kept: [BoundListener]) {
        for bound in listeners where !kept.contains(where: { $0.listener === bound.listener }) { bound.listener.close() }
    }

    private func bind(_ address: SocketAddressSpec, onAccept: @escaping (Socket) -> Void) throws(ProxyStartError) -> Listener {
        do {
            return try Listener(loop: context.loop, endpoint: address.endpoint, onAccept: onAccept)
        } catch {
            throw ProxyStartError(address: address.description, error: error)
        }
    }

    private func accept(_ socket: Socket, isTLS: Bool) {
        guard !stopping else {
            socket.close()
            return
        }
        let transport: any Transport
        if isTLS {
            guard let tlsContext, let stream = TLSStream(inner: socket, loop: context.loop, context: tlsContext) else {
                socket.close()
                return
            }
            let logger = context.logger
            let peer = socket.peerIP ?? "unix"
            stream.onHandshakeFailure = { reason in logger.debug("TLS from \(peer): \(reason)") }
            transport = stream
        } else {
            transport = socket
        }
        let connection = DownstreamConnection(transport: transport, context: context, isTLS: isTLS)
        connections[ObjectIdentifier(connection)] = connection
        context.downstreamConnections.value += 1
        context.metrics.connectionAccepted()
        connection.onClose = { [unowned self] closed in
            self.connections[ObjectIdentifier(closed)] = nil
            self.context.downstreamConnections.value -= 1
            self.finishStopIfDrained()
            self.resumeAcceptingIfRoom()
        }
        connection.start()
        pauseAcceptingIfFull()
    }

    private var maxConnections: Int { context.snapshot.config.limits.maxConnections }

    /// At `max_connections` every proxy listener pauses (clients wait in the kernel's backlog); the
    /// admin listener never does, so /health still answers.
    private func pauseAcceptingIfFull() {
        guard connections.count >= maxConnections, listeners.contains(where: { !$0.listener.isPaused }) else { return }
        if !atConnectionLimit {
            atConnectionLimit = true
            context.logger.warning("max_connections (\(maxConnections)) reached; new clients wait until a connection closes")
        }
        for bound in listeners { bound.listener.isPaused = true }
    }

    /// Unpauses listeners while there is room; each accepts the client that waited, which may fill
    /// the proxy again (then `accept` pauses them all).
    private func resumeAcceptingIfRoom() {
        guard !stopping else { return }
        // Back to normal only when the clients that waited have been taken and there is room left.
        if connections.count < maxConnections - 1, listeners.allSatisfy({ !$0.listener.isPaused }) { atConnectionLimit = false }
        for bound in listeners where bound.listener.isPaused {
            guard connections.count < maxConnections else { return }
            bound.listener.isPaused = false
        }
    }

    private func acceptAdmin(_ socket: Socket) {
        let connection = AdminConnection(socket: socket, context: context)
        adminConnections[ObjectIdentifier(connection)] = connection
        connection.onClose = { [unowned self] closed in self.adminConnections[ObjectIdentifier(closed)] = nil }
        connection.start()
    }

    /// Makes `config` the one new requests use; requests under way finish under the old one. The
    /// pools' shared state (slots, queue, health) carries over for servers that keep their address.
    /// Listeners are not changed here (`reload` does that).
    public func install(_ config: Config) {
        let snapshot = context.install(config)
        context.logger.info("config generation \(snapshot.generation) installed: \(config.summary)")
    }

    /// Stops accepting, lets requests in progress finish (up to `graceMilliseconds`, by default the
    /// config's `[timeouts] shutdown`), then closes everything so the loop runs out of handles and
    /// `run()` returns. Idle keep-alive connections close at once.
    public func stop(graceMilliseconds: UInt64? = nil) {
        guard !stopping else { return }
        stopping = true
        closeListeners()
        ticketKeyTimer?.close()
        ticketKeyTimer = nil
        for probe in probes { probe.stop() }
        probes.removeAll()
        for supervisor in supervisors.values { supervisor.stopWatching() }
        for connection in adminConnections.values { connection.close() }
        context.cache.closeAll()
        for connection in Array(connections.values) { connection.shutdownGracefully() }
        let timer = LoopTimer(loop: context.loop)
        drainTimer = timer
        let grace = graceMilliseconds ?? UInt64(context.snapshot.config.timeouts.shutdownMilliseconds)
        timer.start(milliseconds: grace) { [unowned self] in
            if !self.connections.isEmpty {
                self.context.logger.warning("closing \(self.connections.count) connections still busy after the grace period")
            }
            for connection in Array(self.connections.values) { connection.close() }
            self.finishStopIfDrained()
        }
        finishStopIfDrained()
    }

    private func finishStopIfDrained() {
        guard stopping, connections.isEmpty else { return }
        // No request is left to be granted a slot from another loop.
        context.mailbox.close()
        // The servers Paddock runs stop once no client needs them. (A supervisor with nothing to
        // stop finishes inside `retire`, so the table is emptied first.)
        let running = supervisors.values
        supervisors.removeAll()
        for supervisor in running { retire(supervisor) }
        removeSocketDirectoryIfUnused()
        context.cache.closeAll()
        drainTimer?.close()
        drainTimer = nil
    }

    private func closeListeners() {
        for bound in listeners { bound.listener.close() }
        listeners.removeAll()
        adminListener?.listener.close()
        adminListener = nil
    }
}

public struct ProxyStartError: Error, CustomStringConvertible {
    public var address: String
    public var error: UVError?
    /// Why, when it is not a libuv error.
    public var detail: String?
    /// What could not be done with `address`.
    public var action = "cannot listen on"

    public init(address: String, error: UVError? = nil, detail: String? = nil, action: String = "cannot listen on") {
        self.address = address
        self.error = error
        self.detail = detail
        self.action = action
    }

    public var description: String { "\(action) \(address): \(detail ?? error.map { "\($0)" } ?? "unknown error")" }
}
