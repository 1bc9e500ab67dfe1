/// Which status each class of field-section error maps to, for code shared by both parsers.
/// Requests blame the client (4xx); responses blame the upstream, so every response error is 502.
struct ErrorPolicy: Sendable {
    /// Malformed syntax.
    var syntax: Int
    /// Too many fields (the per-line and whole-head limits are checked by the parsers).
    var fieldsTooLarge: Int

    static let request = ErrorPolicy(syntax: 400, fieldsTooLarge: 431)
    static let response = ErrorPolicy(syntax: 502, fieldsTooLarge: 502)

    func syntax(_ reason: String) -> HTTPParseError { HTTPParseError(status: syntax, reason: reason) }
}
