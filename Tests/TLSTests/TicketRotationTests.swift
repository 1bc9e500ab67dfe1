import COpenSSL
import Foundation
import PaddockConfig
import Testing
@testable import TLS
import UV

/// A server `TLSStream` over an in-memory transport, and an OpenSSL client driven by hand: session
/// tickets resume across one key rotation and not across two.
@Suite(.serialized) struct TicketRotationTests {
    /// The socket side of a TLSStream: what the stream writes is collected; what the test feeds
    /// is handed over as if read.
    final class MemoryTransport: Transport {
        weak var delegate: TransportDelegate?
        private var input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        private var count = 0
        var output: [UInt8] = []
        deinit { input.deallocate() }
        var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: input[0..<count]) }
        var isInputFull: Bool { false }
        func consume(_ used: Int) {
            input.baseAddress!.copyMemory(from: input.baseAddress! + used, byteCount: count - used)
            count -= used
        }
        var isReading = true
        func startReading() { isReading = true }
        func stopReading() { isReading = false }
        func releaseInputMemory() {}
        func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
            output += first
            output += second
        }
        var writeQueueBytes: Int { 0 }
        func shutdown(_ completion: @escaping (UVError?) -> Void) {}
        func close() {}
        func abort() {}
        var peerIP: String? { "127.0.0.1" }

        func feed(_ bytes: UnsafeRawBufferPointer) {
            (input.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            count += bytes.count
            delegate?.transportDidRead()
        }
    }

    /// A certificate made with the openssl CLI (installed by scripts/setup).
    static func certificate() throws -> TLSConfig.Certificate {
        let directory = "/tmp/paddock-tls-unit-\(getpid())"
        mkdir(directory, 0o700)
        let cert = directory + "/c.pem", key = directory + "/k.pem"
        if access(cert, F_OK) != 0 {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                 "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=t.test"]
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
        }
        return TLSConfig.Certificate(cert: cert, key: key)
    }

    /// One TLS 1.2 connection (its ticket comes in the handshake) offering `session`; returns the
    /// client's session, whether it was resumed, and how many bytes the server sent.
    static func connect(_ context: TLSContext, loop: EventLoop, offering session: OpaquePointer?) throws -> (OpaquePointer?, Bool, Int) {
        let socket = MemoryTransport()
        let server = try #require(TLSStream(inner: socket, loop: loop, context: context))
        server.startReading()
        let clientContext = try #require(SSL_CTX_new(TLS_client_method()))
        defer { SSL_CTX_free(clientContext) }
        _ = SSL_CTX_ctrl(clientContext, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(TLS1_2_VERSION), nil)
        let client = try #require(SSL_new(clientContext))
        defer {
            // Closed properly: OpenSSL marks the session of a connection freed without a shutdown
            // as not resumable.
            SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)
            SSL_free(client)
        }
        let toClient = BIO_new(BIO_s_mem()), fromClient = BIO_new(BIO_s_mem())
        SSL_set_bio(client, toClient, fromClient)
        SSL_set_connect_state(client)
        if let session { SSL_set_session(client, session) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }
        var serverBytes = 0
        for _ in 0..<20 {
            let done = SSL_do_handshake(client) == 1
            let count = BIO_read(fromClient, buffer.baseAddress, Int32(buffer.count))
            if count > 0 { socket.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<Int(count)])) }
            if !socket.output.isEmpty {
                serverBytes += socket.output.count
                _ = BIO_write(toClient, socket.output, Int32(socket.output.count))
                socket.output.removeAll()
            }
            if done && count <= 0 { break }
        }
        #expect(SSL_is_init_finished(client) == 1, "the handshake did not finish")
        return (SSL_get1_session(client), SSL_session_reused(client) == 1, serverBytes)
    }

    @Test func aTicketResumesAcrossOneRotationAndNotTwo() throws {
        let loop = try EventLoop()
        let context = try TLSContext(TLSConfig(listen: [], certificates: [try Self.certificate()]))
        let (first, firstReused, fullBytes) = try Self.connect(context, loop: loop, offering: nil)
        defer { SSL_SESSION_free(first) }
        #expect(!firstReused)
        #expect(SSL_SESSION_has_ticket(first) == 1, "the first connection got a ticket")
        let (again, resumed, resumedBytes) = try Self.connect(context, loop: loop, offering: first)
        #expect(resumedBytes < fullBytes / 2, "a resumed handshake sends no certificate")
        SSL_SESSION_free(again)
        #expect(resumed, "a fresh ticket is accepted")
        TLSContext.rotateTicketKeys()
        let (renewed, afterOne, _) = try Self.connect(context, loop: loop, offering: first)
        SSL_SESSION_free(renewed)
        #expect(afterOne, "a ticket under the previous key is still accepted")
        TLSContext.rotateTicketKeys()
        let (fresh, afterTwo, _) = try Self.connect(context, loop: loop, offering: first)
        SSL_SESSION_free(fresh)
        #expect(!afterTwo, "two rotations later the old key is gone: a full handshake")
        _ = loop.close()
    }
}
