/// Route host names: what a request's Host header is compared with.
enum HostName {
    /// Lowercases `text` and strips a ":port" suffix ("API.example.com:8080" → "api.example.com";
    /// "[::1]:80" → "[::1]"). Returns nil unless the remaining name is non-empty and is either a
    /// bracketed IPv6 literal or consists of letters, digits, ".", "-" and "_".
    static func normalize(_ text: String) -> String? {
        let lower = text.lowercased()
        if lower.hasPrefix("[") {
            guard let close = lower.firstIndex(of: "]") else { return nil }
            let rest = lower[lower.index(after: close)...]
            guard rest.isEmpty || isPortSuffix(rest) else { return nil }
            let inner = lower[lower.index(after: lower.startIndex)..<close]
            return IPv6Literal.canonical(inner) == nil ? nil : String(lower[...close])
        }
        var name = lower[...]
        if let colon = lower.lastIndex(of: ":") {
            guard isPortSuffix(lower[colon...]) else { return nil }
            name = lower[..<colon]
        }
        guard !name.isEmpty, name.allSatisfy(isNameCharacter) else { return nil }
        return String(name)
    }

    private static func isPortSuffix(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        return text.first == ":" && (1...5).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "-" || character == "_")
    }
}
