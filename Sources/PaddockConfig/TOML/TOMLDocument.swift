import TOMLKit

/// The only file that touches TOMLKit: parses text into a `TOMLNode` tree.
enum TOMLDocument {
    /// A TOML syntax error with its 1-based position, if the parser reported one.
    struct SyntaxError: Error, Equatable {
        var message: String
        var line: Int?
        var column: Int?
    }

    /// Parses a whole document; the root is always a table.
    static func parse(_ text: String) -> Result<[String: TOMLNode], SyntaxError> {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            return .failure(SyntaxError(
                message: error.description,
                line: position.line > 0 ? position.line : nil,
                column: position.column > 0 ? position.column : nil
            ))
        } catch {
            return .failure(SyntaxError(message: String(describing: error)))
        }
        return .success(convertTable(table))
    }

    private static func convertTable(_ table: TOMLTable) -> [String: TOMLNode] {
        var entries: [String: TOMLNode] = [:]
        for (key, value) in table {
            entries[key] = convertValue(value)
        }
        return entries
    }

    private static func convertValue(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .string: .string(value.string ?? "")
        case .int: .integer(Int64(value.int ?? 0))
        case .double: .float(value.double ?? 0)
        case .bool: .boolean(value.bool ?? false)
        case .array: .array(value.array.map { $0.map(convertValue) } ?? [])
        case .table: .table(value.table.map(convertTable) ?? [:])
        case .date, .time, .dateTime: .dateTime(value.debugDescription)
        }
    }
}
