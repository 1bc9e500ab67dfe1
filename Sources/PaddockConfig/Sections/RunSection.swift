/// `run = { command = ["uvicorn", "app:app", "--uds", "{socket}"], instances = 2, cwd = "/srv/api",
/// env = { PYTHONUNBUFFERED = "1" }, workers = 4, stop_timeout = "30s", start_timeout = "60s",
/// reload = false }` in a pool: Paddock starts the servers itself.
enum RunSection {
    static let schema: TableSchema = ["command", "instances", "cwd", "env", "workers", "stop_timeout", "start_timeout", "reload"]
    static let example = #"run = { command = ["uvicorn", "app:app", "--uds", "{socket}"] }"#

    /// The run table, or nil if anything in it was reported.
    static func decode(_ node: TOMLNode, kind: PoolKind, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> RunConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema, expected: "a table such as \(example.dropFirst(6))",
                                            &diagnostics) else { return nil }
        let errorsBefore = diagnostics.errors.count
        let command = reader.required("command", Self.command, expected: "the program and its arguments, e.g. \(example.dropFirst(6))",
                                      &diagnostics)
        let instances = reader.optional("instances", .integer(in: 1...64), default: ConfigDefaults.runInstances, &diagnostics)
        let base = RelativePath.configDirectory(diagnostics.file)
        let cwd = reader.optional("cwd", .directory(relativeTo: base, example: "/srv/app"), default: base, &diagnostics)
        let environment = reader.node("env").map { decodeEnvironment($0, at: path.key("env"), &diagnostics) } ?? []
        let workers = reader.optional("workers", .integer(in: ServerSection.workerRange), &diagnostics)
        let stopTimeout = reader.optional("stop_timeout", .duration(), default: ConfigDefaults.runStopTimeoutMilliseconds, &diagnostics)
        let startTimeout = reader.optional("start_timeout", .duration(), default: ConfigDefaults.runStartTimeoutMilliseconds, &diagnostics)
        let reload = reader.optional("reload", .boolean, default: false, &diagnostics)

        if let command {
            let mentionsWorkers = command.contains { $0.contains(RunConfig.workersPlaceholder) }
            if kind == .async, mentionsWorkers {
                diagnostics.report(path.key("command"), "{workers} applies only to sync pools (an async server has no worker limit)")
            }
            // Paddock must know each instance's capacity: a worker count written into the command
            // would leave it at 1.
            let isGunicorn = command[0].split(separator: "/").last?.hasPrefix("gunicorn") == true
                || command.prefix(3).contains("gunicorn")
            if kind == .sync, isGunicorn, !mentionsWorkers, let flag = command.first(where: {
                $0 == "-w" || $0 == "--workers" || $0.hasPrefix("--workers=") || ($0.hasPrefix("-w") && Int($0.dropFirst(2)) != nil)
            }) {
                diagnostics.report(path.key("command"), "sets the worker count itself (\(quoted(flag))); write \"{workers}\" there and workers = N in run, which is also how many requests each instance is sent at once")
            } else if workers != nil, !mentionsWorkers {
                diagnostics.report(path.key("workers"), "the command does not pass {workers}, so the server would not run that many; write e.g. [\"gunicorn\", \"-w\", \"{workers}\", ...]")
            }
        }
        if kind == .async, reader.node("workers") != nil {
            diagnostics.report(path.key("workers"), "applies only to sync pools (an async server has no worker limit)")
        }
        guard let command, diagnostics.errors.count == errorsBefore else { return nil }
        return RunConfig(command: command, instances: instances, cwd: cwd, environment: environment,
                         workers: workers ?? ConfigDefaults.workers, stopTimeoutMilliseconds: stopTimeout,
                         startTimeoutMilliseconds: startTimeout, reload: reload)
    }

    /// A non-empty array of strings that names exactly one of `{socket}` and `{port}`.
    static var command: ValueType<[String]> {
        ValueType(expected: #"an array of strings such as ["uvicorn", "app:app", "--uds", "{socket}"]"#) { node in
            guard case .array(let items) = node else { return .wrongType }
            var words: [String] = []
            for item in items {
                guard case .string(let word) = item else {
                    return .invalid("every element must be a string; got \(item.describedForMessage)")
                }
                words.append(word)
            }
            guard let program = words.first, !program.isEmpty else { return .invalid("empty; expected the program and its arguments") }
            let socket = words.contains { $0.contains(RunConfig.socketPlaceholder) }
            let port = words.contains { $0.contains(RunConfig.portPlaceholder) }
            if socket == port {
                return .invalid(socket
                    ? "uses both {socket} and {port}; pick one, for where each instance listens"
                    : "names neither {socket} nor {port}, so Paddock cannot tell each instance where to listen; e.g. \"--uds\", \"{socket}\" (uvicorn), \"-b\", \"unix:{socket}\" (gunicorn), or \"--port\", \"{port}\"")
            }
            return .value(words)
        }
    }

    /// `env = { NAME = "value" }`, sorted by name.
    private static func decodeEnvironment(_ node: TOMLNode, at path: ConfigPath,
                                          _ diagnostics: inout Diagnostics) -> [(name: String, value: String)] {
        guard case .table(let entries) = node else {
            diagnostics.report(path, #"expected a table such as { PYTHONUNBUFFERED = "1" }, got \#(node.describedForMessage)"#)
            return []
        }
        var result: [(name: String, value: String)] = []
        for name in entries.keys.sorted() {
            let valid = name.utf8.first.map { !(0x30...0x39).contains($0) } == true && name.utf8.allSatisfy {
                $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
            }
            guard valid else {
                diagnostics.report(path.key(name), "\(quoted(name)) is not an environment variable name; expected letters, digits and _, not starting with a digit")
                continue
            }
            guard case .string(let value) = entries[name]!, !value.utf8.contains(0) else {
                diagnostics.report(path.key(name), "expected a string, got \(entries[name]!.describedForMessage)")
                continue
            }
            result.append((name, value))
        }
        return result
    }
}
