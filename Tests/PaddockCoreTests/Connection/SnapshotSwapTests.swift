import Testing
import UV
@testable import PaddockCore

/// A config swap under a running loop: `DownstreamConnection` on a real `EventLoop`, with in-memory
/// transports for the client and the servers.
@Suite struct SnapshotSwapTests {
    private static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"

    @Test func aRequestKeepsItsSnapshotAndTheNextOneUsesTheNewConfig() throws {
        let fixture = try LoopFixture(config: LoopFixture.config(pool: "async", port: 9001))
        let client = FakeTransport(loop: fixture.loop)
        let connection = DownstreamConnection(transport: client, context: fixture.context)
        connection.start()

        client.feed("GET /first HTTP/1.1\r\nHost: app\r\n\r\n")
        #expect(fixture.turn { fixture.dialer.dials.count == 1 })
        #expect(fixture.dialer.dials[0].endpoint == .ip(host: "127.0.0.1", port: 9001))
        #expect(connection.snapshot.generation == 1)

        // The swap lands while the first request is in flight on generation 1's server.
        let second = fixture.context.install(try LoopFixture.config(pool: "async", port: 9002))
        #expect(second.generation == 2)
        let upstream = fixture.dialer.dials[0].transport
        #expect(fixture.turn { upstream.outputText.hasPrefix("GET /first HTTP/1.1\r\n") })
        upstream.feed(Self.ok)
        #expect(fixture.turn { client.outputText.hasSuffix("\r\n\r\nhi") })
        #expect(connection.snapshot.generation == 1, "the response finished under the request's own snapshot")

        // The next request on the same client connection is routed with generation 2.
        client.feed("GET /second HTTP/1.1\r\nHost: app\r\n\r\n")
        #expect(fixture.turn { fixture.dialer.dials.count == 2 })
        #expect(fixture.dialer.dials[1].endpoint == .ip(host: "127.0.0.1", port: 9002))
        #expect(connection.snapshot.generation == 2)
        let newUpstream = fixture.dialer.dials[1].transport
        #expect(fixture.turn { newUpstream.outputText.hasPrefix("GET /second HTTP/1.1\r\n") })
        newUpstream.feed(Self.ok)
        #expect(fixture.turn { client.outputText.components(separatedBy: "\r\n\r\nhi").count == 3 })
        #expect(!client.isClosed, "keep-alive held across the swap")

        connection.close()
        fixture.context.cache.closeAll()
        #expect(fixture.turn { client.isClosed })
    }

    /// A sync pool with one 1-worker server: request A has the worker, request B waits in the queue.
    private func oneWorkerBusyOneWaiting() throws
        -> (LoopFixture, FakeTransport, FakeTransport, DownstreamConnection, DownstreamConnection, UpstreamPool) {
        let fixture = try LoopFixture(config: LoopFixture.config(pool: "sync", port: 9001))
        let clientA = FakeTransport(loop: fixture.loop)
        let clientB = FakeTransport(loop: fixture.loop)
        let a = DownstreamConnection(transport: clientA, context: fixture.context)
        let b = DownstreamConnection(transport: clientB, context: fixture.context)
        a.start()
        b.start()
        clientA.feed("GET /a HTTP/1.1\r\nHost: app\r\n\r\n")
        #expect(fixture.turn { fixture.dialer.dials.count == 1 })
        clientB.feed("GET /b HTTP/1.1\r\nHost: app\r\n\r\n")
        let pool = try #require(fixture.context.snapshot.pools["app"])
        #expect(fixture.turn { pool.shared.healthReport(now: 0).queued == 1 })
        return (fixture, clientA, clientB, a, b, pool)
    }

    @Test func aSwapKeepsASyncServersSlotsSoTheQueueStillHoldsItsPlace() throws {
        // One gunicorn worker: request A has it, request B waits. A swap that keeps the server (same
        // address) must not forget A's slot, or B would be sent to the busy worker at once.
        let (fixture, clientA, clientB, a, b, pool) = try oneWorkerBusyOneWaiting()

        fixture.context.install(try LoopFixture.config(pool: "sync", port: 9001))
        #expect(fixture.context.snapshot.pools["app"]?.shared === pool.shared, "the pool's shared state is reused by name")
        let afterSwap = pool.shared.healthReport(now: 0)
        #expect(afterSwap.servers.map(\.inFlight) == [1] && afterSwap.queued == 1)
        for _ in 0..<20 { fixture.loop.runOnce() }
        #expect(fixture.dialer.dials.count == 1, "B still waits for the one worker")

        let upstreamA = fixture.dialer.dials[0].transport
        #expect(fixture.turn { upstreamA.outputText.hasPrefix("GET /a ") })
        upstreamA.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
        upstreamA.feedEOF()
        #expect(fixture.turn { fixture.dialer.dials.count == 2 }, "A's slot went to B")
        let upstreamB = fixture.dialer.dials[1].transport
        #expect(fixture.turn { upstreamB.outputText.hasPrefix("GET /b ") })
        #expect(clientA.outputText.hasSuffix("\r\n\r\nhi"))

        a.close()
        b.close()
        #expect(fixture.turn { clientA.isClosed && clientB.isClosed })
    }

    @Test func capacityAddedByASwapGoesToTheWaitingRequestAtOnce() throws {
        let (fixture, clientA, clientB, a, b, pool) = try oneWorkerBusyOneWaiting()

        fixture.context.install(try LoopFixture.config(pool: "sync", ports: [9001, 9002]))
        #expect(fixture.turn { fixture.dialer.dials.count == 2 }, "the new server took the waiting request")
        #expect(fixture.dialer.dials[1].endpoint == .ip(host: "127.0.0.1", port: 9002))
        let report = pool.shared.healthReport(now: 0)
        #expect(report.queued == 0 && report.servers.map(\.inFlight) == [1, 1])

        a.close()
        b.close()
        #expect(fixture.turn { clientA.isClosed && clientB.isClosed })
    }
}

/// A grant from another loop can arrive after its request stopped waiting.
@Suite struct LateGrantTests {
    @Test func aGrantForARequestNoLongerWaitingGoesBackToItsPool() throws {
        let fixture = try LoopFixture(config: LoopFixture.config(pool: "sync", port: 9001))
        let client = FakeTransport(loop: fixture.loop)
        let connection = DownstreamConnection(transport: client, context: fixture.context)
        connection.start()
        let pool = try #require(fixture.context.snapshot.pools["app"]).shared
        // The slot was counted for this connection on another loop, for a ticket it no longer has.
        guard case let .server(server) = pool.acquire(excluding: [], now: 0) else {
            Issue.record("the pool's one worker is free")
            return
        }
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 1)
        connection.slotGranted(PoolState.Grant(ticket: 41, server: server), from: pool)
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 0)
        connection.close()
    }
}
