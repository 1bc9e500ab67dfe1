/// `[tls]`: `listen`, `certificates = [{ cert, key }, ...]`, `min_version`.
enum TLSSection {
    static let schema: TableSchema = ["listen", "certificates", "min_version", "redirect_http", "hsts"]
    static let certificateSchema: TableSchema = ["cert", "key"]

    struct Decoded {
        var config: TLSConfig
        var listeners: [(path: ConfigPath, address: SocketAddressSpec)]
    }

    static func decode(_ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> Decoded? {
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return nil }
        let errorsBefore = diagnostics.errors.count
        let listeners = ListenerChecks.decodeListen(reader, example: #"listen = ["0.0.0.0:8443"]"#, &diagnostics)
        let base = RelativePath.configDirectory(diagnostics.file)
        let certificateElements = ListField.elements(
            reader.node("certificates"), at: path.key("certificates"),
            expected: "one or more certificates", example: #"certificates = [{ cert = "/etc/paddock/site.pem", key = "/etc/paddock/site.key" }]"#,
            singleAllowed: false, &diagnostics
        )
        var certificates: [TLSConfig.Certificate] = []
        for element in certificateElements {
            guard let entry = TableReader.open(element.node, at: element.path, schema: certificateSchema,
                                               expected: #"a table such as { cert = "site.pem", key = "site.key" }"#, &diagnostics)
            else { continue }
            let cert = entry.required("cert", filePath(relativeTo: base), &diagnostics)
            let key = entry.required("key", filePath(relativeTo: base), &diagnostics)
            if let cert, let key { certificates.append(TLSConfig.Certificate(cert: cert, key: key)) }
        }
        let minVersion = reader.optional("min_version", version, default: ConfigDefaults.tlsMinVersion, &diagnostics)
        let redirect = reader.optional("redirect_http", .boolean, default: ConfigDefaults.tlsRedirectHTTP, &diagnostics)
        let hsts = reader.optional("hsts", fieldValue, default: ConfigDefaults.tlsHSTS, &diagnostics)
        guard diagnostics.errors.count == errorsBefore else { return nil }
        return Decoded(config: TLSConfig(listen: listeners.map(\.1), certificates: certificates, minVersion: minVersion,
                                         redirectHTTP: redirect, hsts: hsts),
                       listeners: listeners)
    }

    /// Text that can stand as a header value: visible ASCII and spaces.
    static var fieldValue: ValueType<String> {
        ValueType(expected: #"a header value such as "max-age=31536000""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard text.utf8.allSatisfy({ $0 == 0x20 || ($0 > 0x20 && $0 < 0x7F) }) else {
                return .invalid("\(quoted(text)) cannot be a header value; use visible ASCII and spaces, e.g. \"max-age=31536000\"")
            }
            return .value(text)
        }
    }

    static var version: ValueType<TLSConfig.Version> {
        ValueType(expected: #""1.2" or "1.3""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            if let version = TLSConfig.Version(rawValue: text) { return .value(version) }
            if text == "1.0" || text == "1.1" {
                return .invalid("TLS \(text) is not offered (it is broken and browsers dropped it); expected \"1.2\" or \"1.3\"")
            }
            return .invalid("\(quoted(text)) is not a TLS version; expected \"1.2\" or \"1.3\"")
        }
    }

    /// A file path, made absolute against the config file's folder. Whether it exists and parses
    /// is the TLS layer's check.
    static func filePath(relativeTo base: String) -> ValueType<String> {
        ValueType(expected: #"a file path such as "/etc/paddock/site.pem""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard !text.isEmpty else { return .invalid("empty; expected a file path") }
            return .value(RelativePath.absolute(text, relativeTo: base))
        }
    }
}
