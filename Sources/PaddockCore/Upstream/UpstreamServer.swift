import PaddockConfig
import UV

/// One backend server as the loop sees it: load, health, and its idle keep-alive connections.
///
/// Invariant: `inFlight` counts requests dispatched to this server and not yet finished; every
/// `acquire` is matched by exactly one `release`.
final class UpstreamServer {
    let config: ServerConfig
    let endpoint: Endpoint
    private(set) var inFlight = 0
    /// Down after a failed connect, up again after a successful one.
    private(set) var isUp = true
    /// Most recently used last: reusing the warmest connection keeps the others free to expire.
    private var idle: [UpstreamConnection] = []

    init(config: ServerConfig) {
        self.config = config
        endpoint = config.address.endpoint
    }

    func load(capacity: Int?) -> ServerLoad {
        ServerLoad(inFlight: inFlight, weight: config.weight, isUp: isUp, capacity: capacity)
    }

    func acquire() { inFlight += 1 }

    func release() {
        precondition(inFlight > 0, "release without acquire")
        inFlight -= 1
    }

    func markUp() { isUp = true }
    func markDown() { isUp = false }

    /// Takes the most recently parked connection, if any.
    func takeIdle() -> UpstreamConnection? {
        while let connection = idle.popLast() {
            if connection.isUsable { return connection }
            connection.close()
        }
        return nil
    }

    func park(_ connection: UpstreamConnection, idleTimeoutMilliseconds: UInt64) {
        idle.append(connection)
        connection.becomeIdle(timeoutMilliseconds: idleTimeoutMilliseconds) { [weak self, unowned connection] in
            self?.forget(connection)
        }
    }

    /// An idle connection closed or expired.
    private func forget(_ connection: UpstreamConnection) {
        if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
    }

    func closeIdle() {
        let connections = idle
        idle.removeAll()
        for connection in connections { connection.close() }
    }
}

extension SocketAddressSpec {
    /// The UV layer's view of a configured address.
    var endpoint: Endpoint {
        switch self {
        case let .ipv4(host, port): .ip(host: host, port: port)
        case let .ipv6(host, port): .ip(host: host, port: port)
        case let .unix(path): .unix(path: path)
        }
    }
}
