import Testing
@testable import PaddockCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpillBufferTests {
    private func bytes(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
    }

    private func readAll(_ spill: SpillBuffer, chunk: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while !spill.isDrained {
            let piece = try spill.peek(maxBytes: chunk)
            #expect(!piece.isEmpty)
            out.append(contentsOf: piece)
            spill.consume(piece.count)
        }
        return out
    }

    @Test func smallBodiesStayInMemory() throws {
        let spill = SpillBuffer(memoryLimit: 1024, tempDirectory: "/tmp")
        let data = bytes(1000)
        try data.withUnsafeBytes { try spill.append($0) }
        #expect(!spill.usesFile)
        #expect(try readAll(spill, chunk: 100) == data)
    }

    @Test func largeBodiesSpillToAFileAndReadBackInOrder() throws {
        let spill = SpillBuffer(memoryLimit: 4096, tempDirectory: "/tmp")
        var expected: [UInt8] = []
        for round in 0..<50 {
            let piece = bytes(10_000, seed: round)
            try piece.withUnsafeBytes { try spill.append($0) }
            expected += piece
        }
        #expect(spill.usesFile)
        #expect(spill.totalBytes == 500_000)
        #expect(try readAll(spill, chunk: 3000) == expected)
        // A retry sends the same bytes again.
        spill.rewind()
        #expect(try readAll(spill, chunk: 70_000) == expected)
    }

    @Test func theTempFileIsUnlinkedAtOnce() throws {
        let directory = "/tmp/paddock-spill-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(directory, 0o700) == 0)
        defer { rmdir(directory) }
        let spill = SpillBuffer(memoryLimit: 10, tempDirectory: directory)
        try bytes(100).withUnsafeBytes { try spill.append($0) }
        #expect(spill.usesFile)
        // Nothing is left in the directory even while the buffer is in use.
        let handle = try #require(opendir(directory))
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        #expect(names.isEmpty)
        #expect(try readAll(spill, chunk: 64) == bytes(100))
    }

    @Test func aMissingTempDirectoryIsAnError() {
        let spill = SpillBuffer(memoryLimit: 10, tempDirectory: "/nonexistent-paddock-dir")
        #expect(throws: SpillError.self) {
            try bytes(100).withUnsafeBytes { try spill.append($0) }
        }
    }
}

@Suite struct SpillBufferResetTests {
    @Test func aDrainedBufferStartsOverSoTheFileHoldsOnlyTheBacklog() throws {
        let spill = SpillBuffer(memoryLimit: 16, tempDirectory: "/tmp")
        let first = (0..<100).map { UInt8($0) }
        try first.withUnsafeBytes { try spill.append($0) }
        let piece = try spill.peek(maxBytes: 1000)
        spill.consume(piece.count)
        #expect(!spill.isDrained)
        while !spill.isDrained { spill.consume(try spill.peek(maxBytes: 1000).count) }
        spill.resetIfDrained()
        #expect(spill.totalBytes == 0)
        let second: [UInt8] = Array(repeating: 9, count: 40)
        try second.withUnsafeBytes { try spill.append($0) }
        var out: [UInt8] = []
        while !spill.isDrained {
            let chunk = try spill.peek(maxBytes: 7)
            out += chunk
            spill.consume(chunk.count)
        }
        #expect(out == second)
    }
}
