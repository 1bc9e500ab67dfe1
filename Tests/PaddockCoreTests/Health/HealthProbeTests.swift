import Testing
import UV
@testable import PaddockCore

/// Active checks on a real loop against in-memory servers: the request, pass and fail, timeouts,
/// and slots on sync workers.
@Suite struct HealthProbeTests {
    private static let health = #"health = { path = "/healthz", host = "app.internal", interval = "30ms", timeout = "15ms", rise = 2, fall = 2, expect_status = "2xx,301" }"#

    private func fixture(_ kind: String) throws -> (LoopFixture, UpstreamPool, ServerRef) {
        let fixture = try LoopFixture(config: LoopFixture.config(pool: kind, ports: [9001], extra: Self.health))
        let pool = try #require(fixture.context.snapshot.pools["app"])
        return (fixture, pool, pool.shared.servers[0])
    }

    private func isUp(_ pool: UpstreamPool) -> Bool { pool.shared.healthReport(now: 0).servers[0].isUp }

    /// Waits for check number `count` to dial, then answers it with `response` (nil: stay silent).
    private func answer(check count: Int, with response: String?, _ fixture: LoopFixture) -> FakeTransport? {
        guard fixture.wait(until: { fixture.dialer.dials.count >= count }) else { return nil }
        let server = fixture.dialer.dials[count - 1].transport
        guard fixture.turn(until: { !server.output.isEmpty }) else { return nil }
        if let response { server.feed(response) }
        return server
    }

    @Test func failingChecksMarkTheServerDownAndPassingOnesBringItBack() throws {
        let (fixture, pool, server) = try fixture("async")
        let probe = HealthProbe(server: server, pool: pool, check: pool.config.health!, context: fixture.context)
        probe.start(after: 0)

        let first = try #require(answer(check: 1, with: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", fixture))
        #expect(first.outputText == "GET /healthz HTTP/1.1\r\nHost: app.internal\r\nUser-Agent: paddock-health-check\r\nConnection: close\r\n\r\n")
        #expect(fixture.turn { first.isClosed })
        #expect(isUp(pool), "one failure of fall = 2")
        // The second check gets no answer at all: it times out, the second failure in a row.
        _ = try #require(answer(check: 2, with: nil, fixture))
        #expect(fixture.wait { !isUp(pool) })
        let report = pool.shared.healthReport(now: fixture.loop.now).servers[0]
        #expect(report.lastCheck?.error == "no response within 15ms")

        _ = try #require(answer(check: 3, with: "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n", fixture))
        #expect(fixture.wait { fixture.dialer.dials.count == 4 })
        #expect(!isUp(pool), "one success of rise = 2")
        _ = try #require(answer(check: 4, with: "HTTP/1.1 204 No Content\r\n\r\n", fixture))
        #expect(fixture.wait { isUp(pool) }, "204 is in 2xx")
        #expect(pool.shared.healthReport(now: 0).servers[0].lastCheck?.status == 204)

        probe.stop()
        #expect(fixture.turn { fixture.dialer.dials.allSatisfy { $0.transport.isClosed } })
    }

    @Test func aCheckOnASyncWorkerTakesASlotAndIsSkippedWhenTheWorkerIsBusy() throws {
        let (fixture, pool, server) = try fixture("sync")
        let probe = HealthProbe(server: server, pool: pool, check: pool.config.health!, context: fixture.context)
        // The one worker is busy with a request: checks wait for it.
        guard case .server = pool.shared.acquire(excluding: [], now: 0) else { Issue.record("no slot"); return }
        probe.start(after: 0)
        #expect(!fixture.wait(seconds: 1) { !fixture.dialer.dials.isEmpty }, "a check was sent to a busy worker")
        pool.shared.release(server.id, now: fixture.loop.now)

        let check = try #require(answer(check: 1, with: nil, fixture))
        #expect(pool.shared.healthReport(now: 0).servers[0].inFlight == 1, "the check holds the worker's slot")
        #expect(pool.shared.acquire(excluding: [], now: 0) == .full, "no request goes to the worker during the check")
        check.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(fixture.turn { pool.shared.healthReport(now: 0).servers[0].inFlight == 0 }, "the slot goes back")
        probe.stop()
    }
}
