/// Collects the field lines of a head as they complete, enforcing the field-count limit and
/// classifying each name once. Shared by the request and response parsers.
///
/// Invariant: `fields` holds only syntactically valid fields, in received order; `lineCount`
/// counts every field line seen, including dropped ones, so dropping cannot bypass the limit.
struct FieldAccumulator: Sendable {
    private(set) var fields: [HeaderField] = []
    private(set) var lineCount = 0

    mutating func reset() {
        fields = []
        lineCount = 0
    }

    /// Moves the collected fields out, leaving the accumulator empty.
    mutating func take() -> [HeaderField] {
        let result = fields
        reset()
        return result
    }

    mutating func add(
        _ line: Range<Int>, in buffer: UnsafeRawBufferPointer,
        limits: HTTPLimits, policy: ErrorPolicy, dropUnderscore: Bool
    ) -> HTTPParseError? {
        lineCount += 1
        if lineCount > limits.maxFieldCount {
            return HTTPParseError(status: policy.fieldsTooLarge, reason: "too many fields")
        }
        switch FieldLineSyntax.parse(line, in: buffer, isFirst: lineCount == 1) {
        case .invalid(let reason):
            return policy.syntax(reason)
        case .field(let parsed):
            if parsed.hasUnderscore && dropUnderscore { return nil }
            if fields.capacity == 0 {
                // One allocation for typical heads; the array still grows if a head is larger.
                fields.reserveCapacity(min(limits.maxFieldCount, 32))
            }
            let token = parsed.hasUnderscore ? FieldName.other : FieldName.classify(parsed.name, in: buffer)
            fields.append(HeaderField(name: parsed.name, value: parsed.value, token: token, isHopByHop: token.isHopByHop))
            return nil
        }
    }
}
