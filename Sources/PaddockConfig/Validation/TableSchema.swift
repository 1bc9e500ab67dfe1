/// The keys one TOML table accepts. The single source of truth for unknown-key errors and their
/// did-you-mean suggestions: adding a config key starts with adding it to the table's schema.
struct TableSchema: Sendable, ExpressibleByArrayLiteral {
    /// Known keys in documentation order (used for "known keys: ..." lists and suggestion ties).
    let keys: [String]

    init(arrayLiteral keys: String...) {
        self.keys = keys
    }

    func contains(_ key: String) -> Bool {
        keys.contains(key)
    }

    /// The message for a key not in the schema.
    func unknownKeyMessage(_ key: String) -> String {
        if let suggestion = DidYouMean.suggestion(for: key, among: keys) {
            return "unknown key (did you mean \(quoted(suggestion))?)"
        }
        return "unknown key; known keys: \(keys.joined(separator: ", "))"
    }
}
