/// Interpretation of the Content-Length fields of a head (RFC 9112 §6.3, RFC 9110 §8.6).
///
/// Policy: exactly one field whose value is 1*DIGIT fitting in UInt64. Rejected: a sign,
/// hex, inner spaces, empty values, overflow, comma lists ("5, 5") and any second
/// Content-Length field, even an identical one. Accepting identical duplicates is allowed by
/// RFC 9110 §8.6 but gains nothing, and rejecting all of them leaves no ambiguity to exploit.
enum ContentLength {
    enum Summary: Equatable {
        case absent
        case value(UInt64)
        case invalid(String)
    }

    static func summarize(_ fields: [HeaderField], in buffer: UnsafeRawBufferPointer) -> Summary {
        var result = Summary.absent
        for field in fields where field.token == .contentLength {
            guard result == .absent else { return .invalid("multiple Content-Length fields") }
            guard let n = parse(field.value, in: buffer) else { return .invalid("invalid Content-Length") }
            result = .value(n)
        }
        return result
    }

    /// Parses 1*DIGIT into UInt64; nil on any other byte, emptiness or overflow.
    static func parse(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var n: UInt64 = 0
        for i in range {
            let b = buffer[i]
            guard ByteClass.isDigit(b) else { return nil }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            n = sum
        }
        return n
    }
}
