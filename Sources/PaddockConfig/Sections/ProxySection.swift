/// `[proxy]`: the client-facing side.
enum ProxySection {
    static let schema = TableSchema(keys: [
        "listen", "trust_forwarded_for", "drop_underscore_headers", "buffer_memory", "temp_dir", "max_temp_file",
        "access_log", "access_log_format",
    ]).replacing([
        "client_timeout": #"no longer supported; the [timeouts] table sets client_idle, client_header, client_body and client_send apart, e.g. [timeouts] client_idle = "60s""#,
        "max_body_bytes": #"no longer supported; it moved to the [limits] table: [limits] max_body_bytes = "100MB""#,
    ])

    /// The decoded section plus where each listener was written, for duplicate checks.
    struct Decoded {
        var config: ProxyConfig
        var listeners: [(path: ConfigPath, address: SocketAddressSpec)]
    }

    static var accessLogTarget: ValueType<AccessLogConfig.Target> {
        ValueType(expected: #""stderr", "off" or an absolute path"#) { node in
            guard case .string(let text) = node else { return .wrongType }
            switch text {
            case "off": return .value(.off)
            case "stderr": return .value(.standardError)
            case _ where text.hasPrefix("/"): return .value(.file(text))
            default:
                return .invalid("\(quoted(text)) is not a log target; expected \"stderr\", \"off\" or an absolute path such as \"/var/log/paddock/access.log\"")
            }
        }
    }

    static func decode(_ node: TOMLNode?, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> Decoded? {
        guard let node else {
            diagnostics.report(path, #"missing required section; add [proxy] with listen = ["127.0.0.1:8080"]"#)
            return nil
        }
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return nil }

        let listeners = ListenerChecks.decodeListen(reader, example: #"listen = ["127.0.0.1:8080"]"#, &diagnostics)
        let config = ProxyConfig(
            listen: listeners.map(\.1),
            trustForwardedFor: reader.optional(
                "trust_forwarded_for", .boolean, default: ConfigDefaults.trustForwardedFor, &diagnostics),
            dropUnderscoreHeaders: reader.optional(
                "drop_underscore_headers", .boolean, default: ConfigDefaults.dropUnderscoreHeaders, &diagnostics),
            bufferMemoryBytes: reader.optional(
                "buffer_memory", .byteSize, default: ConfigDefaults.bufferMemoryBytes, &diagnostics),
            tempDirectory: reader.optional("temp_dir", .absolutePath, default: ConfigDefaults.tempDirectory, &diagnostics),
            maxTempFileBytes: reader.optional(
                "max_temp_file", .byteSize, default: ConfigDefaults.maxTempFileBytes, &diagnostics),
            accessLog: AccessLogConfig(
                target: reader.optional("access_log", Self.accessLogTarget, default: ConfigDefaults.accessLog, &diagnostics),
                format: reader.optional("access_log_format", .oneOf(AccessLogConfig.Format.self, noun: "log format"),
                                        default: ConfigDefaults.accessLogFormat, &diagnostics))
        )
        return Decoded(config: config, listeners: listeners)
    }
}
