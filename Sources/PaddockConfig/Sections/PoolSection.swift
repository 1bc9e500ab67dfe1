/// One `[pools.<name>]` table.
enum PoolSection {
    static let schema: TableSchema = ["kind", "balance", "connect_timeout", "response_timeout", "servers"]

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

        guard let kind, diagnostics.errors.count == errorsBefore else { return nil }
        return PoolConfig(
            name: name,
            kind: kind,
            balance: balance,
            connectTimeoutMilliseconds: connectTimeout,
            responseTimeoutMilliseconds: responseTimeout,
            servers: servers
        )
    }
}
