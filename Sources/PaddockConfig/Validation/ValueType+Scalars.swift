extension ValueType where Value == String {
    static var string: ValueType {
        ValueType(expected: "a string") { node in
            if case .string(let text) = node { return .value(text) }
            return .wrongType
        }
    }
}

extension ValueType where Value == String {
    /// An absolute filesystem path, e.g. a directory for temporary files.
    static var absolutePath: ValueType {
        ValueType(expected: "an absolute path") { node in
            guard case .string(let text) = node else { return .wrongType }
            guard text.hasPrefix("/") else { return .invalid("\(quoted(text)) is not an absolute path") }
            return .value(text)
        }
    }
}

extension ValueType where Value == Bool {
    static var boolean: ValueType {
        ValueType(expected: "true or false") { node in
            if case .boolean(let flag) = node { return .value(flag) }
            return .wrongType
        }
    }
}

extension ValueType where Value == Int {
    /// An integer within `range` (inclusive).
    static func integer(in range: ClosedRange<Int>) -> ValueType {
        ValueType(expected: "an integer") { node in
            guard case .integer(let number) = node else { return .wrongType }
            guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
                return .invalid("\(number) is out of range; expected \(range.lowerBound) to \(range.upperBound)")
            }
            return .value(Int(number))
        }
    }
}

extension ValueType {
    /// A string that must be one of `Value`'s raw values; suggests the closest on a typo.
    /// `noun` names the concept ("pool kind"); `describe` can annotate each case in "expected" lists.
    static func oneOf(
        _ type: Value.Type,
        noun: String,
        describe: (Value) -> String? = { _ in nil }
    ) -> ValueType where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
        let names = Value.allCases.map(\.rawValue)
        let annotated = Value.allCases.map { value in
            quoted(value.rawValue) + (describe(value).map { " (\($0))" } ?? "")
        }
        let expected = annotated.count > 1
            ? annotated.dropLast().joined(separator: ", ") + " or " + annotated[annotated.count - 1]
            : annotated.joined()
        return ValueType(expected: expected) { node in
            guard case .string(let text) = node else { return .wrongType }
            if let value = Value(rawValue: text) { return .value(value) }
            var message = "\(quoted(text)) is not a \(noun); expected \(alternatives(names))"
            if let suggestion = DidYouMean.suggestion(for: text, among: names) {
                message += " (did you mean \(quoted(suggestion))?)"
            }
            return .invalid(message)
        }
    }
}
