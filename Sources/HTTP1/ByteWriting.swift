/// Appending helpers for the serializers: no intermediate Strings for literals, numbers or
/// ranges copied from a source buffer.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func append(_ range: Range<Int>, of source: UnsafeRawBufferPointer) {
        append(contentsOf: UnsafeRawBufferPointer(rebasing: source[range]))
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: UInt64) {
        appendDigits(value, radix: 10)
    }

    /// Appends `value` in lowercase hexadecimal.
    mutating func appendHex(_ value: UInt64) {
        appendDigits(value, radix: 16)
    }

    private mutating func appendDigits(_ value: UInt64, radix: UInt64) {
        // Most significant digit first, without a scratch buffer: divisor <= value, so no overflow.
        var divisor: UInt64 = 1
        while value / divisor >= radix { divisor *= radix }
        var rest = value
        while true {
            let digit = UInt8(truncatingIfNeeded: rest / divisor)
            append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            rest %= divisor
            if divisor == 1 { break }
            divisor /= radix
        }
    }

    /// Appends "name: value\r\n".
    mutating func appendField(_ name: StaticString, _ value: Range<Int>, of source: UnsafeRawBufferPointer) {
        append(name)
        append(": ")
        append(value, of: source)
        append("\r\n")
    }
}

extension Array where Element == UInt8 {
    /// Appends a proxy-supplied string (config values, client addresses, extra fields),
    /// dropping every byte a field value may not hold. Why: such strings are not parsed, so
    /// a stray CR or LF in them would otherwise inject header lines.
    mutating func appendFieldText(_ text: String) {
        appendFiltered(text, keeping: ByteClass.fieldValue)
    }

    /// Appends "name: text\r\n" for a proxy-supplied value (filtered as `appendFieldText`).
    mutating func appendField(_ name: StaticString, text: String) {
        append(name)
        append(": ")
        appendFieldText(text)
        append("\r\n")
    }

    /// Appends a proxy-supplied field name, keeping only token bytes (same reason as above).
    mutating func appendFieldName(_ text: String) {
        appendFiltered(text, keeping: ByteClass.token)
    }

    /// The bytes of `text` that `keep` accepts. The usual case, where every byte is kept, is one
    /// bulk append rather than a capacity and uniqueness check per byte (this runs for several
    /// fields of every proxied request).
    private mutating func appendFiltered(_ text: String, keeping byteClass: UInt8) {
        var text = text
        ByteClass.withView { view in
            text.withUTF8 { bytes in
                if !bytes.contains(where: { view.table[Int($0)] & byteClass == 0 }) {
                    append(contentsOf: bytes)
                } else {
                    for b in bytes where view.table[Int(b)] & byteClass != 0 { append(b) }
                }
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// `Content-Length: n` and its CRLF, as both serializers write it.
    mutating func appendContentLengthField(_ length: UInt64) {
        append("Content-Length: ")
        appendDecimal(length)
        append("\r\n")
    }
}
