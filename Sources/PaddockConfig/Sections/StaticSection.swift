#if canImport(Glibc)
import Glibc
#endif

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
        let root = reader.required("root", directory(relativeTo: RelativePath.configDirectory(diagnostics.file)),
                                   expected: #"the folder to serve, e.g. root = "/srv/app/staticfiles""#, &diagnostics)
        let index = reader.optional("index", fileName, default: ConfigDefaults.staticIndex, &diagnostics)
        let maxAge = reader.optional("max_age", .duration(minimum: 0), default: ConfigDefaults.staticMaxAgeSeconds * 1000, &diagnostics)
        let pattern = reader.optional("immutable_pattern", regularExpression, default: ConfigDefaults.staticImmutablePattern, &diagnostics)
        let dotfiles = reader.optional("allow_dotfiles", .boolean, default: ConfigDefaults.staticAllowDotfiles, &diagnostics)
        guard let root, diagnostics.errors.count == errorsBefore else { return nil }
        return StaticConfig(root: root, index: index, maxAgeSeconds: maxAge / 1000, immutablePattern: pattern,
                            allowDotfiles: dotfiles)
    }

    /// An existing directory: absolute, or relative to the config file's own folder. The value is
    /// absolute, without a trailing "/".
    static func directory(relativeTo base: String) -> ValueType<String> {
        ValueType(expected: #"a folder such as "/srv/app/staticfiles" (or one relative to the config file)"#) { node in
            guard case .string(let text) = node else { return .wrongType }
            guard !text.isEmpty else { return .invalid("empty; expected the folder to serve") }
            var path = RelativePath.absolute(text, relativeTo: base)
            var info = stat()
            guard stat(path, &info) == 0 else {
                return .invalid("\(quoted(text)) cannot be used: \(String(cString: strerror(errno)))\(text == path ? "" : " (as \(quoted(path)))")")
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                return .invalid("\(quoted(text)) is not a directory")
            }
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
            return .value(path)
        }
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
