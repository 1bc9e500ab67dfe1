extension ValueType where Value == Int64 {
    /// A duration string in milliseconds, at least `minimum` ms (timeouts use 1: zero is rejected).
    static func duration(minimum: Int64 = 1) -> ValueType {
        let quantity = DurationParser.quantity
        return ValueType(expected: #"a duration such as "2s""#) { node in
            switch node {
            case .string(let text):
                switch DurationParser.milliseconds(text) {
                case .success(let milliseconds) where milliseconds < minimum:
                    return .invalid("\(quoted(text)) is too short; expected at least \(minimum)ms")
                case .success(let milliseconds):
                    return .value(milliseconds)
                case .failure(let failure):
                    return .invalid(quantity.message(for: quoted(text), failure))
                }
            case .integer(let number):
                return .invalid(quantity.message(for: "\(number) (an integer)", number < 0 ? .negative : .missingUnit))
            default:
                return .wrongType
            }
        }
    }
}

extension ValueType where Value == UInt64 {
    /// A byte count: a bare integer, or a string with an optional unit ("100MB").
    static var byteSize: ValueType {
        let quantity = ByteSizeParser.quantity
        return ValueType(expected: #"a size such as 1048576 or "100MB""#) { node in
            switch node {
            case .integer(let number) where number < 0:
                return .invalid(quantity.message(for: String(number), .negative))
            case .integer(let number):
                return .value(UInt64(number))
            case .string(let text):
                switch ByteSizeParser.bytes(text) {
                case .success(let bytes): return .value(bytes)
                case .failure(let failure): return .invalid(quantity.message(for: quoted(text), failure))
                }
            default:
                return .wrongType
            }
        }
    }
}

extension ValueType where Value == Int {
    /// A byte count (as `byteSize` reads it) within `range`, for limits that index memory.
    static func byteCount(in range: ClosedRange<Int>) -> ValueType {
        let size = ValueType<UInt64>.byteSize
        return ValueType(expected: size.expected) { node in
            switch size.convert(node) {
            case let .value(bytes) where bytes >= UInt64(range.lowerBound) && bytes <= UInt64(range.upperBound):
                return .value(Int(bytes))
            case let .value(bytes):
                return .invalid("\(bytes) bytes is out of range; expected \(range.lowerBound) to \(range.upperBound)")
            case .wrongType:
                return .wrongType
            case let .invalid(message):
                return .invalid(message)
            }
        }
    }
}
