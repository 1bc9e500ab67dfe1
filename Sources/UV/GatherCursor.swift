/// Reads the concatenation of two buffers front to back, in pieces: what is left of a two-buffer write
/// after the kernel took a prefix, copied into write blocks.
///
/// Invariant: `0 <= offset <= first.count + second.count`; the bytes not yet copied are those at
/// `offset...` of `first ++ second`.
struct GatherCursor {
    let first: UnsafeRawBufferPointer
    let second: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, skipping skipped: Int) {
        precondition(skipped >= 0 && skipped <= first.count + second.count)
        self.first = first
        self.second = second
        offset = skipped
    }

    var remaining: Int { first.count + second.count - offset }

    /// Copies up to `capacity` of the remaining bytes to `destination`; returns how many.
    mutating func copy(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let total = min(capacity, remaining)
        var copied = 0
        while copied < total {
            // A piece never straddles the two buffers; at most two rounds.
            let (source, start) = offset < first.count ? (first, offset) : (second, offset - first.count)
            let piece = min(total - copied, source.count - start)
            (destination + copied).copyMemory(from: source.baseAddress! + start, byteCount: piece)
            copied += piece
            offset += piece
        }
        return copied
    }
}
