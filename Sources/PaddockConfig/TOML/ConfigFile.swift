#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a config file with plain POSIX calls so failures carry the OS reason (strerror).
enum ConfigFile {
    struct Failure: Error, Equatable {
        var message: String
    }

    /// The file's contents as UTF-8 text.
    static func contents(of path: String) -> Result<String, Failure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(osFailure("cannot open config file")) }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(osFailure("cannot read config file"))
            }
            bytes.append(contentsOf: chunk[..<count])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(Failure(message: "config file is not valid UTF-8"))
        }
        return .success(text)
    }

    private static func osFailure(_ what: String) -> Failure {
        let code = errno
        return Failure(message: "\(what): \(String(cString: strerror(code)))")
    }
}
