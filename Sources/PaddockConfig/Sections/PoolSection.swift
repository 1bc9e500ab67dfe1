/// One `[pools.<name>]` table.
enum PoolSection {
    static let schema: TableSchema = [
        "kind", "balance", "connect_timeout", "response_timeout", "servers",
        "queue_timeout", "max_queue", "buffer_requests", "buffer_responses", "tunnel_idle", "health", "retries",
    ]

    static var kind: ValueType<PoolKind> {
        .oneOf(PoolKind.self, noun: "pool kind") { kind in
            switch kind {
            case .sync: "gunicorn/WSGI"
            case .async: "uvicorn/ASGI"
            }
        }
    }

    static var balance: ValueType<BalanceStrategy> {
        .oneOf(BalanceStrategy.self, noun: "balance strategy")
    }

    /// The pool, or nil if anything in it was reported.
    static func decode(_ node: TOMLNode, name: String, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> PoolConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return nil }
        let errorsBefore = diagnostics.errors.count

        let kind = reader.required("kind", Self.kind, &diagnostics)
        let balance = reader.optional("balance", Self.balance, default: ConfigDefaults.balance, &diagnostics)
        let connectTimeout = reader.optional(
            "connect_timeout", .duration(), default: ConfigDefaults.connectTimeoutMilliseconds, &diagnostics)
        let responseTimeout = reader.optional(
            "response_timeout", .duration(), default: ConfigDefaults.responseTimeoutMilliseconds, &diagnostics)
        let servers = ServerSection.decodeList(reader.node("servers"), pool: name, at: path.key("servers"), &diagnostics)
        let queueTimeout = reader.optional("queue_timeout", .duration(), &diagnostics)
        let maxQueue = reader.optional("max_queue", .integer(in: 0...1_000_000), &diagnostics)
        let bufferRequests = reader.optional("buffer_requests", .boolean, &diagnostics)
        let bufferResponses = reader.optional("buffer_responses", .boolean, &diagnostics)
        let tunnelIdle = reader.optional(
            "tunnel_idle", .duration(), default: ConfigDefaults.tunnelIdleMilliseconds, &diagnostics)
        let retries = reader.optional("retries", .integer(in: 0...10), default: ConfigDefaults.retries, &diagnostics)
        let health = reader.node("health").flatMap { HealthSection.decode($0, at: path.key("health"), &diagnostics) }

        guard let kind else { return nil }
        if kind == .async {
            // Async servers have no worker limit, so nothing ever waits in an async pool's queue.
            for key in ["queue_timeout", "max_queue"] where reader.node(key) != nil {
                diagnostics.report(path.key(key), "applies only to sync pools (async servers have no worker limit, so requests never queue)")
            }
        }
        guard diagnostics.errors.count == errorsBefore else { return nil }
        let defaults = PoolConfig(name: name, kind: kind, servers: servers)
        return PoolConfig(
            name: name,
            kind: kind,
            balance: balance,
            connectTimeoutMilliseconds: connectTimeout,
            responseTimeoutMilliseconds: responseTimeout,
            queueTimeoutMilliseconds: queueTimeout ?? defaults.queueTimeoutMilliseconds,
            maxQueue: maxQueue ?? defaults.maxQueue,
            bufferRequests: bufferRequests ?? defaults.bufferRequests,
            bufferResponses: bufferResponses ?? defaults.bufferResponses,
            tunnelIdleMilliseconds: tunnelIdle,
            health: health,
            retries: retries,
            servers: servers
        )
    }
}
