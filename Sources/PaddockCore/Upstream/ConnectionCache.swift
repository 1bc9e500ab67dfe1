import UV

/// One loop's idle keep-alive connections, by server endpoint. Loop-bound: a connection lives its
/// whole life on one loop. Keyed by endpoint, not by pool, so it survives config swaps.
///
/// Each endpoint's connections sit in a `Stack` object that stays in the table once made, so
/// parking and taking a connection in steady state allocate nothing (no dictionary value is
/// rebuilt, no closure is made).
final class ConnectionCache {
    /// Most recently parked last: reusing the warmest connection lets the others expire.
    private final class Stack {
        var connections: [UpstreamConnection] = []
    }

    private var idle: [Endpoint: Stack] = [:]

    init() {}

    /// Takes the most recently parked usable connection to `endpoint`, if any.
    func take(_ endpoint: Endpoint) -> UpstreamConnection? {
        guard let stack = idle[endpoint] else { return nil }
        while let connection = stack.connections.popLast() {
            if connection.isUsable { return connection }
            connection.close()
        }
        return nil
    }

    func park(_ connection: UpstreamConnection, idleTimeoutMilliseconds: UInt64) {
        let endpoint = connection.server.endpoint
        let stack = idle[endpoint] ?? {
            let stack = Stack()
            idle[endpoint] = stack
            return stack
        }()
        stack.connections.append(connection)
        connection.park(in: self, idleTimeoutMilliseconds: idleTimeoutMilliseconds)
    }

    /// A parked connection ended on its own (closed by the server, or expired). An endpoint left
    /// with none is dropped (supervised instances get a new one at each start).
    func forget(_ connection: UpstreamConnection) {
        let endpoint = connection.server.endpoint
        guard let stack = idle[endpoint],
              let index = stack.connections.firstIndex(where: { $0 === connection }) else { return }
        stack.connections.remove(at: index)
        if stack.connections.isEmpty { idle[endpoint] = nil }
    }

    func closeAll() {
        let connections = idle.values.flatMap(\.connections)
        idle.removeAll()
        for connection in connections { connection.close() }
    }
}
