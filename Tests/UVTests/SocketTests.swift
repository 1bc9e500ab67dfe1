import Testing
@testable import UV
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SocketTests {
    @Test func timerFiresAndLoopClosesClean() throws {
        let loop = try EventLoop()
        let timer = LoopTimer(loop: loop)
        var fired = 0
        timer.start(milliseconds: 5) { fired += 1 }
        run(loop) { fired == 1 }
        #expect(fired == 1)
        finish(loop, closing: [timer])
    }

    @Test func tcpEchoOverLoopback() throws {
        let loop = try EventLoop()
        var accepted: [Socket] = []
        let serverSide = RecordingDelegate()
        serverSide.onRead = { socket in socket.write(Array("echo:".utf8)) }
        let listener = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { socket in
            serverSide.attach(to: socket)
            socket.startReading()
            accepted.append(socket)
        }
        let port = try #require(listener.boundPort)
        #expect(port != 0)

        let client = Socket(loop: loop, kind: .tcp)
        let clientSide = RecordingDelegate()
        clientSide.attach(to: client)
        var connectError: UVError?
        var connected = false
        client.connect(to: .ip(host: "127.0.0.1", port: port)) { error in
            connectError = error
            connected = true
            client.startReading()
            client.write(Array("hello".utf8))
        }
        run(loop) { clientSide.received.count >= 5 }
        #expect(connected && connectError == nil)
        #expect(serverSide.received == Array("hello".utf8))
        #expect(clientSide.received == Array("echo:".utf8))
        #expect(accepted.first?.peerIP == "127.0.0.1")
        // Everything read was consumed: neither side holds a read buffer while idle. The server's
        // buffer went back to the loop's pool and the client's read took the same one.
        #expect(accepted.first?.holdsInputMemory == false)
        #expect(!client.holdsInputMemory)
        #expect(loop.readBuffers.freeCount == 1)
        #expect(loop.readBuffers.allocationCount == 1)

        client.close()
        run(loop) { serverSide.sawEOF }
        #expect(serverSide.sawEOF)
        finish(loop, closing: [listener] + accepted)
    }

    @Test func largeWriteQueuesAndDrains() throws {
        let loop = try EventLoop()
        var accepted: [Socket] = []
        let serverSide = RecordingDelegate()
        let listener = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { socket in
            serverSide.attach(to: socket)
            accepted.append(socket)
        }
        let client = Socket(loop: loop, kind: .tcp)
        let clientSide = RecordingDelegate()
        clientSide.attach(to: client)
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var queuedAfterWrite = 0
        client.connect(to: .ip(host: "127.0.0.1", port: try #require(listener.boundPort))) { _ in
            client.write(payload)
            queuedAfterWrite = client.writeQueueBytes
        }
        run(loop) { !accepted.isEmpty && queuedAfterWrite > 0 }
        // The receiver is not reading yet, so the kernel cannot take 8 MiB at once.
        #expect(queuedAfterWrite > 0)
        #expect(clientSide.drains == 0)
        accepted[0].startReading()
        run(loop, seconds: 10) { serverSide.received.count == payload.count }
        #expect(serverSide.received == payload)
        run(loop) { clientSide.drains > 0 }
        #expect(clientSide.drains == 1)
        #expect(client.writeQueueBytes == 0)
        finish(loop, closing: [listener, client] + accepted)
    }

    @Test func unixSocketConnects() throws {
        let loop = try EventLoop()
        let path = "/tmp/paddock-uvtest-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        var accepted: [Socket] = []
        let serverSide = RecordingDelegate()
        let listener = try Listener(loop: loop, endpoint: .unix(path: path)) { socket in
            serverSide.attach(to: socket)
            socket.startReading()
            accepted.append(socket)
        }
        let client = Socket(loop: loop, kind: .pipe)
        var connected = false
        client.connect(to: .unix(path: path)) { error in
            connected = error == nil
            client.write(Array("over unix".utf8))
        }
        run(loop) { serverSide.received.count == 9 }
        #expect(connected)
        #expect(String(decoding: serverSide.received, as: UTF8.self) == "over unix")
        #expect(accepted.first?.peerIP == nil)
        finish(loop, closing: [listener, client] + accepted)
        // The listener removes its socket file on close.
        #expect(access(path, F_OK) != 0)
    }

    @Test func refusedConnectReportsError() throws {
        let loop = try EventLoop()
        // Bind and close a listener to find a port with nothing behind it.
        let probe = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { _ in }
        let port = try #require(probe.boundPort)
        probe.close()
        run(loop) { loop.openHandleCount == 0 }

        let client = Socket(loop: loop, kind: .tcp)
        var result: UVError??
        client.connect(to: .ip(host: "127.0.0.1", port: port)) { error in result = .some(error) }
        run(loop) { result != nil }
        #expect(result??.isConnectionRefused == true)
        finish(loop, closing: [client])
    }

    @Test func listenerReportsAddressInUse() throws {
        let loop = try EventLoop()
        let first = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0)) { _ in }
        let port = try #require(first.boundPort)
        #expect(throws: UVError.self) {
            _ = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: port)) { _ in }
        }
        finish(loop, closing: [first])
    }
}

@Suite struct ReusePortTests {
    @Test func listenersWithReusePortShareAnAddressAndOthersCannot() throws {
        let loop = try EventLoop()
        let first = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: 0), reusePort: true) { $0.close() }
        let port = try #require(first.boundPort)
        // A second loop's listener on the same address, as with threads = N.
        let second = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: port), reusePort: true) { $0.close() }
        #expect(second.boundPort == port)
        #expect(throws: UVError.addressInUse) {
            _ = try Listener(loop: loop, endpoint: .ip(host: "127.0.0.1", port: port)) { $0.close() }
        }
        first.close()
        second.close()
        #expect(loop.close())
    }
}
