/// Comparisons and trimming on byte ranges of a buffer, without creating Strings.
extension UnsafeRawBufferPointer {
    /// True if the bytes in `range` equal `literal` ignoring ASCII case.
    /// `literal` must be ASCII; its case does not matter.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < count {
            if ByteClass.lower(self[range.lowerBound + i]) != ByteClass.lower(lit[i]) { return false }
            i += 1
        }
        return true
    }

    /// True if the bytes in `range` equal `literal` exactly (methods and versions are case-sensitive).
    @inline(__always)
    func equalsExactly(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < count {
            if self[range.lowerBound + i] != lit[i] { return false }
            i += 1
        }
        return true
    }

    /// True if two ranges of this buffer hold the same bytes ignoring ASCII case.
    func equalsIgnoringCase(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i < a.count {
            if ByteClass.lower(self[a.lowerBound + i]) != ByteClass.lower(self[b.lowerBound + i]) { return false }
            i += 1
        }
        return true
    }

    /// True if two ranges of this buffer hold exactly the same bytes.
    func equalsExactly(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i < a.count {
            if self[a.lowerBound + i] != self[b.lowerBound + i] { return false }
            i += 1
        }
        return true
    }

    /// `range` without leading and trailing SP/HTAB (OWS, RFC 9110 §5.6.3).
    func trimmingOWS(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi, ByteClass.isOWS(self[lo]) { lo += 1 }
        while hi > lo, ByteClass.isOWS(self[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// True if `range` is a non-empty token (RFC 9110 §5.6.2).
    func isToken(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        for i in range where !ByteClass.isToken(self[i]) { return false }
        return true
    }

    /// First index of `byte` in `range`, or nil.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        for i in range where self[i] == byte { return i }
        return nil
    }
}
