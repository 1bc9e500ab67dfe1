/// `static = { root = "/srv/app/staticfiles", index = "", max_age = "1h", immutable_pattern = "",
/// allow_dotfiles = false }` on a route.
enum StaticSection {
    static let schema: TableSchema = ["root", "index", "max_age", "immutable_pattern", "allow_dotfiles"]

    /// The folder, or nil if anything in it was reported. The root must be a directory now: a typo
    /// in it is found by `check`, not by the first request.
    static func decode(_ node: TOMLNode, at path: ConfigPath, _ diagnostics: inout Diagnostics) -> StaticConfig? {
        guard let reader = TableReader.open(node, at: path, schema: schema,
                                            expected: #"a table such as { root = "/srv/app/staticfiles" }"#, &diagnostics)
        else { return nil }
        let errorsBefore = diagnostics.errors.count
        let root = reader.required("root", .directory(relativeTo: RelativePath.configDirectory(diagnostics.file), example: "/srv/app/staticfiles"),
                                   expected: #"the folder to serve, e.g. root = "/srv/app/staticfiles""#, &diagnostics)
        let index = reader.optional("index", fileName, default: ConfigDefaults.staticIndex, &diagnostics)
        let maxAge = reader.optional("max_age", .duration(minimum: 0), default: ConfigDefaults.staticMaxAgeSeconds * 1000, &diagnostics)
        let pattern = reader.optional("immutable_pattern", regularExpression, default: ConfigDefaults.staticImmutablePattern, &diagnostics)
        let dotfiles = reader.optional("allow_dotfiles", .boolean, default: ConfigDefaults.staticAllowDotfiles, &diagnostics)
        guard let root, diagnostics.errors.count == errorsBefore else { return nil }
        return StaticConfig(root: root, index: index, maxAgeSeconds: maxAge / 1000, immutablePattern: pattern,
                            allowDotfiles: dotfiles)
    }

    static var fileName: ValueType<String> {
        ValueType(expected: #"a file name such as "index.html", or """#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard !text.contains("/"), text != ".", text != "..", !text.utf8.contains(where: { $0 < 0x20 }) else {
                return .invalid("\(quoted(text)) is not a file name; expected a name without \"/\", e.g. \"index.html\"")
            }
            return .value(text)
        }
    }

    static var regularExpression: ValueType<String> {
        ValueType(expected: #"a regular expression such as "\\.[0-9a-f]{12}\\.""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard text.isEmpty || (try? Regex(text)) != nil else {
                return .invalid("\(quoted(text)) is not a valid regular expression")
            }
            return .value(text)
        }
    }
}
