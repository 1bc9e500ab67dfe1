import CLibUV
import Testing
@testable import UV

@Suite struct WriteBlockPoolTests {
    @Test func aGivenBlockIsTakenAgain() {
        var pool = WriteBlockPool()
        let first = pool.take(forBytes: 100)
        pool.give(first.request)
        let second = pool.take(forBytes: 200)
        #expect(second.request == first.request)
        #expect(pool.allocationCount == 1)
        pool.give(second.request)
        #expect(pool.freeCount == 1)
    }

    @Test(arguments: [(1, 512), (512, 512), (513, 4096), (4096, 4096), (4097, 16384), (1 << 20, 16384)])
    func picksTheSmallestClassThatHolds(bytes: Int, capacity: Int) {
        var pool = WriteBlockPool()
        let block = pool.take(forBytes: bytes)
        #expect(block.capacity == capacity)
        pool.give(block.request)
    }

    @Test func classesDoNotMix() {
        var pool = WriteBlockPool()
        let small = pool.take(forBytes: 10)
        pool.give(small.request)
        let large = pool.take(forBytes: 10_000)
        #expect(large.request != small.request)
        #expect(pool.allocationCount == 2)
        pool.give(large.request)
    }

    @Test func freeListIsBounded() {
        var pool = WriteBlockPool()
        let limit = WriteBlockPool.maxFreeBytesPerClass / WriteBlockPool.largestCapacity
        let blocks = (0..<(limit + 5)).map { _ in pool.take(forBytes: WriteBlockPool.largestCapacity) }
        for block in blocks { pool.give(block.request) }
        #expect(pool.freeCount == limit)
    }
}

@Suite struct GatherCursorTests {
    private let first = (0..<10).map { UInt8($0) }
    private let second = (10..<25).map { UInt8($0) }

    /// Copies everything in pieces of `piece` bytes and returns what came out.
    private func drain(skipping skipped: Int, piece: Int) -> [UInt8] {
        first.withUnsafeBytes { a in
            second.withUnsafeBytes { b in
                var cursor = GatherCursor(a, b, skipping: skipped)
                var out: [UInt8] = []
                var scratch = [UInt8](repeating: 0, count: piece)
                while cursor.remaining > 0 {
                    let count = scratch.withUnsafeMutableBytes { cursor.copy(into: $0.baseAddress!, capacity: piece) }
                    out += scratch[..<count]
                }
                return out
            }
        }
    }

    @Test(arguments: [0, 3, 10, 17, 25], [1, 4, 7, 100])
    func copiesTheRemainderInOrder(skipped: Int, piece: Int) {
        #expect(drain(skipping: skipped, piece: piece) == Array((first + second)[skipped...]))
    }

    @Test func emptySecondBuffer() {
        [UInt8](repeating: 9, count: 5).withUnsafeBytes { a in
            var cursor = GatherCursor(a, UnsafeRawBufferPointer(start: nil, count: 0), skipping: 2)
            var scratch = [UInt8](repeating: 0, count: 8)
            let count = scratch.withUnsafeMutableBytes { cursor.copy(into: $0.baseAddress!, capacity: 8) }
            #expect(count == 3)
            #expect(cursor.remaining == 0)
        }
    }
}
