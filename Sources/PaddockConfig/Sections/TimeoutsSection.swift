/// `[timeouts]`, and the `timeouts = { ... }` of a pool, which may set only the upstream ones.
enum TimeoutsSection {
    static let upstreamKeys = ["connect", "upstream_response", "upstream_idle", "tunnel_idle"]
    static let clientKeys = ["client_header", "client_body", "client_idle", "client_send", "shutdown"]
    static let schema = TableSchema(keys: clientKeys + upstreamKeys)

    /// A pool's table: the client-side and shutdown keys belong to `[timeouts]` only.
    static let poolSchema = TableSchema(keys: upstreamKeys).replacing(Dictionary(uniqueKeysWithValues: clientKeys.map { key in
        (key, "\(key) is not per pool; set it in [timeouts]")
    }))

    static func decode(_ node: TOMLNode?, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> TimeoutsConfig {
        let defaults = TimeoutsConfig()
        guard let node, let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return defaults }
        return TimeoutsConfig(
            clientHeaderMilliseconds: reader.optional("client_header", .duration(), default: defaults.clientHeaderMilliseconds, &diagnostics),
            clientBodyMilliseconds: reader.optional("client_body", .duration(), default: defaults.clientBodyMilliseconds, &diagnostics),
            clientIdleMilliseconds: reader.optional("client_idle", .duration(), default: defaults.clientIdleMilliseconds, &diagnostics),
            clientSendMilliseconds: reader.optional("client_send", .duration(), default: defaults.clientSendMilliseconds, &diagnostics),
            shutdownMilliseconds: reader.optional("shutdown", .duration(), default: defaults.shutdownMilliseconds, &diagnostics),
            upstream: upstream(reader, over: defaults.upstream, &diagnostics)
        )
    }

    /// A pool's overrides over the `[timeouts]` values.
    static func decodePool(_ node: TOMLNode?, over defaults: UpstreamTimeouts, at path: ConfigPath,
                           _ diagnostics: inout Diagnostics) -> UpstreamTimeouts {
        guard let node else { return defaults }
        guard let reader = TableReader.open(node, at: path, schema: poolSchema,
                                            expected: #"a table such as { upstream_response = "30s" }"#, &diagnostics)
        else { return defaults }
        return upstream(reader, over: defaults, &diagnostics)
    }

    private static func upstream(_ reader: TableReader, over defaults: UpstreamTimeouts,
                                 _ diagnostics: inout Diagnostics) -> UpstreamTimeouts {
        UpstreamTimeouts(
            connectMilliseconds: reader.optional("connect", .duration(), default: defaults.connectMilliseconds, &diagnostics),
            responseMilliseconds: reader.optional("upstream_response", .duration(), default: defaults.responseMilliseconds, &diagnostics),
            idleMilliseconds: reader.optional("upstream_idle", .duration(), default: defaults.idleMilliseconds, &diagnostics),
            tunnelIdleMilliseconds: reader.optional("tunnel_idle", .duration(), default: defaults.tunnelIdleMilliseconds, &diagnostics)
        )
    }
}
