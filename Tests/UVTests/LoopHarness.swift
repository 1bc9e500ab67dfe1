import Testing
@testable import UV

/// Records what a transport's delegate saw; tests drive the loop until a condition holds.
///
/// `transport` is weak: the test owns its sockets, and a delegate must not keep its transport alive.
final class RecordingDelegate: TransportDelegate {
    weak var transport: Transport?
    var received: [UInt8] = []
    var sawEOF = false
    var error: UVError?
    var drains = 0
    var consume = true
    var onRead: ((Transport) -> Void)?

    /// Becomes `transport`'s delegate.
    func attach(to transport: Transport) {
        self.transport = transport
        transport.delegate = self
    }

    func transportDidRead() {
        guard let transport else { return }
        received.append(contentsOf: transport.readable)
        if consume { transport.consume(transport.readable.count) }
        onRead?(transport)
    }

    func transportDidReachEOF() { sawEOF = true }
    func transportDidFail(_ error: UVError) { self.error = error }
    func transportDidDrain() { drains += 1 }
}

/// Runs the loop until `done()` or the deadline; every loop test ends with `finish`, which closes
/// what the test opened and checks the loop has no handle left.
func run(_ loop: EventLoop, seconds: UInt64 = 5, until done: () -> Bool) {
    let start = loop.now
    while !done() {
        loop.runOnce(blocking: false)
        loop.updateTime()
        if loop.now - start > seconds * 1000 {
            Issue.record("timed out after \(seconds)s")
            return
        }
        if !done() { usleepShort() }
    }
}

func finish(_ loop: EventLoop, closing owners: [HandleOwner]) {
    for owner in owners { owner.close() }
    run(loop) { loop.openHandleCount == 0 }
    #expect(loop.openHandleCount == 0)
    #expect(loop.close())
}

private func usleepShort() {
    // Avoid a hot spin while waiting for the kernel.
    var request = timespec(tv_sec: 0, tv_nsec: 200_000)
    nanosleep(&request, nil)
}

#if canImport(Glibc)
import Glibc
#endif
