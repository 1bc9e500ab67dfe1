extension HealthReport {
    /// `GET /status`, for people: one row per server under a line per pool, columns aligned.
    ///
    ///     status: degraded
    ///     POOL  KIND   QUEUED  SERVER          STATE  IN FLIGHT  WORKERS  SINCE  LAST CHECK
    ///     api   async  0       127.0.0.1:8002  up     3          -        1h2m   ok 2ms (200)
    public var table: String {
        var rows = [["POOL", "KIND", "QUEUED", "SERVER", "STATE", "IN FLIGHT", "WORKERS", "SINCE", "LAST CHECK"]]
        for pool in pools {
            for (index, server) in pool.servers.enumerated() {
                let first = index == 0
                rows.append([
                    first ? pool.name : "", first ? pool.kind.rawValue : "", first ? String(pool.queued) : "",
                    server.address, server.isUp ? "up" : "down", String(server.inFlight),
                    pool.kind == .sync ? String(server.workers) : "-", Self.duration(server.secondsSinceChange),
                    Self.describe(server.lastCheck),
                ])
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = "status: \(status.rawValue)\n"
        for row in rows {
            let cells = row.enumerated().map { column, text in
                column == row.count - 1 ? text : text + String(repeating: " ", count: widths[column] - text.count)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        for pool in pools {
            guard let run = pool.run else { continue }
            var notes = ["\(run.instances.count) instance\(run.instances.count == 1 ? "" : "s")"]
            if run.rolling { notes.append("rolling restart under way") }
            if run.restarts > 0 { notes.append("\(run.restarts) restart\(run.restarts == 1 ? "" : "s")") }
            if run.crashLoop { notes.append("CRASH LOOP") }
            out += "\nrun \(pool.name): \(notes.joined(separator: ", "))\n"
            if let failure = run.lastFailure { out += "  last failure: \(failure)\n" }
            let nameWidth = run.instances.map(\.name.count).max() ?? 0
            for instance in run.instances {
                let name = instance.name + String(repeating: " ", count: nameWidth - instance.name.count)
                let state = instance.state + String(repeating: " ", count: max(0, 8 - instance.state.count))
                out += "  \(name)  pid \(instance.pid)  \(state)  \(instance.address)\n"
            }
        }
        return out
    }

    /// `42s`, `5m3s`, `2h7m`, `3d4h`.
    static func duration(_ seconds: UInt64) -> String {
        switch seconds {
        case ..<60: "\(seconds)s"
        case ..<3_600: "\(seconds / 60)m\(seconds % 60)s"
        case ..<86_400: "\(seconds / 3_600)h\(seconds / 60 % 60)m"
        default: "\(seconds / 86_400)d\(seconds / 3_600 % 24)h"
        }
    }

    static func describe(_ check: ServerHealth.CheckResult?) -> String {
        guard let check else { return "-" }
        let status = check.status.map { " (\($0))" } ?? ""
        if let error = check.error { return "failed \(check.latencyMilliseconds)ms\(status): \(error)" }
        return "ok \(check.latencyMilliseconds)ms\(status)"
    }
}
