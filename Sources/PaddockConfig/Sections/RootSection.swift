/// The top level of the document: wires the sections together and runs cross-section checks.
enum RootSection {
    static let schema: TableSchema = ["proxy", "tls", "timeouts", "limits", "admin", "pools", "routes"]

    /// The validated config, or nil if anything was reported.
    static func decode(_ root: [String: TOMLNode], _ diagnostics: inout Diagnostics) -> Config? {
        let reader = TableReader(root, at: .root, schema: schema, &diagnostics)
        let proxy = ProxySection.decode(reader.node("proxy"), at: .root.key("proxy"), &diagnostics)
        let tls = reader.node("tls").flatMap { TLSSection.decode($0, at: .root.key("tls"), &diagnostics) }
        let timeouts = TimeoutsSection.decode(reader.node("timeouts"), at: .root.key("timeouts"), &diagnostics)
        let limits = LimitsSection.decode(reader.node("limits"), at: .root.key("limits"), &diagnostics)
        let admin = reader.node("admin").flatMap { AdminSection.decode($0, at: .root.key("admin"), &diagnostics) }
        let allProxyListeners = (proxy?.listeners ?? []) + (tls?.listeners ?? [])
        ListenerChecks.check(proxy: allProxyListeners, admin: admin, &diagnostics)
        let pools = PoolsSection.decode(reader.node("pools"), timeouts: timeouts.upstream, at: .root.key("pools"), &diagnostics)
        ListenerChecks.checkServers(pools.configs, listeners: allProxyListeners + (admin.map { [$0] } ?? []), &diagnostics)
        let routes = RoutesSection.decode(
            reader.node("routes"), at: .root.key("routes"), poolNames: pools.definedNames, &diagnostics
        )

        guard diagnostics.isEmpty, let proxy, let routes, !pools.configs.isEmpty else { return nil }
        return Config(
            file: diagnostics.file,
            proxy: proxy.config,
            timeouts: timeouts,
            limits: limits,
            tls: tls?.config,
            admin: admin.map { AdminConfig(listen: $0.address) },
            pools: pools.configs,
            routes: routes
        )
    }
}
