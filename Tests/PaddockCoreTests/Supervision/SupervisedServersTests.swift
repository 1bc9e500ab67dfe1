import PaddockConfig
import Testing
@testable import PaddockCore

/// How a pool's supervised instances join its servers, and how reports show them.
@Suite struct SupervisedServersTests {
    static let socketA = SocketAddressSpec.unix(path: "/tmp/p/web-1.sock")
    static let socketB = SocketAddressSpec.unix(path: "/tmp/p/web-2.sock")

    private func server(_ pick: PoolState.Pick) -> ServerRef? {
        if case let .server(server) = pick { server } else { nil }
    }

    @Test func aPoolWithOnlyRunHasNoServerUntilAnInstanceServes() {
        var state = PoolState(config: PoolConfig(name: "web", kind: .sync, servers: []), now: 0)
        #expect(state.acquire(excluding: [], now: 0) == .exhausted)
        #expect(state.enqueue(excluding: [], deadline: 1_000) != nil)
        state.setInstances([ServerConfig(address: Self.socketA, workers: 2)], now: 10)
        // The capacity the instance brings goes to the request that waited.
        let grants = state.grantWaiting(now: 10)
        #expect(grants.map(\.server.endpoint) == [Self.socketA.endpoint])
        #expect(state.inFlight(at: Self.socketA) == 1)
        #expect(state.healthReport(now: 10).servers.map(\.workers) == [2])
    }

    @Test func anInstanceTakenOutOfRotationKeepsCountingItsRequestsInFlight() throws {
        var state = PoolState(config: PoolConfig(name: "web", kind: .sync, servers: []), now: 0)
        state.setInstances([ServerConfig(address: Self.socketA, workers: 1)], now: 0)
        let first = try #require(server(state.acquire(excluding: [], now: 0)))
        // The roll: B serves, A drains.
        state.setInstances([ServerConfig(address: Self.socketB, workers: 1)], now: 1)
        #expect(state.inFlight(at: Self.socketA) == 1)
        #expect(server(state.acquire(excluding: [], now: 1))?.endpoint == Self.socketB.endpoint)
        // A is never picked again; its last request ends, and it is idle.
        #expect(state.acquire(excluding: [], now: 1) == .full)
        _ = state.release(first.id, now: 2)
        #expect(state.inFlight(at: Self.socketA) == 0)
    }

    @Test func anAddressThatComesBackAfterItsServerLeftIsANewServer() throws {
        let port = SocketAddressSpec.ipv4(host: "127.0.0.1", port: 40_001)
        var state = PoolState(config: PoolConfig(name: "api", kind: .async, servers: []), now: 0)
        state.setInstances([ServerConfig(address: port)], now: 0)
        let first = state.servers[0].id
        _ = state.record(.connectFailed, for: first, now: 1)
        #expect(state.servers[0].isUp == false)
        state.setInstances([], now: 2)
        // The port is handed to a later instance: fresh state, not the dead one's.
        state.setInstances([ServerConfig(address: port)], now: 3)
        #expect(state.servers[0].id != first)
        #expect(state.servers[0].isUp)
    }

    @Test func fixedServersComeFirstAndStayThroughInstanceChanges() {
        let fixed = ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 4)
        var state = PoolState(config: PoolConfig(name: "web", kind: .sync, servers: [fixed]), now: 0)
        state.setInstances([ServerConfig(address: Self.socketA, workers: 2)], now: 0)
        #expect(state.servers.map(\.address) == [fixed.address, Self.socketA])
        let fixedID = state.servers[0].id
        state.setInstances([], now: 1)
        #expect(state.servers.map(\.address) == [fixed.address])
        #expect(state.servers[0].id == fixedID)
    }

    static let run = HealthReport.Supervision(instances: [
        .init(name: "api#3", pid: 4242, state: "serving", address: "unix:/tmp/p/api-3.sock"),
        .init(name: "api#4", pid: 4243, state: "starting", address: "unix:/tmp/p/api-4.sock"),
    ], restarts: 1, crashLoop: false, rolling: true, lastFailure: nil)

    private func report(_ run: HealthReport.Supervision) -> HealthReport {
        HealthReport(pools: [HealthReport.Pool(name: "api", kind: .async, servers: [
            HealthReport.Server(address: "unix:/tmp/p/api-3.sock", isUp: true, inFlight: 0, workers: 1),
        ], run: run)])
    }

    @Test func theReportsShowInstances() {
        let report = report(Self.run)
        #expect(report.status == .ok)
        #expect(report.json.contains(#""run": {"rolling": true, "crash_loop": false, "restarts": 1, "last_failure": null, "instances": [{"name": "api#3", "pid": 4242, "state": "serving", "address": "unix:/tmp/p/api-3.sock"}, {"name": "api#4", "pid": 4243, "state": "starting", "address": "unix:/tmp/p/api-4.sock"}]}"#))
        #expect(report.table.contains("""
            run api: 2 instances, rolling restart under way, 1 restart
              api#3  pid 4242  serving   unix:/tmp/p/api-3.sock
              api#4  pid 4243  starting  unix:/tmp/p/api-4.sock
            """))
    }

    @Test func aCrashLoopOrAFailedRollIsDegraded() {
        var run = Self.run
        run.crashLoop = true
        #expect(report(run).status == .degraded)
        #expect(report(run).table.contains("CRASH LOOP"))
        run.crashLoop = false
        run.lastFailure = "rolling restart failed: api#5 exited (exit status 1) before passing its check"
        #expect(report(run).status == .degraded)
        #expect(report(run).httpStatus == 200)
        #expect(report(run).json.contains(#""last_failure": "rolling restart failed: api#5 exited (exit status 1) before passing its check""#))
        #expect(report(run).table.contains("  last failure: rolling restart failed"))
    }
}
