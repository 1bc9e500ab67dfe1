import Logging
import PaddockConfig
import UV
@testable import PaddockCore

/// An in-memory byte stream for driving `DownstreamConnection` and `UpstreamConnection` on a real
/// loop without a socket. The test plays the peer: `feed` delivers bytes, `output` is what was sent.
final class FakeTransport: Transport {
    private let loop: EventLoop
    weak var delegate: TransportDelegate?
    private let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var start = 0
    private var end = 0
    private(set) var output: [UInt8] = []
    private(set) var isReading = false
    private(set) var isShutDown = false
    private(set) var isClosed = false
    private(set) var wasAborted = false

    init(loop: EventLoop) { self.loop = loop }
    deinit { storage.deallocate() }

    var outputText: String { String(decoding: output, as: UTF8.self) }

    /// The peer sends `text`; the delegate hears of it on a later loop turn, as from a socket.
    func feed(_ text: String) {
        let bytes = Array(text.utf8)
        precondition(end + bytes.count <= storage.count, "FakeTransport input is full")
        UnsafeMutableRawBufferPointer(rebasing: storage[end...]).copyBytes(from: bytes)
        end += bytes.count
        loop.runSoon { [weak self] in
            guard let self, !self.isClosed, self.isReading, self.start < self.end else { return }
            self.delegate?.transportDidRead()
        }
    }

    /// The peer half-closes.
    func feedEOF() {
        loop.runSoon { [weak self] in
            guard let self, !self.isClosed else { return }
            self.delegate?.transportDidReachEOF()
        }
    }

    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }
    var isInputFull: Bool { false }

    func consume(_ count: Int) {
        start += count
        if start == end { (start, end) = (0, 0) }
    }

    func startReading() { isReading = !isClosed }
    func stopReading() { isReading = false }
    func releaseInputMemory() {}

    func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        precondition(!isClosed, "write after close")
        output += first
        output += second
    }

    var writeQueueBytes: Int { 0 }

    func shutdown(_ completion: @escaping (UVError?) -> Void) {
        isShutDown = true
        loop.runSoon { completion(nil) }
    }

    func close() {
        isClosed = true
        isReading = false
        delegate = nil
    }

    func abort() {
        wasAborted = true
        close()
    }

    var peerIP: String? { "127.0.0.1" }
}

/// Dials `FakeTransport`s; every connect succeeds on a later loop turn.
final class FakeDialer: UpstreamDialer {
    private let loop: EventLoop
    private(set) var dials: [(endpoint: Endpoint, transport: FakeTransport)] = []

    init(loop: EventLoop) { self.loop = loop }

    func dial(_ endpoint: Endpoint, _ completion: @escaping (UVError?) -> Void) -> any Transport {
        let transport = FakeTransport(loop: loop)
        dials.append((endpoint, transport))
        loop.runSoon { completion(nil) }
        return transport
    }
}

/// A loop, a context on it with fake upstreams, and helpers to turn the loop until something holds.
struct LoopFixture {
    let loop: EventLoop
    let dialer: FakeDialer
    let context: ProxyContext

    init(config: Config) throws {
        loop = try EventLoop()
        dialer = FakeDialer(loop: loop)
        context = ProxyContext(loop: loop, config: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                               dialer: dialer)
    }

    static func config(pool kind: String, port: Int, file: String = "paddock.toml") throws -> Config {
        try config(pool: kind, ports: [port], file: file)
    }

    static func config(pool kind: String, ports: [Int], extra: String = "", file: String = "paddock.toml") throws -> Config {
        let servers = ports.map { "{ address = \"127.0.0.1:\($0)\" }" }.joined(separator: ", ")
        return try ConfigLoader.parse("""
            [proxy]
            listen = ["127.0.0.1:8080"]

            [pools.app]
            kind = "\(kind)"
            servers = [\(servers)]
            \(extra)

            [[routes]]
            pool = "app"

            """, file: file)
    }

    /// Turns the loop (without blocking: every fake event is deferred work) until `done()`; false if
    /// it did not hold within a bounded number of turns.
    @discardableResult
    func turn(until done: () -> Bool) -> Bool {
        for _ in 0..<1000 {
            if done() { return true }
            loop.runOnce()
        }
        return done()
    }

    /// Like `turn`, but blocks in the loop until something happens (a timer, deferred work), for
    /// tests that wait on deadlines; bounded by `seconds` of loop time.
    @discardableResult
    func wait(seconds: UInt64 = 5, until done: () -> Bool) -> Bool {
        let start = loop.now
        while !done() {
            loop.runOnce(blocking: true)
            loop.updateTime()
            if loop.now - start > seconds * 1000 { return done() }
        }
        return true
    }
}
