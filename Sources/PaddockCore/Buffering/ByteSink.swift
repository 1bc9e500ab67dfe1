import UV

/// Where a message's bytes go: straight to a transport, or through a `BufferedOutput` that spills.
protocol ByteSink {
    /// Queues `first` then `second`; the caller's memory may be reused as soon as this returns.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer)
}

extension ByteSink {
    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0, UnsafeRawBufferPointer(start: nil, count: 0)) }
    }
}

/// A transport as a sink (a protocol cannot conform another protocol's existential).
struct TransportSink: ByteSink {
    let transport: any Transport

    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        transport.write(first, second)
    }
}
