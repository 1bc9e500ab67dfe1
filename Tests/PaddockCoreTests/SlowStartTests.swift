import PaddockConfig
import Testing
@testable import PaddockCore

/// `slow_start`: a server that comes back up gets a growing share, from a tenth to all of it.
@Suite struct SlowStartTests {
    static func state(slowStart: Int64, kind: PoolKind = .sync) -> PoolState {
        let config = PoolConfig(name: "web", kind: kind, slowStartMilliseconds: slowStart, servers: [
            ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 10),
            ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8002), workers: 10),
        ])
        return PoolState(config: config, now: 0)
    }

    /// Takes every slot that can be had at `now`; returns how many went to each server.
    static func fill(_ state: inout PoolState, now: UInt64) -> [Int] {
        var counts = [0, 0]
        while case let .server(server) = state.acquire(excluding: [], now: now) { counts[Int(server.id.raw)] += 1 }
        return counts
    }

    static func releaseAll(_ state: inout PoolState) {
        for index in state.servers.indices {
            while state.servers[index].inFlight > 0 { _ = state.release(state.servers[index].id, now: 0) }
        }
    }

    @Test func aRecoveredSyncServerRampsItsWorkersOverSlowStart() {
        var state = Self.state(slowStart: 10_000)
        let back = state.servers[1].id
        #expect(state.record(.connectFailed, for: back, now: 500) == .wentDown)
        #expect(state.record(.connectWorked, for: back, now: 1_000) == .cameUp)
        // A tenth of 10 workers at first, half-way after half the ramp, all of them after it.
        #expect(Self.fill(&state, now: 1_000) == [10, 1])
        Self.releaseAll(&state)
        #expect(Self.fill(&state, now: 6_000) == [10, 6])
        Self.releaseAll(&state)
        #expect(Self.fill(&state, now: 11_000) == [10, 10])
    }

    @Test func aSingleServerIsNotRamped() {
        let config = PoolConfig(name: "web", kind: .sync, slowStartMilliseconds: 10_000, servers: [
            ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 10),
        ])
        var state = PoolState(config: config, now: 0)
        _ = state.record(.connectFailed, for: state.servers[0].id, now: 0)
        _ = state.record(.connectWorked, for: state.servers[0].id, now: 1_000)
        var taken = 0
        while case .server = state.acquire(excluding: [], now: 1_000) { taken += 1 }
        #expect(taken == 10, "nobody else can take the rest")
    }

    @Test func capacityARampAddedGoesToTheQueueAtTheNextRelease() {
        var state = Self.state(slowStart: 10_000)
        let back = state.servers[1].id
        _ = state.record(.connectFailed, for: back, now: 0)
        _ = state.record(.connectWorked, for: back, now: 1_000)
        #expect(Self.fill(&state, now: 1_000) == [10, 1])
        let tickets = (0..<6).compactMap { _ in state.enqueue(excluding: [], deadline: .max) }
        // Half-way through the ramp, one release on the first server hands out its slot and the
        // five the ramp has added on the second since.
        let grants = state.release(state.servers[0].id, now: 6_000)
        #expect(grants.map(\.ticket) == tickets)
        #expect(grants.filter { $0.server.id == back }.count == 5)
    }

    @Test func serversPresentAtStartAreNotRamped() {
        var state = Self.state(slowStart: 10_000)
        #expect(Self.fill(&state, now: 0) == [10, 10])
    }

    @Test func aRecoveredAsyncServerGetsASmallerShareOfNewRequests() {
        var state = Self.state(slowStart: 10_000, kind: .async)
        let back = state.servers[1].id
        _ = state.record(.connectFailed, for: back, now: 0)
        _ = state.record(.connectWorked, for: back, now: 1_000)
        var counts = [0, 0]
        for _ in 0..<110 {
            guard case let .server(server) = state.acquire(excluding: [], now: 1_000) else {
                Issue.record("no pick")
                return
            }
            counts[Int(server.id.raw)] += 1
        }
        // Least outstanding with weights 1 : 0.1 keeps the in-flight counts near 10 : 1.
        #expect(counts[1] >= 8 && counts[1] <= 12, "\(counts)")
    }
}
