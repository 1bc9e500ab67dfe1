/// The keys one TOML table accepts. The single source of truth for unknown-key errors and their
/// did-you-mean suggestions: adding a config key starts with adding it to the table's schema.
struct TableSchema: Sendable, ExpressibleByArrayLiteral {
    /// Known keys in documentation order (used for "known keys: ..." lists and suggestion ties).
    let keys: [String]
    /// Keys that do not belong here but are easily written here (older versions accepted them, or
    /// they belong to another table), each with the whole message saying what to write instead.
    private(set) var replaced: [String: String] = [:]

    init(keys: [String]) {
        self.keys = keys
    }

    init(arrayLiteral keys: String...) {
        self.init(keys: keys)
    }

    /// This schema, answering the keys in `replaced` with their own messages.
    func replacing(_ replaced: [String: String]) -> TableSchema {
        var schema = self
        schema.replaced = replaced
        return schema
    }

    func contains(_ key: String) -> Bool {
        keys.contains(key)
    }

    /// The message for a key not in the schema.
    func unknownKeyMessage(_ key: String) -> String {
        if let replacement = replaced[key] {
            return replacement
        }
        if let suggestion = DidYouMean.suggestion(for: key, among: keys) {
            return "unknown key (did you mean \(quoted(suggestion))?)"
        }
        return "unknown key; known keys: \(keys.joined(separator: ", "))"
    }
}
