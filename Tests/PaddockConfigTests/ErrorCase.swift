import Testing

/// One table-driven validation case: a TOML document and the exact error lines it must produce.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var toml: String
    var expected: [String]

    init(_ name: String, _ toml: String, _ expected: String...) {
        self.name = name
        self.toml = toml
        self.expected = expected
    }

    var testDescription: String { name }
}
