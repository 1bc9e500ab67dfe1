#if canImport(Glibc)
import Glibc
#endif

extension ValueType where Value == String {
    /// An existing directory: absolute, or relative to the config file's own folder (`base`). The
    /// value is absolute, without a trailing "/". It must exist now, so a typo is found by `check`.
    static func directory(relativeTo base: String, example: String) -> ValueType {
        ValueType(expected: "a folder such as \"\(example)\" (or one relative to the config file)") { node in
            guard case .string(let text) = node else { return .wrongType }
            guard !text.isEmpty else { return .invalid("empty; expected a folder") }
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
}
