import Logging
import PaddockConfig
import UV

/// The proxy on one event loop: its listeners, the admin endpoint, every client connection, and the
/// upstream pools. Loop-confined. `threads = N` will mean N of these, one per loop, sharing only the
/// config snapshot and cross-loop server state.
public final class Proxy {
    private let context: ProxyContext
    private var listeners: [Listener] = []
    private var adminListener: Listener?
    private var connections: [ObjectIdentifier: DownstreamConnection] = [:]
    private var adminConnections: [ObjectIdentifier: AdminConnection] = [:]
    private var drainTimer: LoopTimer?
    private var stopping = false

    public init(loop: EventLoop, config: Config, logger: Logger) {
        context = ProxyContext(loop: loop, config: config, logger: logger)
    }

    /// Binds every listener. On failure nothing stays bound, and the error names the address.
    public func start() throws(ProxyStartError) {
        do {
            for address in context.snapshot.config.proxy.listen {
                let listener = try bind(address) { [unowned self] socket in self.accept(socket) }
                listeners.append(listener)
            }
            if let admin = context.snapshot.config.admin {
                adminListener = try bind(admin.listen) { [unowned self] socket in self.acceptAdmin(socket) }
            }
        } catch {
            closeListeners()
            throw error
        }
        for listener in listeners {
            context.logger.info("listening on \(listener.endpoint)")
        }
        if let adminListener { context.logger.info("admin endpoint on http://\(adminListener.endpoint)/health") }
    }

    private func bind(_ address: SocketAddressSpec, onAccept: @escaping (Socket) -> Void) throws(ProxyStartError) -> Listener {
        do {
            return try Listener(loop: context.loop, endpoint: address.endpoint, onAccept: onAccept)
        } catch {
            throw ProxyStartError(address: address.description, error: error)
        }
    }

    private func accept(_ socket: Socket) {
        guard !stopping else {
            socket.close()
            return
        }
        let connection = DownstreamConnection(transport: socket, context: context)
        connections[ObjectIdentifier(connection)] = connection
        connection.onClose = { [unowned self] closed in
            self.connections[ObjectIdentifier(closed)] = nil
            self.finishStopIfDrained()
        }
        connection.start()
    }

    private func acceptAdmin(_ socket: Socket) {
        let connection = AdminConnection(socket: socket, context: context)
        adminConnections[ObjectIdentifier(connection)] = connection
        connection.onClose = { [unowned self] closed in self.adminConnections[ObjectIdentifier(closed)] = nil }
        connection.start()
    }

    /// Makes `config` the one new requests use; requests under way finish under the old one. The
    /// pools' shared state (slots, queue, health) carries over for servers that keep their address.
    /// Listeners are not changed here.
    public func install(_ config: Config) {
        let snapshot = context.install(config)
        context.logger.info("config generation \(snapshot.generation) installed: \(config.summary)")
    }

    /// Stops accepting, lets requests in progress finish (up to `graceMilliseconds`), then closes
    /// everything so the loop runs out of handles and `run()` returns.
    public func stop(graceMilliseconds: UInt64 = 10_000) {
        guard !stopping else { return }
        stopping = true
        closeListeners()
        for connection in adminConnections.values { connection.close() }
        context.cache.closeAll()
        for connection in Array(connections.values) { connection.shutdownGracefully() }
        let timer = LoopTimer(loop: context.loop)
        drainTimer = timer
        timer.start(milliseconds: graceMilliseconds) { [unowned self] in
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
        context.cache.closeAll()
        drainTimer?.close()
        drainTimer = nil
    }

    private func closeListeners() {
        for listener in listeners { listener.close() }
        listeners.removeAll()
        adminListener?.close()
        adminListener = nil
    }
}

public struct ProxyStartError: Error, CustomStringConvertible {
    public var address: String
    public var error: UVError
    public var description: String { "cannot listen on \(address): \(error)" }
}
