import Testing
@testable import UV
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileAppenderTests {
    static func contents(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var out = ""
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            out += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return out
    }

    @Test func appendsInOrderAndReopensAfterARename() throws {
        let directory = "/tmp/paddock-appender-\(getpid())"
        mkdir(directory, 0o700)
        let path = directory + "/access.log"
        defer {
            unlink(path)
            unlink(path + ".1")
            rmdir(directory)
        }
        let loop = try EventLoop()
        let appender = try FileAppender(loop: loop, path: path)
        for index in 0..<1000 { appender.append(Array("line \(index)\n".utf8)) }
        loop.run()
        #expect(Self.contents(path) == (0..<1000).map { "line \($0)\n" }.joined())

        rename(path, path + ".1")
        appender.reopen()
        appender.append(Array("after\n".utf8))
        loop.run()
        #expect(Self.contents(path) == "after\n")
        #expect(Self.contents(path + ".1").hasSuffix("line 999\n"))
        #expect(appender.droppedBytes == 0)
        _ = loop.close()
    }

    @Test func dropsPastItsLimitInsteadOfGrowing() throws {
        let loop = try EventLoop()
        let appender = try FileAppender(loop: loop, path: "/dev/null", maxPendingBytes: 10)
        appender.append(Array("0123456789".utf8))  // goes out at once
        appender.append(Array("0123456789".utf8))  // waits
        appender.append(Array("x".utf8))           // over the limit
        #expect(appender.droppedBytes == 1)
        loop.run()
        _ = loop.close()
    }

    @Test func aPathThatCannotBeOpenedFailsAtOnce() throws {
        let loop = try EventLoop()
        #expect(throws: UVError.self) { try FileAppender(loop: loop, path: "/nonexistent-dir/access.log") }
        _ = loop.close()
    }
}

extension FileAppenderTests {
    @Test func bytesAppendedDuringAWriteGoOutInTheNext() throws {
        let path = "/tmp/paddock-appender-big-\(getpid()).log"
        defer { unlink(path) }
        let loop = try EventLoop()
        let appender = try FileAppender(loop: loop, path: path)
        let line = Array(repeating: UInt8(ascii: "x"), count: 999) + [UInt8(ascii: "\n")]
        for _ in 0..<300 { appender.append(line) }  // 300 KB: the first write is in flight for the rest
        loop.run()
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_size == 300_000)
        _ = loop.close()
    }
}
