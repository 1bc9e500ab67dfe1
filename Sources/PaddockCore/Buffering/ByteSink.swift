import UV

/// Where a message's bytes go: straight to a socket, or through a `BufferedOutput` that spills.
protocol ByteSink: AnyObject {
    /// Queues `first` then `second`; the caller's memory may be reused as soon as this returns.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer)
}

extension ByteSink {
    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0, UnsafeRawBufferPointer(start: nil, count: 0)) }
    }
}

extension Socket: ByteSink {}
