import UV

/// One loop's idle keep-alive connections, by server endpoint. Loop-bound: a connection lives its
/// whole life on one loop. Keyed by endpoint, not by pool, so it survives config swaps.
final class ConnectionCache {
    /// Most recently parked last: reusing the warmest connection lets the others expire.
    private var idle: [Endpoint: [UpstreamConnection]] = [:]

    init() {}

    /// Takes the most recently parked usable connection to `endpoint`, if any.
    func take(_ endpoint: Endpoint) -> UpstreamConnection? {
        while let connection = idle[endpoint]?.popLast() {
            if connection.isUsable { return connection }
            connection.close()
        }
        return nil
    }

    func park(_ connection: UpstreamConnection, idleTimeoutMilliseconds: UInt64) {
        let endpoint = connection.server.endpoint
        idle[endpoint, default: []].append(connection)
        connection.park(idleTimeoutMilliseconds: idleTimeoutMilliseconds) { [weak self, unowned connection] in
            self?.forget(connection)
        }
    }

    private func forget(_ connection: UpstreamConnection) {
        let endpoint = connection.server.endpoint
        if let index = idle[endpoint]?.firstIndex(where: { $0 === connection }) { idle[endpoint]?.remove(at: index) }
        if idle[endpoint]?.isEmpty == true { idle[endpoint] = nil }
    }

    func closeAll() {
        let connections = idle.values.flatMap { $0 }
        idle.removeAll()
        for connection in connections { connection.close() }
    }
}
