/// Parses one complete field line (`field-name ":" OWS field-value OWS`, RFC 9112 §5),
/// CRLF already removed. `ChunkedDecoder` applies the same rules to trailer lines byte by
/// byte, since it cannot hold a whole line.
///
/// Strict on purpose, because proxies and app servers that disagree on a field's boundaries
/// enable request smuggling:
/// - a line starting with SP/HTAB is rejected: obs-fold (RFC 9112 §5.2), or whitespace before the
///   first field line (§2.2);
/// - the name must be a non-empty token, directly followed by ":" (§5.1: no whitespace before the colon);
/// - the value may hold VCHAR, SP, HTAB and obs-text only (RFC 9110 §5.5): NUL, DEL and other
///   CTLs are rejected. CR and LF cannot occur: `LineScanner` already split on CRLF and
///   rejected bare ones.
enum FieldLineSyntax {
    struct Parsed {
        var name: Range<Int>
        var value: Range<Int>
        var hasUnderscore: Bool
    }

    enum Outcome {
        case field(Parsed)
        case invalid(String)
    }

    static func parse(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer, isFirst: Bool) -> Outcome {
        ByteClass.withView { parse(line, in: buffer, isFirst: isFirst, classes: $0) }
    }

    private static func parse(
        _ line: Range<Int>, in buffer: UnsafeRawBufferPointer, isFirst: Bool, classes: ByteClass.View
    ) -> Outcome {
        var i = line.lowerBound
        let end = line.upperBound
        let first = buffer[i]
        if ByteClass.isOWS(first) {
            return .invalid(isFirst ? "whitespace before first field line" : "obsolete line folding")
        }
        var hasUnderscore = false
        while i < end {
            let b = buffer[i]
            guard classes.isToken(b) else { break }
            if b == UInt8(ascii: "_") { hasUnderscore = true }
            i += 1
        }
        guard i < end else { return .invalid("field line without colon") }
        if buffer[i] != .colon {
            if buffer.firstIndex(of: .colon, in: i..<end) == nil { return .invalid("field line without colon") }
            return .invalid(ByteClass.isOWS(buffer[i])
                            ? "whitespace between field name and colon" : "invalid character in field name")
        }
        let name = line.lowerBound..<i
        guard !name.isEmpty else { return .invalid("empty field name") }
        let value = buffer.trimmingOWS((i + 1)..<end)
        var j = value.lowerBound
        while j < value.upperBound {
            // Most values are plain printable ASCII: accept them a word at a time.
            if j + 8 <= value.upperBound, isPlainText(buffer.loadUnaligned(fromByteOffset: j, as: UInt64.self)) {
                j += 8
                continue
            }
            guard classes.isFieldValue(buffer[j]) else { return .invalid("invalid character in field value") }
            j += 1
        }
        return .field(Parsed(name: name, value: value, hasUnderscore: hasUnderscore))
    }

    /// True if no byte of `word` is below 0x20 or equal to 0x7F (DEL), so every byte is SP,
    /// VCHAR or obs-text. False does not mean invalid (HTAB is valid): the caller then checks
    /// byte by byte. Uses the "has byte less than n" and "has zero byte" bit tricks.
    @inline(__always)
    static func isPlainText(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        let del = word ^ (ones &* 0x7F)
        let hasDEL = (del &- ones) & ~del & highs
        return hasControl | hasDEL == 0
    }
}
