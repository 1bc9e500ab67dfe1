/// Reads typed values out of one TOML table, reporting problems into `Diagnostics`.
///
/// Invariants: unknown keys (those not in `schema`) are reported exactly once, when the reader is
/// opened; every key a decoder asks for must be declared in `schema` (a programming error otherwise),
/// so the schema that drives unknown-key errors and did-you-mean is always complete.
struct TableReader {
    let path: ConfigPath
    private let entries: [String: TOMLNode]
    private let schema: TableSchema

    /// Opens a table that is known to be a table (e.g. the document root).
    init(_ entries: [String: TOMLNode], at path: ConfigPath, schema: TableSchema, _ diagnostics: inout Diagnostics) {
        self.path = path
        self.entries = entries
        self.schema = schema
        for key in entries.keys.sorted() where !schema.contains(key) {
            diagnostics.report(path.key(key), schema.unknownKeyMessage(key))
        }
    }

    /// Opens `node` as a table, or reports "expected <expected>, got ..." and returns nil.
    static func open(
        _ node: TOMLNode,
        at path: ConfigPath,
        schema: TableSchema,
        expected: String = "a table",
        _ diagnostics: inout Diagnostics
    ) -> TableReader? {
        guard case .table(let entries) = node else {
            diagnostics.report(path, "expected \(expected), got \(node.describedForMessage)")
            return nil
        }
        return TableReader(entries, at: path, schema: schema, &diagnostics)
    }

    /// The raw node for `key`, if present.
    func node(_ key: String) -> TOMLNode? {
        precondition(schema.contains(key), "key \(key) read from \(path) but missing from its schema")
        return entries[key]
    }

    /// The value for `key`, or `defaultValue` when absent or invalid (invalid values are reported).
    func optional<V>(_ key: String, _ type: ValueType<V>, default defaultValue: V, _ diagnostics: inout Diagnostics) -> V {
        optional(key, type, &diagnostics) ?? defaultValue
    }

    /// The value for `key`; nil when absent or invalid (invalid values are reported).
    func optional<V>(_ key: String, _ type: ValueType<V>, _ diagnostics: inout Diagnostics) -> V? {
        guard let node = node(key) else { return nil }
        return type.read(node, at: path.key(key), &diagnostics)
    }

    /// The value for `key`; nil (with an error) when absent or invalid.
    /// `expected` overrides the type's own description in the "missing" message.
    func required<V>(_ key: String, _ type: ValueType<V>, expected: String? = nil, _ diagnostics: inout Diagnostics) -> V? {
        guard let node = node(key) else {
            diagnostics.report(path.key(key), "missing required key; expected \(expected ?? type.expected)")
            return nil
        }
        return type.read(node, at: path.key(key), &diagnostics)
    }
}
