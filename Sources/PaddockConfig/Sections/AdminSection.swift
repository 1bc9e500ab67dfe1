/// `[admin]`: the optional health endpoint.
enum AdminSection {
    static let schema: TableSchema = ["listen"]

    /// The admin listener and where it was written; nil if the section is invalid (reported).
    static func decode(
        _ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics
    ) -> (path: ConfigPath, address: SocketAddressSpec)? {
        guard let reader = TableReader.open(node, at: path, schema: schema, &diagnostics),
              let address = reader.required("listen", .address, &diagnostics)
        else { return nil }
        return (path.key("listen"), address)
    }
}
