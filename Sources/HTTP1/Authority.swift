/// Syntax check for a Host value or an absolute-form authority: `host [":" port]` where host is
/// a reg-name/IPv4 address (unreserved, sub-delims, `%`) or a bracketed IP literal
/// (RFC 3986 §3.2.2, §3.2.3), and port is *DIGIT.
///
/// "Plausible" rather than exact: it rejects what matters for routing and smuggling (spaces,
/// `/`, `@`, `?`, `#`, non-ASCII, several colons outside brackets) without validating IPv6 or
/// percent-encoding in detail. The empty value is accepted: RFC 9112 §3.2 has clients send an
/// empty Host when the target URI has no authority.
enum Authority {
    static func isPlausible(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        if i < end, buffer[i] == UInt8(ascii: "[") {
            i += 1
            let literalStart = i
            while i < end, buffer[i] != UInt8(ascii: "]") {
                let b = buffer[i]
                guard ByteClass.hexValue(b) != nil || b == .colon || b == UInt8(ascii: ".") else { return false }
                i += 1
            }
            guard i < end, i > literalStart else { return false }
            i += 1
        } else {
            while i < end, buffer[i] != .colon {
                guard ByteClass.isRegName(buffer[i]) else { return false }
                i += 1
            }
        }
        guard i < end else { return true }
        guard buffer[i] == .colon else { return false }
        i += 1
        while i < end {
            guard ByteClass.isDigit(buffer[i]) else { return false }
            i += 1
        }
        return true
    }
}
