/// `health = { path = "/healthz", interval = "2s", timeout = "1s", rise = 2, fall = 2,
/// expect_status = "2xx", host = "localhost" }` in a pool.
enum HealthSection {
    static let schema: TableSchema = ["path", "host", "interval", "timeout", "rise", "fall", "expect_status"]

    /// The check, or nil if anything in it was reported.
    static func decode(_ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> HealthCheckConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema,
                                            expected: #"a table such as { path = "/healthz" }"#, &diagnostics)
        else { return nil }
        let errorsBefore = diagnostics.errors.count
        let checkPath = reader.optional("path", Self.requestPath, default: ConfigDefaults.healthPath, &diagnostics)
        let host = reader.optional("host", Self.hostHeader, default: ConfigDefaults.healthHost, &diagnostics)
        let interval = reader.optional("interval", .duration(), default: ConfigDefaults.healthIntervalMilliseconds, &diagnostics)
        let timeout = reader.optional("timeout", .duration(), default: ConfigDefaults.healthTimeoutMilliseconds, &diagnostics)
        let rise = reader.optional("rise", .integer(in: 1...100), default: ConfigDefaults.healthRise, &diagnostics)
        let fall = reader.optional("fall", .integer(in: 1...100), default: ConfigDefaults.healthFall, &diagnostics)
        let expect = reader.optional("expect_status", Self.statusList, default: ConfigDefaults.healthExpectStatus, &diagnostics)
        if timeout > interval {
            diagnostics.report(path.key("timeout"), "must not be longer than interval (\(interval)ms), or checks would overlap")
        }
        guard diagnostics.errors.count == errorsBefore else { return nil }
        return HealthCheckConfig(path: checkPath, host: host, intervalMilliseconds: interval, timeoutMilliseconds: timeout,
                                 rise: rise, fall: fall, expectStatus: expect)
    }

    /// An origin-form request target: "/" followed by visible ASCII.
    static var requestPath: ValueType<String> {
        ValueType(expected: #"a path such as "/healthz""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard text.hasPrefix("/"), text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return .invalid("\(quoted(text)) is not a request path; expected \"/\" and then visible ASCII, no spaces")
            }
            return .value(text)
        }
    }

    static var hostHeader: ValueType<String> {
        ValueType(expected: #"a host such as "localhost""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard !text.isEmpty, text.utf8.count <= 255, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else {
                return .invalid("\(quoted(text)) is not a host for the Host header; expected e.g. \"localhost\" or \"app.internal:8000\"")
            }
            return .value(text)
        }
    }

    static var statusList: ValueType<StatusMatcher> {
        ValueType(expected: #"statuses such as "2xx" or "200,204""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard let matcher = StatusMatcher(text) else {
                return .invalid("\(quoted(text)) is not a status list; expected codes and classes separated by commas, e.g. \"2xx\", \"200,204\" or \"2xx,3xx\"")
            }
            return .value(matcher)
        }
    }
}
