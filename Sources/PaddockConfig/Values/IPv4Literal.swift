/// Strict dotted-quad IPv4 parsing.
enum IPv4Literal {
    /// Returns `text` if it is exactly four decimal octets 0...255 separated by dots, with no
    /// leading zeros (other than "0" itself), signs or whitespace; otherwise nil.
    static func canonical(_ text: Substring) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy(isOctet) else { return nil }
        return String(text)
    }

    private static func isOctet(_ part: Substring) -> Bool {
        guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return false
        }
        if part.utf8.count > 1, part.utf8.first == UInt8(ascii: "0") { return false }
        guard let value = Int(part) else { return false }
        return value <= 255
    }
}
