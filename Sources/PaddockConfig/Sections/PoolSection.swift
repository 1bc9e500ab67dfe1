/// One `[pools.<name>]` table.
enum PoolSection {
    static let schema = TableSchema(keys: [
        "kind", "balance", "servers", "queue_timeout", "max_queue", "buffer_requests", "buffer_responses",
        "timeouts", "health", "retries", "slow_start", "run",
    ]).replacing([
        "connect_timeout": #"no longer supported; write timeouts = { connect = "1s" } in the pool, or connect in [timeouts] for every pool"#,
        "response_timeout": #"no longer supported; write timeouts = { upstream_response = "60s" } in the pool, or upstream_response in [timeouts] for every pool"#,
        "tunnel_idle": #"no longer supported; write timeouts = { tunnel_idle = "1h" } in the pool, or tunnel_idle in [timeouts] for every pool"#,
    ])

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
    static func decode(_ node: TOMLNode, name: String, timeouts: UpstreamTimeouts, at path: ConfigPath,
                       _ diagnostics: inout Diagnostics) -> PoolConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return nil }
        let errorsBefore = diagnostics.errors.count

        let kind = reader.required("kind", Self.kind, &diagnostics)
        let balance = reader.optional("balance", Self.balance, default: ConfigDefaults.balance, &diagnostics)
        let timeouts = TimeoutsSection.decodePool(reader.node("timeouts"), over: timeouts, at: path.key("timeouts"), &diagnostics)
        let run = kind.flatMap { kind in reader.node("run").flatMap { RunSection.decode($0, kind: kind, at: path.key("run"), &diagnostics) } }
        // A pool that runs its own servers may list none at fixed addresses.
        let noServers = reader.node("servers") == nil || reader.node("servers") == .array([])
        let servers = reader.node("run") != nil && noServers
            ? [] : ServerSection.decodeList(reader.node("servers"), pool: name, at: path.key("servers"), &diagnostics)
        let queueTimeout = reader.optional("queue_timeout", .duration(), &diagnostics)
        let maxQueue = reader.optional("max_queue", .integer(in: 0...1_000_000), &diagnostics)
        let bufferRequests = reader.optional("buffer_requests", .boolean, &diagnostics)
        let bufferResponses = reader.optional("buffer_responses", .boolean, &diagnostics)
        let retries = reader.optional("retries", .integer(in: 0...10), default: ConfigDefaults.retries, &diagnostics)
        let slowStart = reader.optional(
            "slow_start", .duration(minimum: 0), default: ConfigDefaults.slowStartMilliseconds, &diagnostics)
        let health = reader.node("health").flatMap { HealthSection.decode($0, at: path.key("health"), &diagnostics) }

        guard let kind else { return nil }
        if kind == .async {
            // Async servers have no worker limit, so nothing ever waits in an async pool's queue
            // (its requests wait only for a server to come back, up to queue_timeout).
            if reader.node("max_queue") != nil {
                diagnostics.report(path.key("max_queue"), "applies only to sync pools (async servers have no worker limit, so requests never queue)")
            }
        }
        guard diagnostics.errors.count == errorsBefore else { return nil }
        let defaults = PoolConfig(name: name, kind: kind, servers: servers)
        return PoolConfig(
            name: name,
            kind: kind,
            balance: balance,
            timeouts: timeouts,
            queueTimeoutMilliseconds: queueTimeout ?? defaults.queueTimeoutMilliseconds,
            maxQueue: maxQueue ?? defaults.maxQueue,
            bufferRequests: bufferRequests ?? defaults.bufferRequests,
            bufferResponses: bufferResponses ?? defaults.bufferResponses,
            health: health,
            retries: retries,
            slowStartMilliseconds: slowStart,
            servers: servers,
            run: run
        )
    }
}
