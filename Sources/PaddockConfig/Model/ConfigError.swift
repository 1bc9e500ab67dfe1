/// One problem found in a config file.
///
/// `description` is one line: "file:line:column: message" when a position is known,
/// otherwise "file: keyPath: message" (or "file: message" when `keyPath` is empty).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config path as the user gave it.
    public var file: String
    /// Dotted key path with zero-based indexes, e.g. "pools.web.servers[0].address"; may be empty.
    public var keyPath: String
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(file: String, keyPath: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
