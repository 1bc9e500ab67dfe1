import Testing
@testable import UV

@Suite struct InputBufferTests {
    private func receive(_ bytes: [UInt8], into buffer: inout InputBuffer) -> Int {
        let space = buffer.reserveForRead()
        let count = min(space.count, bytes.count)
        space.copyBytes(from: bytes.prefix(count))
        buffer.commit(count)
        return count
    }

    @Test func consumingEverythingRewindsToTheStart() {
        var buffer = InputBuffer(initialCapacity: 8192, maxCapacity: 65536)
        #expect(receive(Array(repeating: 1, count: 100), into: &buffer) == 100)
        buffer.consume(100)
        let indices = (buffer.readerIndex, buffer.writerIndex)
        #expect(indices == (0, 0))
    }

    @Test func compactionKeepsUnconsumedBytesInOrder() {
        var buffer = InputBuffer(initialCapacity: 8192, maxCapacity: 8192)
        let first = (0..<6000).map { UInt8(truncatingIfNeeded: $0) }
        #expect(receive(first, into: &buffer) == 6000)
        buffer.consume(5000)
        // Less than 4 KiB free at the tail: the next reservation compacts instead of growing.
        let space = buffer.reserveForRead()
        let readerIndex = buffer.readerIndex
        #expect(readerIndex == 0)
        #expect(space.count == 8192 - 1000)
        let remaining = Array(buffer.readable)
        #expect(remaining == Array(first[5000...]))
    }

    @Test func growsUpToTheMaximumThenReportsFull() {
        var buffer = InputBuffer(initialCapacity: 4096, maxCapacity: 16384)
        var total = 0
        while !buffer.isFull {
            let added = receive(Array(repeating: 7, count: 3000), into: &buffer)
            if added == 0 { break }
            total += added
        }
        #expect(total == 16384)
        let full = buffer.isFull
        #expect(full)
        let noSpace = buffer.reserveForRead().isEmpty
        #expect(noSpace)
        let capacity = buffer.capacity
        #expect(capacity == 16384)
    }

    @Test func releaseFreesOnlyWhenEmpty() {
        var buffer = InputBuffer(initialCapacity: 4096, maxCapacity: 4096)
        _ = receive([1, 2, 3], into: &buffer)
        buffer.releaseIfEmpty()
        let kept = buffer.capacity
        #expect(kept == 4096)
        buffer.consume(3)
        buffer.releaseIfEmpty()
        let released = buffer.capacity
        let empty = buffer.readable.isEmpty
        #expect(released == 0)
        #expect(empty)
    }
}

@Suite struct ReadBufferPoolTests {
    @Test func aBufferOfThePoolsSizeComesFromThePoolAndGoesBackWhenEmpty() {
        let pool = ReadBufferPool()
        var buffer = InputBuffer(initialCapacity: ReadBufferPool.bufferBytes, maxCapacity: 64 * 1024)
        let space = buffer.reserveForRead(from: pool)
        space.copyBytes(from: [1, 2, 3])
        buffer.commit(3)
        #expect(pool.allocationCount == 1)
        buffer.releaseIfEmpty(to: pool)
        #expect(pool.freeCount == 0)
        buffer.consume(3)
        buffer.releaseIfEmpty(to: pool)
        #expect(pool.freeCount == 1)
        let released = buffer.capacity
        #expect(released == 0)
        // The next read takes the same memory back: no allocation.
        _ = buffer.reserveForRead(from: pool)
        #expect(pool.allocationCount == 1)
        #expect(pool.freeCount == 0)
        buffer.release(to: pool)
    }

    @Test func aGrownBufferReturnsThePooledOneAndIsFreedOnItsOwn() {
        let pool = ReadBufferPool()
        var buffer = InputBuffer(initialCapacity: ReadBufferPool.bufferBytes, maxCapacity: 64 * 1024)
        var total = 0
        while total < ReadBufferPool.bufferBytes {
            let space = buffer.reserveForRead(from: pool)
            buffer.commit(space.count)
            total += space.count
        }
        _ = buffer.reserveForRead(from: pool)
        let grown = buffer.capacity
        #expect(grown == 2 * ReadBufferPool.bufferBytes)
        #expect(pool.freeCount == 1)
        buffer.release(to: pool)
        #expect(pool.freeCount == 1)
    }

    @Test func extraBuffersOfABurstAreFreedByTheNextTake() {
        let pool = ReadBufferPool()
        let taken = (0..<(ReadBufferPool.maxFree + 10)).map { _ in pool.take() }
        for buffer in taken { pool.give(buffer) }
        #expect(pool.freeCount == ReadBufferPool.maxFree + 10)
        let again = pool.take()
        #expect(pool.freeCount == ReadBufferPool.maxFree - 1)
        pool.give(again)
    }
}
