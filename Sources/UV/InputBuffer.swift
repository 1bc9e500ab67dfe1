/// A socket's receive buffer: libuv reads straight into its free tail, and the consumer parses in place.
///
/// Invariants: `0 <= readerIndex <= writerIndex <= capacity <= maxCapacity`; bytes in
/// `readerIndex..<writerIndex` are received and not yet consumed. Consuming everything resets both
/// indices to 0, so a steady stream of whole messages never moves memory. Compaction (memmove of the
/// unconsumed bytes to the front) keeps offsets *relative to `readable`* unchanged, which is what an
/// incremental parser holding offsets relies on.
struct InputBuffer: ~Copyable {
    private var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    private(set) var readerIndex = 0
    private(set) var writerIndex = 0
    let initialCapacity: Int
    let maxCapacity: Int

    /// Below this much free tail, compact or grow before reading.
    private static let minimumReadSpace = 4096

    init(initialCapacity: Int, maxCapacity: Int) {
        precondition(initialCapacity > 0 && initialCapacity <= maxCapacity)
        self.initialCapacity = initialCapacity
        self.maxCapacity = maxCapacity
    }

    deinit { base?.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var isFull: Bool { readableCount >= maxCapacity }

    var readable: UnsafeRawBufferPointer {
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + readerIndex, count: writerIndex - readerIndex)
    }

    mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= readableCount, "consumed more than was received")
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Space for the next read; empty only when the buffer holds `maxCapacity` unconsumed bytes.
    /// With a `pool`, the first buffer comes from it when it has the pool's size (and a pooled one
    /// that `grow` replaces goes back).
    mutating func reserveForRead(from pool: ReadBufferPool? = nil) -> UnsafeMutableRawBufferPointer {
        if base == nil {
            base = if let pool, initialCapacity == ReadBufferPool.bufferBytes {
                pool.take()
            } else {
                .allocate(byteCount: initialCapacity, alignment: 16)
            }
            capacity = initialCapacity
        }
        if capacity - writerIndex < Self.minimumReadSpace {
            if readerIndex > 0 {
                compact()
            }
            if capacity - writerIndex < Self.minimumReadSpace && capacity < maxCapacity {
                grow(returningTo: pool)
            }
        }
        return UnsafeMutableRawBufferPointer(start: base! + writerIndex, count: capacity - writerIndex)
    }

    mutating func commit(_ count: Int) {
        precondition(writerIndex + count <= capacity)
        writerIndex += count
    }

    /// Frees the memory when nothing is buffered (idle keep-alive connections then cost no buffer).
    /// With a `pool`, a buffer of the pool's size goes back to it.
    mutating func releaseIfEmpty(to pool: ReadBufferPool? = nil) {
        guard readableCount == 0 else { return }
        release(to: pool)
    }

    /// Lets go of the memory, whatever it holds (the socket is closed).
    mutating func release(to pool: ReadBufferPool?) {
        guard let base else { return }
        letGo(base, to: pool)
        self.base = nil
        capacity = 0
        readerIndex = 0
        writerIndex = 0
    }

    private mutating func compact() {
        let count = readableCount
        base!.copyMemory(from: base! + readerIndex, byteCount: count)
        readerIndex = 0
        writerIndex = count
    }

    /// The current buffer goes back to `pool` if it has the pool's size, else it is freed.
    private func letGo(_ buffer: UnsafeMutableRawPointer, to pool: ReadBufferPool?) {
        if let pool, capacity == ReadBufferPool.bufferBytes {
            pool.give(buffer)
        } else {
            buffer.deallocate()
        }
    }

    @inline(never)
    private mutating func grow(returningTo pool: ReadBufferPool?) {
        let newCapacity = min(maxCapacity, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base! + readerIndex, byteCount: readableCount)
        letGo(base!, to: pool)
        writerIndex -= readerIndex
        readerIndex = 0
        base = newBase
        capacity = newCapacity
    }
}
