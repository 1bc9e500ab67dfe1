#if canImport(Glibc)
import Glibc
#endif

struct SpillError: Error, Equatable, Sendable, CustomStringConvertible {
    var operation: String
    var errno: Int32
    var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}

/// A byte FIFO for a buffered body: the first `memoryLimit` bytes live in memory, the rest in a temp
/// file that is unlinked the moment it is created, so it disappears with the descriptor whatever happens.
///
/// Invariants: bytes are read in the order they were appended; `readOffset <= totalBytes`; everything
/// appended stays readable again after `rewind()` (a retry re-sends a buffered request from the start).
/// File I/O is synchronous `pwrite`/`pread` against the page cache, as nginx does for its temp files.
final class SpillBuffer {
    private let memoryLimit: Int
    private let tempDirectory: String
    private var memory: [UInt8] = []
    private var fileDescriptor: Int32 = -1
    private var fileBytes: UInt64 = 0
    private(set) var readOffset: UInt64 = 0
    /// Holds bytes read back from the file; handed out by `peek`, valid until the next call.
    private var readBack: UnsafeMutableRawBufferPointer?
    private static let readBackSize = 64 * 1024

    init(memoryLimit: Int, tempDirectory: String) {
        self.memoryLimit = memoryLimit
        self.tempDirectory = tempDirectory
    }

    deinit {
        close()
        readBack?.deallocate()
    }

    var totalBytes: UInt64 { UInt64(memory.count) + fileBytes }
    var unreadBytes: UInt64 { totalBytes - readOffset }
    var isDrained: Bool { unreadBytes == 0 }
    var usesFile: Bool { fileDescriptor >= 0 }

    func append(_ bytes: UnsafeRawBufferPointer) throws(SpillError) {
        var rest = bytes
        if fileDescriptor < 0 {
            let room = memoryLimit - memory.count
            let now = min(room, rest.count)
            if now > 0 {
                memory.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<now]))
                rest = UnsafeRawBufferPointer(rebasing: rest[now...])
            }
            if rest.isEmpty { return }
            try openFile()
        }
        try writeFully(rest, at: fileBytes)
        fileBytes += UInt64(rest.count)
    }

    /// The next unread bytes (at most `maxBytes`, possibly fewer), without consuming them.
    func peek(maxBytes: Int) throws(SpillError) -> UnsafeRawBufferPointer {
        let memoryCount = UInt64(memory.count)
        if readOffset < memoryCount {
            let start = Int(readOffset)
            let count = min(maxBytes, memory.count - start)
            return memory.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)]) }
        }
        let fileOffset = readOffset - memoryCount
        let wanted = Int(min(UInt64(min(maxBytes, Self.readBackSize)), fileBytes - fileOffset))
        if wanted == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let buffer = readBack ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBackSize, alignment: 16)
        readBack = buffer
        var got = 0
        while got < wanted {
            let n = pread(fileDescriptor, buffer.baseAddress! + got, wanted - got, off_t(fileOffset) + off_t(got))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SpillError(operation: "reading the temp file", errno: n < 0 ? errno : EIO) }
            got += n
        }
        return UnsafeRawBufferPointer(start: buffer.baseAddress, count: got)
    }

    func consume(_ count: Int) {
        precondition(UInt64(count) <= unreadBytes, "consumed more than was buffered")
        readOffset += UInt64(count)
    }

    func rewind() { readOffset = 0 }

    /// Once everything has been read, starts over empty (keeping the file), so a long response to a
    /// slow client costs disk for its current backlog, not for every byte it ever spilled.
    func resetIfDrained() {
        guard isDrained, totalBytes > 0 else { return }
        memory.removeAll(keepingCapacity: true)
        if fileDescriptor >= 0 { _ = ftruncate(fileDescriptor, 0) }
        fileBytes = 0
        readOffset = 0
    }

    /// Drops the temp file (if any). The buffer is empty and unusable afterwards.
    func close() {
        if fileDescriptor >= 0 {
            Glibc.close(fileDescriptor)
            fileDescriptor = -1
        }
        memory = []
        fileBytes = 0
        readOffset = 0
    }

    private func openFile() throws(SpillError) {
        var template = Array("\(tempDirectory)/paddock-body-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw SpillError(operation: "creating a temp file in \(tempDirectory)", errno: errno) }
        // Unlink at once: the file lives only as long as the descriptor, even if the process dies.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        fileDescriptor = fd
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(SpillError) {
        var written = 0
        while written < bytes.count {
            let n = pwrite(fileDescriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + off_t(written))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SpillError(operation: "writing the temp file", errno: n < 0 ? errno : EIO) }
            written += n
        }
    }
}
