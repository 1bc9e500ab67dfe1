/// `text` as a double-quoted string with quotes, backslashes and control characters escaped: valid both
/// as a TOML basic string (for config messages) and as a JSON string (for the health report).
public func quoted(_ text: some StringProtocol) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u" + hex4(scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

/// Joins quoted alternatives for messages: `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
func alternatives(_ items: [String]) -> String {
    let quotedItems = items.map { quoted($0) }
    guard let last = quotedItems.last else { return "" }
    if quotedItems.count == 1 { return last }
    return quotedItems.dropLast().joined(separator: ", ") + " or " + last
}

private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
