import Testing
@testable import UV
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileReaderTests {
    @Test func readsAFileOnTheThreadPoolAndClosesAfterTheReadInFlight() throws {
        let path = "/tmp/paddock-reader-\(getpid()).bin"
        defer { unlink(path) }
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let file = fopen(path, "w")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        let loop = try EventLoop()
        let reader = FileReader(loop: loop, fd: open(path, O_RDONLY), bufferSize: 4096)
        var got: [UInt8] = []
        var offset: UInt64 = 0
        func next() {
            reader.read(at: offset, count: 4096) { result in
                guard case let .success(count) = result, count > 0 else { return }
                got += reader.buffer[0..<count]
                offset += UInt64(count)
                next()
            }
        }
        next()
        loop.run()
        #expect(got == bytes)
        reader.read(at: 0, count: 10) { _ in }
        reader.close()  // in flight: closed when the read is done
        #expect(!reader.isClosed)
        loop.run()
        #expect(reader.isClosed)
        _ = loop.close()
    }
}
