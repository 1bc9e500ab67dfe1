/// Events from a Transport. Never called synchronously from inside a Transport method the delegate invoked.
///
/// That rule is what lets a delegate call `write`, `shutdown` or `startReading` from any of these
/// methods without being re-entered: failures found inside such a call are reported on a later loop
/// iteration.
public protocol TransportDelegate: AnyObject {
    /// New bytes are in `readable`. Consume what you used; the rest stays for the next call.
    func transportDidRead()
    /// The peer finished sending (clean EOF); writing may still work (half-close).
    func transportDidReachEOF()
    /// A read or write failed (reset, broken pipe, ...); the transport is unusable: close it.
    func transportDidFail(_ error: UVError)
    /// Every queued write was handed to the kernel.
    func transportDidDrain()
}

/// What the proxy core needs of a byte stream. Socket (TCP and unix) conforms; a TLS stream must later
/// be able to conform.
///
/// Invariants every conformer keeps: loop-confined (one thread); after `close()` or `abort()` no
/// delegate method is called; `readable` stays valid and unchanged until the next `consume` or the
/// next return to the loop.
public protocol Transport: AnyObject {
    var delegate: TransportDelegate? { get set }
    /// The bytes received and not yet consumed.
    var readable: UnsafeRawBufferPointer { get }
    /// The input buffer holds its maximum; reading is paused until `consume` makes room.
    var isInputFull: Bool { get }
    func consume(_ count: Int)
    var isReading: Bool { get }
    func startReading()
    func stopReading()
    /// Frees the input buffer's memory if it holds nothing (for idle connections).
    func releaseInputMemory()
    /// Queues `first` then `second` (one writev); the caller's memory may be reused when this returns.
    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer)
    /// Bytes queued and not yet accepted by the kernel. Above a high-water mark, stop reading the peer.
    var writeQueueBytes: Int { get }
    /// Half-closes the write side once queued writes are flushed.
    func shutdown(_ completion: @escaping (UVError?) -> Void)
    /// Closes gracefully (queued writes are dropped, the peer sees a FIN).
    func close()
    /// Closes at once so that the peer sees an error, never a clean end (TCP: a reset).
    func abort()
    /// The peer's IP ("127.0.0.1", "::1"), or nil when the transport has none (unix sockets).
    var peerIP: String? { get }
}

extension Transport {
    public func write(_ bytes: UnsafeRawBufferPointer) {
        write(bytes, UnsafeRawBufferPointer(start: nil, count: 0))
    }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }
}
