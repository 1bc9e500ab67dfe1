/// A TOML value copied out of the parser into plain Swift values.
///
/// Invariant: holds no references into TOMLKit, so it is `Sendable` and independent of the parser's lifetime.
enum TOMLNode: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLNode])
    case table([String: TOMLNode])
    /// Dates, times and date-times; the config never accepts them, so only their text is kept.
    case dateTime(String)

    /// The type with an article, for messages: "a string", "an integer", ...
    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .dateTime: "a date/time"
        }
    }

    /// How the value is shown in messages: scalars as TOML literals, containers by type only.
    var literal: String? {
        switch self {
        case .string(let value): quoted(value)
        case .integer(let value): String(value)
        case .float(let value): String(value)
        case .boolean(let value): String(value)
        case .dateTime(let value): value
        case .array, .table: nil
        }
    }

    /// `"4" (a string)`, `4 (an integer)`, `a table`.
    var describedForMessage: String {
        literal.map { "\($0) (\(typeName))" } ?? typeName
    }
}
