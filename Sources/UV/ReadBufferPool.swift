/// A loop's free list of read buffers. A socket takes one when bytes arrive (libuv asks for room
/// just before it reads) and gives it back as soon as everything in it has been consumed, so an
/// idle keep-alive connection holds no buffer and a busy one does no `malloc` per read, as nginx
/// and H2O do.
///
/// Invariants: loop-confined (owned by one `EventLoop`); every buffer is `bufferBytes` long and is
/// either held by one `InputBuffer` or on the free list. `give` never frees memory: a caller may
/// still be looking at the bytes it just consumed, in the same call stack. The extra buffers of a
/// burst are freed by the next `take` (which only runs when libuv is about to read), down to
/// `maxFree`.
final class ReadBufferPool {
    static let bufferBytes = 16 * 1024
    static let maxFree = 256

    private var free: [UnsafeMutableRawPointer] = []
    /// Buffers allocated over the pool's life; for tests that check reuse.
    private(set) var allocationCount = 0

    init() {}

    deinit { for buffer in free { buffer.deallocate() } }

    var freeCount: Int { free.count }

    func take() -> UnsafeMutableRawPointer {
        while free.count > Self.maxFree { free.removeLast().deallocate() }
        if let buffer = free.popLast() { return buffer }
        allocationCount += 1
        return .allocate(byteCount: Self.bufferBytes, alignment: 16)
    }

    func give(_ buffer: UnsafeMutableRawPointer) {
        free.append(buffer)
    }
}
