#if canImport(Glibc)
import Glibc
#endif

/// Paths a config may write relative to its own folder.
enum RelativePath {
    /// The absolute directory of the config file, for paths written relative to it (static roots, TLS files).
    static func configDirectory(_ file: String) -> String {
        var directory = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
        if directory.isEmpty { directory = "/" }
        if directory.hasPrefix("/") { return directory }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return directory }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return directory == "." ? cwd : cwd + "/" + directory
    }

    /// `text` as an absolute path: as written if it starts with "/", else under `base`.
    static func absolute(_ text: String, relativeTo base: String) -> String {
        text.hasPrefix("/") ? text : (base.hasSuffix("/") ? base : base + "/") + text
    }
}
