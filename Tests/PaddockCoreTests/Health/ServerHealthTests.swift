import PaddockConfig
import Testing
@testable import PaddockCore

/// Marking servers down and up: `fall` failures in a row, `rise` successes in a row.
@Suite struct ServerHealthTests {
    typealias Observation = ServerHealth.Observation
    static let passed = Observation.check(.init(status: 200, error: nil, latencyMilliseconds: 3))
    static let failed = Observation.check(.init(status: 500, error: "status 500, expected 2xx", latencyMilliseconds: 2))

    /// Feeds `observations` one by one; returns the state after each and the transitions seen.
    private func run(_ observations: [Observation], rule: ServerHealth.Rule) -> (states: [Bool], transitions: [ServerHealth.Transition]) {
        var health = ServerHealth(now: 0)
        var states: [Bool] = []
        var transitions: [ServerHealth.Transition] = []
        for (time, observation) in observations.enumerated() {
            if let transition = health.record(observation, rule: rule, now: UInt64(time)) { transitions.append(transition) }
            states.append(health.isUp)
        }
        return (states, transitions)
    }

    private let checks = ServerHealth.Rule(HealthCheckConfig(rise: 2, fall: 3))

    @Test func downAfterFallFailuresInARowAndUpAfterRiseSuccesses() {
        let (states, transitions) = run([Self.failed, Self.failed, Self.failed, Self.passed, Self.passed], rule: checks)
        #expect(states == [true, true, false, false, true])
        #expect(transitions == [.wentDown, .cameUp])
    }

    @Test func aSuccessBreaksARunOfFailures() {
        let (states, _) = run([Self.failed, Self.failed, Self.passed, Self.failed, Self.failed], rule: checks)
        #expect(states.allSatisfy { $0 }, "never three failures in a row")
    }

    @Test func realRequestsThatFailCountWithTheChecks() {
        let (states, _) = run([.connectFailed, .requestFailed, Self.failed], rule: checks)
        #expect(states == [true, true, false])
    }

    @Test func withChecksAWorkingConnectDoesNotBringAServerBack() {
        // The port accepts, but the app answers 500: only a passing check counts.
        let (states, _) = run([Self.failed, Self.failed, Self.failed, .connectWorked, .connectWorked, .connectWorked],
                              rule: checks)
        #expect(states.last == false)
    }

    @Test func withoutChecksOneFailedConnectIsDownAndOneGoodConnectIsUp() {
        let passive = ServerHealth.Rule(nil)
        let (states, transitions) = run([.connectFailed, .connectWorked, .requestFailed, .connectWorked], rule: passive)
        #expect(states == [false, true, false, true])
        #expect(transitions == [.wentDown, .cameUp, .wentDown, .cameUp])
    }

    @Test func theLastCheckAndTheTimeOfTheChangeAreKept() {
        var health = ServerHealth(now: 1_000)
        _ = health.record(Self.failed, rule: ServerHealth.Rule(HealthCheckConfig(rise: 1, fall: 1)), now: 5_000)
        #expect(health.lastCheck?.status == 500)
        #expect(health.changedAt == 5_000)
        _ = health.record(.requestFailed, rule: checks, now: 6_000)
        #expect(health.lastCheck?.status == 500, "a request failure is not a check")
        #expect(health.changedAt == 5_000, "no change, no new time")
    }

    @Test func healthSurvivesASwapThatKeepsTheAddress() throws {
        let config = PoolConfig(name: "api", kind: .async, health: HealthCheckConfig(rise: 1, fall: 1),
                                servers: [ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001))])
        var state = PoolState(config: config, now: 0)
        let id = state.servers[0].id
        #expect(state.record(Self.failed, for: id, now: 10) == .wentDown)
        var next = config
        next.servers.append(ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8002)))
        state.reconfigure(next, now: 20)
        #expect(state.servers.map(\.isUp) == [false, true])
        let report = state.healthReport(now: 3_010)
        #expect(report.servers.map(\.secondsSinceChange) == [3, 2])
    }
}
