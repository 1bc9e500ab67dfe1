/// Reproducible offsets at which an input is split to check incremental parsing and decoding
/// against the one-shot result: the middle, plus two offsets derived from the bytes themselves
/// (FNV-1a), so different inputs exercise different splits while each input always gets the same.
enum CutPoints {
    /// Sorted, distinct offsets in `1..<count` (empty for inputs shorter than 2 bytes).
    static func of(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        let count = bytes.count
        guard count >= 2 else { return [] }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        let span = UInt64(count - 1)
        let candidates = [count / 2, 1 + Int(hash % span), 1 + Int((hash >> 32) % span)]
        return Array(Set(candidates.filter { $0 >= 1 && $0 < count })).sorted()
    }
}
