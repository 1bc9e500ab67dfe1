/// One `[[routes]]` table.
enum RouteSection {
    static let schema: TableSchema = ["host", "path_prefix", "pool", "static"]

    /// The route, or nil if anything in it was reported.
    static func decode(
        _ node: TOMLNode, at path: ConfigPath, poolNames: [String], _ diagnostics: inout Diagnostics
    ) -> RouteConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics) else { return nil }
        let errorsBefore = diagnostics.errors.count
        let host = reader.optional("host", hostName, &diagnostics)
        let pathPrefix = reader.optional("path_prefix", Self.pathPrefix, &diagnostics)
        let target: RouteConfig.Target?
        if let files = reader.node("static") {
            if reader.node("pool") != nil {
                diagnostics.report(path.key("static"), "a route serves a pool or a folder, not both; remove pool or static")
            }
            target = StaticSection.decode(files, at: path.key("static"), &diagnostics).map { .files($0) }
        } else {
            let poolExpected = poolNames.isEmpty ? "a pool name" : "one of the defined pools: \(poolNames.joined(separator: ", "))"
            target = reader.required("pool", poolReference(poolNames), expected: poolExpected + #", or static = { root = "/path" }"#,
                                     &diagnostics).map { .pool($0) }
        }
        guard let target, diagnostics.errors.count == errorsBefore else { return nil }
        return RouteConfig(host: host, pathPrefix: pathPrefix, target: target)
    }

    /// A host name, normalized (lowercased, port stripped).
    static var hostName: ValueType<String> {
        ValueType(expected: "a host name string") { node in
            guard case .string(let text) = node else { return .wrongType }
            guard let host = HostName.normalize(text) else {
                return .invalid(#"\#(quoted(text)) is not a valid host name; expected a name such as "api.example.com", optionally with ":port""#)
            }
            return .value(host)
        }
    }

    /// A path prefix: starts with "/", no spaces, control characters, "?" or "#".
    static var pathPrefix: ValueType<String> {
        ValueType(expected: #"a path string such as "/api/""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard text.hasPrefix("/") else {
                return .invalid(#"\#(quoted(text)) does not start with "/"; expected a path such as "/api/""#)
            }
            let forbidden = text.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == "?" || $0 == "#" }
            guard !forbidden else {
                return .invalid(##"\##(quoted(text)) is not a valid path prefix; it must not contain spaces, control characters, "?" or "#""##)
            }
            return .value(text)
        }
    }

    /// The name of a pool defined in the file.
    static func poolReference(_ poolNames: [String]) -> ValueType<String> {
        ValueType(expected: "a pool name") { node in
            guard case .string(let name) = node else { return .wrongType }
            if poolNames.contains(name) { return .value(name) }
            guard !poolNames.isEmpty else {
                return .invalid("\(quoted(name)) is not a defined pool; no pools are defined")
            }
            var message = "\(quoted(name)) is not a defined pool; defined pools: \(poolNames.joined(separator: ", "))"
            if let suggestion = DidYouMean.suggestion(for: name, among: poolNames) {
                message += " (did you mean \(quoted(suggestion))?)"
            }
            return .invalid(message)
        }
    }
}
