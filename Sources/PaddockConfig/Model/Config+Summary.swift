extension Config {
    /// One line for the startup log, e.g.
    /// "paddock.toml: 2 pools (api: async, 2 servers; web: sync, 1 server), 2 routes, listening on 127.0.0.1:8080; admin on 127.0.0.1:9901".
    public var summary: String {
        let poolParts = pools.map { pool in
            var servers: [String] = []
            if !pool.servers.isEmpty || pool.run == nil { servers.append(counted(pool.servers.count, "server")) }
            if let run = pool.run { servers.append("runs \(counted(run.instances, "instance"))") }
            return "\(pool.name): \(pool.kind.rawValue), \(servers.joined(separator: " + "))"
        }
        var line = "\(file): \(counted(pools.count, "pool")) (\(poolParts.joined(separator: "; "))), "
        line += "\(counted(routes.count, "route")), listening on "
        line += proxy.listen.map(\.description).joined(separator: ", ")
        if let tls {
            line += "; TLS on " + tls.listen.map(\.description).joined(separator: ", ")
        }
        if let admin {
            line += "; admin on \(admin.listen)"
        }
        return line
    }
}

private func counted(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
}
