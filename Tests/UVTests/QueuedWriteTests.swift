import CLibUV
import Testing
@testable import UV

/// Bytes that reveal reordering: byte `i` of the stream depends on `i` and `i >> 8`.
struct PatternSource {
    private(set) var produced = 0

    mutating func next(_ count: Int) -> [UInt8] {
        defer { produced += count }
        return (produced..<(produced + count)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 8)) }
    }
}

/// A connected client/server pair on loopback where the server reads only when told to, so the
/// client's writes back up once the kernel's buffers are full.
final class StalledPair {
    let loop: EventLoop
    let listener: Listener
    let client: Socket
    let clientSide = RecordingDelegate()
    let serverSide = RecordingDelegate()
    private(set) var server: Socket?
    private(set) var connected = false
    var source = PatternSource()

    init() throws {
        loop = try EventLoop()
        var accepted: Socket?
        listener = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { accepted = $0 }
        client = Socket(loop: loop, kind: .tcp)
        clientSide.attach(to: client)
        client.connect(to: .ip(host: "127.0.0.1", port: listener.boundPort!)) { [unowned self] error in
            connected = error == nil
        }
        run(loop) { connected && accepted != nil }
        server = accepted
        if let server { serverSide.attach(to: server) }
        // Small fixed kernel buffers (no autotuning) keep the fills, and so the test, short.
        var size: Int32 = 64 * 1024
        if let server { uv_recv_buffer_size(server.rawHandle, &size) }
        uv_send_buffer_size(client.rawHandle, &size)
    }

    /// Writes 64 KiB pieces until the kernel refuses part of one: everything written after that is queued.
    func fillUntilQueued() {
        while client.writeQueueBytes == 0 { client.write(source.next(64 * 1024)) }
    }

    /// Lets the server read until it holds every byte written so far, then stops it again.
    func receiveEverything() {
        server?.startReading()
        run(loop, seconds: 20) { serverSide.received.count == source.produced }
        server?.stopReading()
        run(loop) { client.writeQueueBytes == 0 && client.writesInFlight == 0 }
    }

    var receivedIntact: Bool {
        var check = PatternSource()
        return serverSide.received == check.next(source.produced)
    }

    func finish() {
        UVTests.finish(loop, closing: [listener, client] + (server.map { [$0] } ?? []))
    }
}

@Suite struct QueuedWriteTests {
    @Test func twoPartWriteBehindAFullPeerArrivesIntact() throws {
        let pair = try StalledPair()
        pair.fillUntilQueued()
        // Odd sizes: the remainder is split across blocks, and one block spans both buffers.
        let first = pair.source.next(100_003)
        let second = pair.source.next(70_001)
        first.withUnsafeBytes { a in second.withUnsafeBytes { b in pair.client.write(a, b) } }
        for _ in 0..<10 { pair.client.write(pair.source.next(333)) }
        #expect(pair.client.writesInFlight > 10)
        pair.receiveEverything()
        #expect(pair.receivedIntact)
        #expect(pair.clientSide.drains == 1)
        #expect(pair.clientSide.error == nil)
        pair.finish()
    }

    @Test func steadyStateQueuedWritesReuseBlocks() throws {
        let pair = try StalledPair()
        // Warm the pool past what one round needs: a fill remainder (at most 64 KiB, 4 large blocks),
        // a 40 KiB write (3 large blocks), ten 1000-byte writes (medium) and five 100-byte ones (small).
        let warm = [(16, 16384), (16, 1000), (8, 100)].flatMap { count, bytes in
            (0..<count).map { _ in pair.loop.writeBlocks.take(forBytes: bytes) }
        }
        for block in warm { pair.loop.writeBlocks.give(block.request) }
        let allocations = pair.loop.writeBlocks.allocationCount

        for _ in 0..<3 {
            pair.fillUntilQueued()
            pair.client.write(pair.source.next(40 * 1024))
            for _ in 0..<10 { pair.client.write(pair.source.next(1000)) }
            for _ in 0..<5 { pair.client.write(pair.source.next(100)) }
            pair.receiveEverything()
            #expect(pair.loop.writeBlocks.allocationCount == allocations)
            #expect(pair.loop.writeBlocks.freeCount == warm.count)
        }
        #expect(pair.receivedIntact)
        pair.finish()
    }

    @Test func closingCancelsQueuedWritesAndShutdownAndReturnsTheirBlocks() throws {
        let pair = try StalledPair()
        pair.fillUntilQueued()
        pair.client.write(pair.source.next(50_000))
        var shutdownCalled = false
        pair.client.shutdown { _ in shutdownCalled = true }
        #expect(pair.client.writesInFlight > 0)
        pair.client.close()
        // libuv calls the write and shutdown callbacks with UV_ECANCELED before the close callback.
        run(pair.loop) { pair.client.writesInFlight == 0 && !pair.client.shutdownInFlight }
        #expect(!shutdownCalled)
        #expect(pair.loop.writeBlocks.freeCount > 0)
        #expect(pair.clientSide.error == nil)
        pair.finish()
    }

    @Test func closingWhileConnectingCancelsQuietly() throws {
        let loop = try EventLoop()
        let listener = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { $0.close() }
        let client = Socket(loop: loop, kind: .tcp)
        var completed = false
        client.connect(to: .ip(host: "127.0.0.1", port: try #require(listener.boundPort))) { _ in completed = true }
        #expect(client.connectInFlight)
        client.close()
        run(loop) { !client.connectInFlight }
        #expect(!completed)
        finish(loop, closing: [listener])
    }
}
