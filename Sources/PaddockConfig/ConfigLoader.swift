/// Turns a TOML config file into a validated `Config`, or every problem found in it.
public enum ConfigLoader {
    /// Reads and validates the file at `path`. An unreadable file is one error naming the file and the OS reason.
    public static func load(path: String) throws(ConfigErrors) -> Config {
        switch ConfigFile.contents(of: path) {
        case .success(let text):
            return try parse(text, file: path)
        case .failure(let failure):
            throw ConfigErrors(errors: [ConfigError(file: path, keyPath: "", message: failure.message)])
        }
    }

    /// Validates TOML text; `file` is only used in messages.
    public static func parse(_ toml: String, file: String) throws(ConfigErrors) -> Config {
        let root: [String: TOMLNode]
        switch TOMLDocument.parse(toml) {
        case .success(let table):
            root = table
        case .failure(let syntax):
            throw ConfigErrors(errors: [ConfigError(
                file: file, keyPath: "", message: "TOML syntax error: \(syntax.message)", line: syntax.line, column: syntax.column
            )])
        }
        var diagnostics = Diagnostics(file: file)
        if let config = RootSection.decode(root, &diagnostics), diagnostics.isEmpty {
            return config
        }
        if diagnostics.isEmpty {
            assertionFailure("validation produced no config and no error")
            diagnostics.report(.root, "internal error: the configuration was rejected without a reason")
        }
        throw ConfigErrors(errors: diagnostics.errors)
    }
}
