/// Reads a key whose value must be a non-empty array, reporting a missing key, an empty array or a
/// non-array. Elements come back with their own paths ("servers[2]") for per-element validation.
enum ListField {
    /// - Parameters:
    ///   - expected: what the array holds, e.g. "one or more servers".
    ///   - example: a TOML snippet shown in missing/empty messages.
    ///   - singleAllowed: accept a lone non-array value as a one-element list at `path` itself.
    static func elements(
        _ node: TOMLNode?,
        at path: ConfigPath,
        expected: String,
        example: String,
        singleAllowed: Bool = false,
        _ diagnostics: inout Diagnostics
    ) -> [(path: ConfigPath, node: TOMLNode)] {
        guard let node else {
            diagnostics.report(path, "missing required key; expected \(expected), e.g. \(example)")
            return []
        }
        switch node {
        case .array(let items) where items.isEmpty:
            diagnostics.report(path, "empty; expected \(expected), e.g. \(example)")
            return []
        case .array(let items):
            return items.enumerated().map { (path.index($0.offset), $0.element) }
        default:
            if singleAllowed { return [(path, node)] }
            diagnostics.report(path, "expected an array of \(expected), got \(node.describedForMessage)")
            return []
        }
    }
}
