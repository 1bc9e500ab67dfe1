/// Cross-section check: no two listeners (proxy or admin) may bind the same socket.
///
/// Two addresses clash if they are equal, or share family and port while one is the wildcard
/// (0.0.0.0 or [::]), since the second bind would fail with EADDRINUSE.
enum ListenerChecks {
    typealias Listener = (path: ConfigPath, address: SocketAddressSpec)

    /// A table's `listen`: one address or a list of them, each with where it was written.
    static func decodeListen(_ reader: TableReader, example: String, _ diagnostics: inout Diagnostics) -> [Listener] {
        let elements = ListField.elements(
            reader.node("listen"), at: reader.path.key("listen"),
            expected: "one or more listen addresses", example: example, singleAllowed: true, &diagnostics
        )
        return elements.compactMap { element in
            ValueType.address.read(element.node, at: element.path, &diagnostics).map { (element.path, $0) }
        }
    }

    static func check(proxy: [Listener], admin: Listener?, _ diagnostics: inout Diagnostics) {
        for (index, listener) in proxy.enumerated() {
            if let earlier = proxy[..<index].first(where: { clash($0.address, listener.address) }) {
                diagnostics.report(listener.path, clashMessage(listener.address, earlier, duplicate: "is listed twice (also at \(earlier.path))"))
            }
        }
        if let admin, let other = proxy.first(where: { clash($0.address, admin.address) }) {
            diagnostics.report(admin.path, clashMessage(admin.address, other, duplicate: "is also a proxy listener (\(other.path)); the admin endpoint needs its own address"))
        }
    }

    /// A server at one of Paddock's own listeners would send each request back into the proxy,
    /// round and round until the connections run out.
    static func checkServers(_ pools: [PoolConfig], listeners: [Listener], _ diagnostics: inout Diagnostics) {
        for pool in pools {
            for (index, server) in pool.servers.enumerated() {
                guard let listener = listeners.first(where: { clash($0.address, server.address) }) else { continue }
                let path = ConfigPath.root.key("pools").key(pool.name).key("servers").index(index).key("address")
                diagnostics.report(path, "\(quoted(server.address.description)) is Paddock's own listener (\(listener.path)); requests would loop back into the proxy")
            }
        }
    }

    static func clash(_ a: SocketAddressSpec, _ b: SocketAddressSpec) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.ipv4(_, let portA), .ipv4(_, let portB)), (.ipv6(_, let portA), .ipv6(_, let portB)):
            return portA == portB && (a.isWildcard || b.isWildcard)
        default:
            return false
        }
    }

    private static func clashMessage(_ address: SocketAddressSpec, _ other: Listener, duplicate: String) -> String {
        let shown = quoted(address.description)
        if address == other.address {
            return "\(shown) \(duplicate)"
        }
        return "\(shown) overlaps \(quoted(other.address.description)) (\(other.path)); they cannot both be bound"
    }
}
