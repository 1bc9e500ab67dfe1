import CLibUV

/// A loop's free lists of write blocks, so that queued writes in steady state do no `malloc`.
///
/// A write block is one allocation: a `uv_write_t`, padded to 16 bytes, then `capacity` payload bytes
/// that the request sends. Blocks come in a few fixed size classes; a write bigger than the largest is
/// split by the caller into several blocks. The request's `data` field holds the size class (libuv
/// never touches a request's `data`), so `give` needs nothing but the request pointer.
///
/// Invariants: loop-confined (owned by one `EventLoop`); a block is either in flight (owned by libuv
/// until its write callback, which gives it back) or on exactly one free list; a free list never holds
/// more than `maxFreeBytesPerClass` of payload, so a burst's memory is returned once it is over.
/// Free blocks are chained through their first payload word.
struct WriteBlockPool: ~Copyable {
    /// Payload sizes. The smallest keeps tiny writes (a chunk trailer) from pinning a large block each.
    static let capacities = [512, 4096, 16384]
    static let maxFreeBytesPerClass = 512 * 1024
    static let headerBytes = (uv_req_size(UV_WRITE) + 15) & ~15

    private var heads: [UnsafeMutableRawPointer?]
    private var counts: [Int]
    /// Blocks allocated over the pool's life; for tests that check reuse.
    private(set) var allocationCount = 0

    init() {
        heads = Array(repeating: nil, count: Self.capacities.count)
        counts = Array(repeating: 0, count: Self.capacities.count)
    }

    deinit {
        for var block in heads {
            while let current = block {
                block = current.load(fromByteOffset: Self.headerBytes, as: UnsafeMutableRawPointer?.self)
                current.deallocate()
            }
        }
    }

    /// Blocks waiting for reuse, all classes together.
    var freeCount: Int { counts.reduce(0, +) }

    /// The largest payload one block carries.
    static var largestCapacity: Int { capacities[capacities.count - 1] }

    /// A block whose payload holds `byteCount` bytes, or the largest class if none does.
    mutating func take(forBytes byteCount: Int) -> WriteBlock {
        let sizeClass = Self.capacities.firstIndex { $0 >= byteCount } ?? Self.capacities.count - 1
        let base: UnsafeMutableRawPointer
        if let head = heads[sizeClass] {
            heads[sizeClass] = head.load(fromByteOffset: Self.headerBytes, as: UnsafeMutableRawPointer?.self)
            counts[sizeClass] -= 1
            base = head
        } else {
            base = .allocate(byteCount: Self.headerBytes + Self.capacities[sizeClass], alignment: 16)
            allocationCount += 1
        }
        let request = base.assumingMemoryBound(to: uv_write_t.self)
        request.pointee.data = UnsafeMutableRawPointer(bitPattern: sizeClass + 1)
        return WriteBlock(request: request, payload: base + Self.headerBytes, capacity: Self.capacities[sizeClass])
    }

    /// Returns a block taken from this pool once libuv is done with its request.
    mutating func give(_ request: UnsafeMutablePointer<uv_write_t>) {
        let sizeClass = Int(bitPattern: request.pointee.data) - 1
        precondition(Self.capacities.indices.contains(sizeClass), "not a block from a WriteBlockPool")
        let base = UnsafeMutableRawPointer(request)
        guard (counts[sizeClass] + 1) * Self.capacities[sizeClass] <= Self.maxFreeBytesPerClass else {
            base.deallocate()
            return
        }
        base.storeBytes(of: heads[sizeClass], toByteOffset: Self.headerBytes, as: UnsafeMutableRawPointer?.self)
        heads[sizeClass] = base
        counts[sizeClass] += 1
    }
}

/// A block handed out by `WriteBlockPool`: fill `payload`, then pass `request` to `uv_write`.
struct WriteBlock {
    let request: UnsafeMutablePointer<uv_write_t>
    let payload: UnsafeMutableRawPointer
    let capacity: Int
}
