/// Iterates the elements of a comma-separated list field value (RFC 9110 §5.6.1),
/// yielding each element trimmed of OWS. Empty elements are skipped, as the RFC requires
/// recipients to accept them (`a, , b`). Quoted strings are not interpreted: the lists
/// parsed here (Connection, Transfer-Encoding) hold tokens only.
public struct CommaList: Sequence, IteratorProtocol {
    public let buffer: UnsafeRawBufferPointer
    private var cursor: Int
    private let end: Int

    public init(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        self.cursor = range.lowerBound
        self.end = range.upperBound
    }

    public mutating func next() -> Range<Int>? {
        while cursor < end {
            let start = cursor
            var stop = start
            while stop < end, buffer[stop] != .comma { stop += 1 }
            cursor = stop + 1
            let element = buffer.trimmingOWS(start..<stop)
            if !element.isEmpty { return element }
        }
        return nil
    }
}
