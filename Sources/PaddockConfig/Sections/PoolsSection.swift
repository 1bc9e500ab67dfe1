/// `[pools.<name>]`: the table of named upstream pools.
enum PoolsSection {
    static let example = #"[pools.web] with kind = "sync" and servers = [{ address = "127.0.0.1:8000" }]"#

    struct Decoded {
        /// Valid pools, sorted by name.
        var configs: [PoolConfig]
        /// Every pool name written in the file, valid or not, sorted; routes are checked against these
        /// so one bad pool does not also make every route that names it an error.
        var definedNames: [String]
    }

    /// `timeouts`: the `[timeouts]` defaults each pool may override.
    static func decode(_ node: TOMLNode?, timeouts: UpstreamTimeouts, at path: ConfigPath,
                       _ diagnostics: inout Diagnostics) -> Decoded {
        guard let node else {
            diagnostics.report(path, "no pools defined; add one, e.g. \(example)")
            return Decoded(configs: [], definedNames: [])
        }
        guard case .table(let entries) = node else {
            diagnostics.report(path, "expected a table of pools such as [pools.web], got \(node.describedForMessage)")
            return Decoded(configs: [], definedNames: [])
        }
        if entries.isEmpty {
            diagnostics.report(path, "no pools defined; add one, e.g. \(example)")
        }
        let names = entries.keys.sorted()
        var configs: [PoolConfig] = []
        for name in names {
            let poolPath = path.key(name)
            let validName = PoolName.isValid(name)
            if !validName {
                diagnostics.report(poolPath, "\(quoted(name)) is not a valid pool name; use only letters, digits, \"_\" and \"-\"")
            }
            if let config = PoolSection.decode(entries[name] ?? .table([:]), name: name, timeouts: timeouts,
                                                 at: poolPath, &diagnostics), validName {
                configs.append(config)
            }
        }
        return Decoded(configs: configs, definedNames: names)
    }
}
