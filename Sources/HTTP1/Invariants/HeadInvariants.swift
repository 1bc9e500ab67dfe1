/// Checks shared by request and response heads: incremental parsing, the head's extent, its
/// field list and its upgrade.
enum HeadInvariants {
    /// Feeding growing prefixes to `parse` (one parser, resumed) gives the one-shot result:
    /// `.incomplete` until the result is known, then exactly that result.
    static func checkIncremental<Head: Equatable>(
        _ input: UnsafeRawBufferPointer, expected: HeadParseResult<Head>,
        parse: (UnsafeRawBufferPointer) -> HeadParseResult<Head>
    ) throws(InvariantViolation) {
        for cut in CutPoints.of(input) {
            let result = parse(UnsafeRawBufferPointer(rebasing: input[..<cut]))
            if case .incomplete = result { continue }
            try ensure(result == expected, "prefix of \(cut) bytes gave \(result), whole input \(expected)")
            return
        }
        let result = parse(input)
        try ensure(result == expected, "incremental parse gave \(result), one-shot \(expected)")
    }

    /// `headLength` lies within the input and the head ends with the empty line.
    static func checkExtent(_ headLength: Int, in buffer: UnsafeRawBufferPointer) throws(InvariantViolation) {
        try ensure(headLength >= 4 && headLength <= buffer.count, "headLength \(headLength) outside 4...\(buffer.count)")
        let end = Array(buffer[(headLength - 4)..<headLength])
        try ensure(end == [.cr, .lf, .cr, .lf], "head does not end with CRLFCRLF")
    }

    /// Every field: ranges inside the head and in order, a token name directly followed by ":",
    /// a value of field-value bytes without surrounding OWS, and a consistent classification.
    static func checkFields(
        _ fields: [HeaderField], headLength: Int, in buffer: UnsafeRawBufferPointer, limits: HTTPLimits, dropsUnderscore: Bool
    ) throws(InvariantViolation) {
        try ensure(fields.count <= limits.maxFieldCount, "\(fields.count) fields over the limit")
        var previousEnd = 0
        for field in fields {
            let name = field.name, value = field.value
            try ensure(name.lowerBound >= previousEnd && value.upperBound <= headLength - 2,
                       "field ranges \(name) \(value) out of order or outside the head")
            try ensure(name.upperBound < value.lowerBound, "value starts inside the name")
            try ensure(buffer.isToken(name), "field name is not a token")
            try ensure(buffer[name.upperBound] == .colon, "field name not followed by a colon")
            try ensure(name.count + 1 + value.count <= limits.maxFieldLineBytes, "field line over the limit")
            for i in value {
                try ensure(ByteClass.isFieldValue(buffer[i]), "byte \(buffer[i]) in a field value")
            }
            if let first = value.first, let last = value.last {
                try ensure(!ByteClass.isOWS(buffer[first]) && !ByteClass.isOWS(buffer[last]), "value not trimmed")
            }
            let hasUnderscore = buffer.firstIndex(of: UInt8(ascii: "_"), in: name) != nil
            try ensure(!(dropsUnderscore && hasUnderscore), "underscore field kept")
            let expected = hasUnderscore ? FieldName.other : FieldName.classify(name, in: buffer)
            try ensure(field.token == expected, "field classified \(field.token), expected \(expected)")
            try ensure(field.isHopByHop || !field.token.isHopByHop, "\(field.token) not marked hop-by-hop")
            try ensure(!(field.token == .host && field.isHopByHop), "Host marked hop-by-hop")
            previousEnd = value.upperBound
        }
    }

    /// The framing fields agree with the framing the parser chose: one valid Content-Length and
    /// no Transfer-Encoding for `.contentLength(n)`; Transfer-Encoding and no Content-Length for
    /// chunked.
    static func checkFramingFields(
        _ fields: [HeaderField], contentLength: UInt64?, chunked: Bool, in buffer: UnsafeRawBufferPointer
    ) throws(InvariantViolation) {
        let lengths = fields.filter { $0.token == .contentLength }
        let codings = fields.filter { $0.token == .transferEncoding }
        if let contentLength {
            try ensure(lengths.count == 1 && codings.isEmpty, "Content-Length framing with \(lengths.count) CL / \(codings.count) TE fields")
            try ensure(decimal(lengths[0].value, in: buffer) == contentLength, "Content-Length value differs from framing")
        }
        if chunked {
            try ensure(lengths.isEmpty && !codings.isEmpty, "chunked framing with \(lengths.count) CL / \(codings.count) TE fields")
        }
    }

    /// An upgrade, if any, is the value of one of the head's Upgrade fields.
    static func checkUpgrade(_ upgrade: Range<Int>?, fields: [HeaderField]) throws(InvariantViolation) {
        if let upgrade {
            try ensure(fields.contains { $0.token == .upgrade && $0.value == upgrade }, "upgrade is not an Upgrade value")
        }
    }

    /// An independent 1*DIGIT parser (no overflow handling needed beyond rejecting it).
    static func decimal(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for i in range {
            guard ByteClass.isDigit(buffer[i]) else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(buffer[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// The bytes of `range`, for comparing fields across two buffers.
    static func bytes(_ range: Range<Int>?, in buffer: UnsafeRawBufferPointer) -> [UInt8] {
        guard let range else { return [] }
        return Array(buffer[range])
    }

    /// (name, value) bytes of the fields that pass `include`, for order-preserving comparisons.
    static func pairs(
        _ fields: [HeaderField], in buffer: UnsafeRawBufferPointer, where include: (HeaderField) -> Bool
    ) -> [[UInt8]] {
        fields.filter(include).map { bytes($0.name, in: buffer) + [.colon] + bytes($0.value, in: buffer) }
    }
}
