/// `servers = [{ address = ..., workers = ..., weight = ... }]` inside a pool.
enum ServerSection {
    static let schema: TableSchema = ["address", "workers", "weight"]
    static let workerRange = 1...10_000
    static let weightRange = 1...1_000
    static let example = #"servers = [{ address = "127.0.0.1:8000" }]"#

    /// Every valid server; duplicates within the pool are reported at the later one.
    static func decodeList(_ node: TOMLNode?, pool: String, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> [ServerConfig] {
        let elements = ListField.elements(node, at: path, expected: "one or more servers", example: example, &diagnostics)
        var servers: [ServerConfig] = []
        var firstSeen: [SocketAddressSpec: Int] = [:]
        for (index, element) in elements.enumerated() {
            guard let server = decode(element.node, at: element.path, &diagnostics) else { continue }
            if let earlier = firstSeen[server.address] {
                diagnostics.report(
                    element.path.key("address"),
                    "\(quoted(server.address.description)) is listed twice in pool \(quoted(pool)) (also at \(path.index(earlier)))"
                )
                continue
            }
            firstSeen[server.address] = index
            servers.append(server)
        }
        return servers
    }

    private static func decode(_ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> ServerConfig? {
        guard let reader = TableReader.open(
            node, at: path, schema: schema, expected: #"a server table such as { address = "127.0.0.1:8000" }"#, &diagnostics
        ) else { return nil }
        let address = reader.required("address", .address, &diagnostics)
        let workers = reader.optional("workers", .integer(in: workerRange), &diagnostics)
        let weight = reader.optional("weight", .integer(in: weightRange), &diagnostics)
        guard let address else { return nil }
        return ServerConfig(address: address, workers: workers ?? ConfigDefaults.workers, weight: weight ?? ConfigDefaults.weight)
    }
}
