#if canImport(Glibc)
import Glibc
#endif

/// The pid file `run --pid-file` writes and `reload --pid-file` reads.
struct PidFile {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes this process's pid, replacing the file atomically (a reader never sees half of it).
    func write() throws(Failure) {
        let temporary = path + ".tmp"
        let text = "\(getpid())\n"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot write pid file", temporary) }
        let written = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let closed = close(fd)
        guard written == text.utf8.count, closed == 0, rename(temporary, path) == 0 else {
            let error = failure("cannot write pid file", path)
            unlink(temporary)
            throw error
        }
    }

    /// Removes the file if it still names this process.
    func remove() {
        if (try? read()) == getpid() { unlink(path) }
    }

    func read() throws(Failure) -> pid_t {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot read pid file", path) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { throw Failure(description: "pid file \(path) is empty") }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingSpaces
        guard let pid = pid_t(text), pid > 1 else {
            throw Failure(description: "pid file \(path) does not hold a pid (found \"\(text)\")")
        }
        return pid
    }

    private func failure(_ what: String, _ file: String) -> Failure {
        Failure(description: "\(what) \(file): \(String(cString: strerror(errno)))")
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
