import Testing
@testable import PaddockCore

/// The supervision rules as a value: start, crash and backoff, rolling restarts, failed deploys,
/// and stopping. No process is started: the tests play the part of `PoolSupervisor`.
@Suite struct SupervisorMachineTests {
    typealias M = SupervisorMachine
    static let settings = M.Settings(startTimeout: 5_000, stopTimeout: 2_000)
    static let crash = M.Exit(status: 0, signal: 9)

    private func spawned(_ actions: [M.Action]) -> [Int] {
        actions.compactMap { if case let .spawn(id, _) = $0 { id } else { nil } }
    }

    private func signals(_ actions: [M.Action]) -> [(Int, M.Signal)] {
        actions.compactMap { if case let .signal(id, signal) = $0 { (id, signal) } else { nil } }
    }

    private func logs(_ actions: [M.Action]) -> [String] {
        actions.compactMap { if case let .log(_, text) = $0 { text } else { nil } }
    }

    /// Two instances of revision 1, both serving.
    private func serving() -> M {
        var machine = M(pool: "api", revision: 1, instances: 2, settings: Self.settings)
        #expect(spawned(machine.start(now: 0)) == [1, 2])
        _ = machine.event(.passedCheck(id: 1, now: 100))
        _ = machine.event(.passedCheck(id: 2, now: 100))
        return machine
    }

    /// `serving()`, then a roll to revision 2 whose first new instance (3) passed at `passedAt`:
    /// it serves and old instance 1 drains.
    private func rollingWithOneReplaced(passedAt: UInt64) -> M {
        var machine = serving()
        _ = machine.event(.restart(revision: 2, instances: 2, reason: "reload", now: 0))
        _ = machine.event(.passedCheck(id: 3, now: passedAt))
        #expect(machine.draining == [1])
        return machine
    }

    @Test func instancesTakeRequestsOnlyOnceTheyPassACheck() {
        var machine = M(pool: "api", revision: 1, instances: 2, settings: Self.settings)
        #expect(spawned(machine.start(now: 0)) == [1, 2])
        #expect(machine.serving.isEmpty)
        #expect(machine.starting == [1, 2])
        _ = machine.event(.passedCheck(id: 2, now: 10))
        #expect(machine.serving == [2])
        _ = machine.event(.passedCheck(id: 1, now: 20))
        #expect(machine.serving == [1, 2])
        #expect(!machine.isRolling)
    }

    @Test func aCrashedInstanceIsReplacedAfterABackoffThatDoubles() {
        var machine = serving()
        var actions = machine.event(.exited(id: 1, Self.crash, now: 1_000))
        #expect(machine.serving == [2])
        #expect(spawned(actions).isEmpty)
        #expect(logs(actions).contains { $0.contains("api#1 exited (killed by signal 9); starting another in 250ms") })
        #expect(spawned(machine.event(.tick(now: 1_200, idle: []))).isEmpty)
        #expect(spawned(machine.event(.tick(now: 1_250, idle: []))) == [3])
        // It fails to start: the next wait is twice as long.
        actions = machine.event(.exited(id: 3, M.Exit(status: 1, signal: 0), now: 1_400))
        #expect(logs(actions).contains { $0.contains("api#3 exited (exit status 1) before passing its check; starting another in 500ms") })
        #expect(spawned(machine.event(.tick(now: 1_899, idle: []))).isEmpty)
        #expect(spawned(machine.event(.tick(now: 1_900, idle: []))) == [4])
        #expect(machine.restarts == 2)
        #expect(!machine.isCrashLooping)
        #expect(machine.lastFailure?.contains("api#3") == true)
    }

    @Test func threeFailuresInARowAreACrashLoopUntilTheInstancesAreStable() {
        var machine = serving()
        var now: UInt64 = 1_000
        var id = 1
        for failure in 0..<3 {
            _ = machine.event(.exited(id: id, Self.crash, now: now))
            now += 250 << UInt64(failure)
            id = spawned(machine.event(.tick(now: now, idle: []))).first!
        }
        #expect(machine.isCrashLooping)
        _ = machine.event(.passedCheck(id: id, now: now))
        // Serving for the stable period since the last failure clears it.
        _ = machine.event(.tick(now: now + 5_000, idle: []))
        #expect(machine.isCrashLooping)
        #expect(machine.lastFailure != nil)
        _ = machine.event(.tick(now: now + 10_000, idle: []))
        #expect(!machine.isCrashLooping)
        #expect(machine.failuresInARow == 0)
        // A failed start is history once the instances are stable; a failed roll is not (below).
        #expect(machine.lastFailure == nil)
    }

    @Test func failuresInARowCountUntilEveryInstanceHasServedForTheStablePeriod() {
        var machine = serving()
        // An app that is slow to start and crashes soon after it serves: the count keeps growing.
        _ = machine.event(.exited(id: 1, Self.crash, now: 1_000))
        _ = machine.event(.tick(now: 1_250, idle: []))
        _ = machine.event(.passedCheck(id: 3, now: 13_000))
        _ = machine.event(.tick(now: 14_000, idle: []))
        #expect(machine.failuresInARow == 1)
        _ = machine.event(.exited(id: 3, Self.crash, now: 14_000))
        #expect(machine.failuresInARow == 2)
        _ = machine.event(.tick(now: 14_500, idle: []))
        _ = machine.event(.passedCheck(id: 4, now: 15_000))
        _ = machine.event(.tick(now: 24_999, idle: []))
        #expect(machine.failuresInARow == 2)
        _ = machine.event(.tick(now: 25_000, idle: []))
        #expect(machine.failuresInARow == 0)
    }

    @Test func aNewInstanceThatCrashesAfterPassingEndsTheRollWithoutDrainingTheRest() {
        var machine = rollingWithOneReplaced(passedAt: 100)
        // Its replacement starts; then the new one that serves dies.
        #expect(machine.starting == [4])
        let actions = machine.event(.exited(id: 3, Self.crash, now: 200))
        #expect(!machine.isRolling)
        #expect(signals(actions).map(\.0) == [4])
        #expect(machine.serving == [2])
        #expect(machine.lastFailure == "rolling restart failed: api#3 exited (killed by signal 9)")
        // The pool goes back to its count at once, with the revision that works.
        #expect(actions.contains(.spawn(id: 5, revision: 1)))
        #expect(machine.restarts == 0)
    }

    @Test func aRollThatAddsInstancesDrainsAnOldOneOnlyWhenThereAreEnough() {
        var machine = M(pool: "api", revision: 1, instances: 1, settings: Self.settings)
        _ = machine.start(now: 0)
        _ = machine.event(.passedCheck(id: 1, now: 10))
        _ = machine.event(.restart(revision: 2, instances: 2, reason: "reload", now: 100))
        _ = machine.event(.passedCheck(id: 2, now: 200))
        #expect(machine.serving == [1, 2])
        #expect(machine.draining.isEmpty)
        // The second new one fails: both serving instances stay.
        let actions = machine.event(.exited(id: 3, M.Exit(status: 1, signal: 0), now: 300))
        #expect(machine.serving == [1, 2])
        #expect(logs(actions).contains { $0.contains("the 1 running instance keeps serving, with the 1 new one that already passed its check") })
    }

    @Test func aRollingRestartReplacesOneInstanceAtATime() {
        var machine = serving()
        var actions = machine.event(.restart(revision: 2, instances: 2, reason: "reload", now: 1_000))
        #expect(machine.isRolling)
        #expect(actions.contains(.spawn(id: 3, revision: 2)))
        #expect(spawned(actions) == [3])
        // The old ones serve while the new one starts.
        #expect(machine.serving == [1, 2])
        actions = machine.event(.passedCheck(id: 3, now: 1_500))
        #expect(machine.serving == [2, 3])
        #expect(machine.draining == [1])
        #expect(spawned(actions) == [4])
        // The drained instance is stopped once it has nothing in flight.
        actions = machine.event(.tick(now: 1_600, idle: [1]))
        #expect(signals(actions).map(\.0) == [1])
        #expect(signals(actions).map(\.1) == [.terminate])
        _ = machine.event(.exited(id: 1, M.Exit(status: 0, signal: 0), now: 1_700))
        actions = machine.event(.passedCheck(id: 4, now: 2_000))
        #expect(machine.serving == [3, 4])
        #expect(machine.draining == [2])
        #expect(!machine.isRolling)
        #expect(machine.revision == 2)
        #expect(logs(actions).contains { $0.contains("rolling restart done") })
        // Not a crash: nothing is started again.
        _ = machine.event(.tick(now: 2_100, idle: [2]))
        actions = machine.event(.exited(id: 2, M.Exit(status: 0, signal: 0), now: 2_200))
        #expect(spawned(actions).isEmpty)
        #expect(machine.restarts == 0)
    }

    @Test func aDrainingInstanceGetsSIGTERMAfterStopTimeoutThenSIGKILL() {
        var machine = rollingWithOneReplaced(passedAt: 1_000)
        // Still busy: it waits until stop_timeout.
        #expect(signals(machine.event(.tick(now: 2_999, idle: []))).isEmpty)
        #expect(signals(machine.event(.tick(now: 3_000, idle: []))).map(\.1) == [.terminate])
        #expect(signals(machine.event(.tick(now: 4_999, idle: []))).isEmpty)
        let actions = machine.event(.tick(now: 5_000, idle: []))
        #expect(signals(actions).map(\.1) == [.kill])
        #expect(logs(actions).contains { $0.contains("did not exit within stop_timeout") })
    }

    @Test func aNewInstanceThatExitsBeforeItsCheckEndsTheRollAndTheOldOnesKeepServing() {
        var machine = serving()
        _ = machine.event(.restart(revision: 2, instances: 2, reason: "reload", now: 1_000))
        let actions = machine.event(.exited(id: 3, M.Exit(status: 1, signal: 0), now: 1_200))
        #expect(!machine.isRolling)
        #expect(machine.serving == [1, 2])
        #expect(machine.revision == 1)
        #expect(spawned(actions).isEmpty)
        #expect(machine.lastFailure == "rolling restart failed: api#3 exited (exit status 1) before passing its check")
        #expect(logs(actions).contains { $0.contains("the 2 running instances keep serving") })
        // A failed deploy is not a crash of the running revision.
        #expect(machine.restarts == 0)
        // A later crash restarts the old revision.
        _ = machine.event(.exited(id: 1, Self.crash, now: 2_000))
        #expect(machine.event(.tick(now: 2_250, idle: [])) .contains(.spawn(id: 4, revision: 1)))
        _ = machine.event(.passedCheck(id: 4, now: 2_500))
        _ = machine.event(.tick(now: 20_000, idle: []))
        #expect(machine.failuresInARow == 0)
        #expect(machine.lastFailure?.hasPrefix("rolling restart failed") == true)
    }

    @Test func aNewInstanceThatNeverPassesIsStoppedAtStartTimeout() {
        var machine = serving()
        _ = machine.event(.restart(revision: 2, instances: 2, reason: "reload", now: 1_000))
        #expect(signals(machine.event(.tick(now: 5_999, idle: []))).isEmpty)
        let actions = machine.event(.tick(now: 6_000, idle: []))
        #expect(signals(actions).map(\.0) == [3])
        #expect(!machine.isRolling)
        #expect(machine.lastFailure?.contains("did not pass its check within start_timeout (5000ms)") == true)
        #expect(machine.serving == [1, 2])
        // A later success clears the failure.
        _ = machine.event(.exited(id: 3, M.Exit(status: 0, signal: 15), now: 6_100))
        _ = machine.event(.restart(revision: 3, instances: 1, reason: "reload", now: 7_000))
        _ = machine.event(.passedCheck(id: 4, now: 7_500))
        #expect(machine.serving == [4])
        #expect(machine.draining == [1, 2])
        #expect(machine.lastFailure == nil)
        #expect(machine.target == 1)
    }

    @Test func aNewerRestartSupersedesTheOneUnderWay() {
        var machine = serving()
        _ = machine.event(.restart(revision: 2, instances: 2, reason: "a.py changed", now: 0))
        let actions = machine.event(.restart(revision: 3, instances: 2, reason: "b.py changed", now: 100))
        #expect(signals(actions).map(\.0) == [3])
        #expect(actions.contains(.spawn(id: 4, revision: 3)))
        #expect(machine.serving == [1, 2])
    }

    @Test func stoppingDrainsServingInstancesAndStopsStartingOnes() {
        var machine = serving()
        _ = machine.event(.exited(id: 2, Self.crash, now: 100))
        _ = machine.event(.tick(now: 350, idle: []))
        #expect(machine.starting == [3])
        var actions = machine.event(.stop(now: 400))
        #expect(signals(actions).map(\.0) == [3])
        #expect(machine.draining == [1])
        #expect(machine.serving.isEmpty)
        actions = machine.event(.tick(now: 500, idle: [1]))
        #expect(signals(actions).map(\.0) == [1])
        // Exits while stopping are not crashes, and nothing starts again.
        #expect(spawned(machine.event(.exited(id: 3, M.Exit(status: 0, signal: 15), now: 600))).isEmpty)
        #expect(!machine.isFinished)
        _ = machine.event(.exited(id: 1, M.Exit(status: 0, signal: 0), now: 700))
        #expect(machine.isFinished)
        #expect(machine.restarts == 1)
        #expect(machine.event(.restart(revision: 2, instances: 1, reason: "late", now: 800)).isEmpty)
    }

    @Test func aSpawnThatFailsCountsAsAFailedStart() {
        var machine = M(pool: "api", revision: 1, instances: 1, settings: Self.settings)
        _ = machine.start(now: 0)
        let actions = machine.event(.spawnFailed(id: 1, reason: "EMFILE", now: 10))
        #expect(logs(actions).contains { $0.contains("api#1 could not be started: EMFILE; starting another in 250ms") })
        #expect(machine.instances.isEmpty)
        #expect(machine.event(.tick(now: 260, idle: [])).contains(.spawn(id: 2, revision: 1)))
    }
}
