#if canImport(Glibc)
import Glibc
#endif
import PaddockConfig

/// One static route's folder, as a snapshot holds it: the config, the root with its symlinks
/// resolved, and the compiled `immutable_pattern`. Looking a file up is a few syscalls on the loop
/// (`realpath`, `open`, `fstat`, as nginx does without `open_file_cache`); the body is read on
/// libuv's thread pool.
final class StaticSite: @unchecked Sendable {  // immutable after init; Regex is not declared Sendable
    let config: StaticConfig
    /// `config.root` with symlinks resolved: every file served must be under it.
    let root: [UInt8]
    private let immutable: Regex<AnyRegexOutput>?

    init(config: StaticConfig) {
        self.config = config
        root = Self.realPath(Array(config.root.utf8)) ?? Array(config.root.utf8)
        immutable = config.immutablePattern.isEmpty ? nil : try? Regex(config.immutablePattern)
    }

    /// A file found for a request: open, with what is on disk beside it.
    struct Found {
        var name: [UInt8]
        var path: [UInt8]
        var fd: Int32
        var identity: StaticReply.File
        var brotli: StaticReply.File?
        var gzip: StaticReply.File?
    }

    /// The regular file a request path (after the route's prefix) names, or nil: it does not exist,
    /// is not a regular file, or resolves (through `..`, an encoded separator, or a symlink) to
    /// somewhere outside the root.
    func find(_ relative: some Collection<UInt8>) -> Found? {
        guard let resolved = StaticPath.resolve(relative, allowDotfiles: config.allowDotfiles) else { return nil }
        var path = root
        for segment in resolved.segments {
            path.append(UInt8(ascii: "/"))
            path += segment
        }
        var name = resolved.segments.last ?? []
        if resolved.namesFolder || isDirectory(path) {
            guard !config.index.isEmpty else { return nil }  // never a listing
            name = Array(config.index.utf8)
            path += [UInt8(ascii: "/")] + name
        }
        guard let real = insideRoot(path), let (fd, file) = openRegular(real) else { return nil }
        return Found(name: name, path: path, fd: fd, identity: file,
                     brotli: sibling(path, ".br"), gzip: sibling(path, ".gz"))
    }

    /// Opens the sibling a reply chose (`.br`, `.gz`), closing the plain file; nil if it is gone.
    func openSibling(of found: Found, _ encoding: StaticReply.Encoding) -> Int32? {
        guard encoding != .identity else { return found.fd }
        Glibc.close(found.fd)
        guard let real = insideRoot(found.path + Array(encoding.suffix.utf8)) else { return nil }
        return openRegular(real)?.0
    }

    func cacheControl(forName name: [UInt8]) -> String {
        guard config.maxAgeSeconds > 0 else { return "no-cache" }
        var value = "public, max-age=\(config.maxAgeSeconds)"
        if let immutable, String(decoding: name, as: UTF8.self).contains(immutable) { value += ", immutable" }
        return value
    }

    private func sibling(_ path: [UInt8], _ suffix: String) -> StaticReply.File? {
        guard let real = insideRoot(path + Array(suffix.utf8)), let info = statRegular(real) else { return nil }
        return info
    }

    /// The path with symlinks resolved, if it exists and is the root or under it; without
    /// `allow_dotfiles`, no name of the resolved path below the root may start with "." either (a
    /// symlink inside the root must not lead to `.git` or `.env`).
    private func insideRoot(_ path: [UInt8]) -> [UInt8]? {
        guard let real = Self.realPath(path) else { return nil }
        let rootPrefix = root.last == UInt8(ascii: "/") ? root : root + [UInt8(ascii: "/")]
        guard real == root || real.starts(with: rootPrefix) else { return nil }
        if !config.allowDotfiles {
            let below = real.dropFirst(min(rootPrefix.count, real.count))
            if below.split(separator: UInt8(ascii: "/")).contains(where: { $0.first == UInt8(ascii: ".") }) { return nil }
        }
        return real
    }

    private func isDirectory(_ path: [UInt8]) -> Bool {
        var info = stat()
        return Self.withCString(path) { stat($0, &info) } == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private func statRegular(_ path: [UInt8]) -> StaticReply.File? {
        var info = stat()
        guard Self.withCString(path, { stat($0, &info) }) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return StaticReply.File(size: UInt64(info.st_size), modified: Int64(info.st_mtim.tv_sec))
    }

    private func openRegular(_ path: [UInt8]) -> (Int32, StaticReply.File)? {
        // O_NONBLOCK: a FIFO under the root must not hold the loop waiting for a writer (it is then
        // refused by the fstat below). Reads of regular files ignore the flag.
        let fd = Self.withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            return nil
        }
        return (fd, StaticReply.File(size: UInt64(info.st_size), modified: Int64(info.st_mtim.tv_sec)))
    }

    static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = withCString(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    private static func withCString<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { body($0) }
        }
    }
}
