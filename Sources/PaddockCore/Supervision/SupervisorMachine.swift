import Logging

/// One supervised pool's instances (the processes of its `run`), as a value: which to start, which
/// take requests, which to stop, when a crashed one comes back, and how a rolling restart proceeds.
/// Pure: no processes, no clocks, no sockets; `PoolSupervisor` carries out its actions and feeds it
/// what happened, so every rule is unit-tested.
///
/// An instance takes requests only while `serving`, which it enters by passing a check. Rules:
/// - **Steady state**: `target` instances of the current revision run. One that exits unasked (or
///   fails to start) is replaced after a backoff that doubles with each failure in a row (250 ms up
///   to 30 s); three in a row is a crash loop. The count resets once every instance has served for
///   `stableMilliseconds` since the last failure.
/// - **Rolling restart** to a new revision (a reload, `paddock restart`, a changed file): one new
///   instance at a time. When it passes its check it takes requests and one old instance stops
///   taking them (`draining`); when the new revision has `instances` serving, the remaining old
///   ones drain. A draining instance gets SIGTERM once its requests in flight are done (or after
///   `stop_timeout`), then SIGKILL after another `stop_timeout`.
/// - **Failed deploy**: a new instance that exits (before or after passing its check) while the
///   roll is under way, or does not pass within `start_timeout`, ends the roll: the one starting is
///   stopped, the instances serving keep serving (the old ones, and new ones that already passed,
///   even if that is more than `target`), and the old revision stays the current one. An old
///   instance that exits during a roll is not replaced with the old revision: the roll's new
///   instances make up the count as they pass.
struct SupervisorMachine: Sendable {
    struct Settings: Sendable, Equatable {
        var startTimeout: UInt64
        var stopTimeout: UInt64
        var backoffBase: UInt64 = 250
        var backoffCap: UInt64 = 30_000
        var stableMilliseconds: UInt64 = 10_000
        /// Failures in a row from which the pool is reported as crash-looping.
        var crashLoopFailures = 3
    }

    enum Phase: Sendable, Equatable {
        /// Started; checked until it passes or `deadline`.
        case starting(deadline: UInt64)
        /// Takes requests.
        case serving(since: UInt64)
        /// Takes no new requests; the ones in flight may finish until `deadline`.
        case draining(deadline: UInt64)
        /// Sent SIGTERM; SIGKILL at `killAt`.
        case stopping(killAt: UInt64)
        /// Sent SIGKILL; waiting for the exit.
        case killed

        var name: String {
            switch self {
            case .starting: "starting"
            case .serving: "serving"
            case .draining: "draining"
            case .stopping: "stopping"
            case .killed: "killed"
            }
        }

        /// Running and meant to run (not on its way out).
        var isLive: Bool {
            switch self {
            case .starting, .serving: true
            case .draining, .stopping, .killed: false
            }
        }
    }

    struct Instance: Sendable, Equatable {
        /// Serial within the pool, never reused: `api#3` in the log.
        let id: Int
        /// The revision of the pool's `run` it was started with.
        let revision: Int
        var phase: Phase
    }

    enum Signal: Sendable, Equatable { case terminate, kill }

    enum Action: Sendable, Equatable {
        /// Start instance `id` with the run of `revision` (then report `.spawned` or `.spawnFailed`).
        case spawn(id: Int, revision: Int)
        case signal(id: Int, Signal)
        case log(Logger.Level, String)
    }

    /// How a process ended.
    struct Exit: Sendable, Equatable, CustomStringConvertible {
        var status: Int64
        var signal: Int32
        var description: String { signal != 0 ? "killed by signal \(signal)" : "exit status \(status)" }
    }

    enum Event: Sendable, Equatable {
        /// The spawn of `id` failed (the program could not be started at all).
        case spawnFailed(id: Int, reason: String, now: UInt64)
        case passedCheck(id: Int, now: UInt64)
        case exited(id: Int, Exit, now: UInt64)
        /// Time passed; `idle` are the draining instances with no request in flight.
        case tick(now: UInt64, idle: Set<Int>)
        /// Roll to `revision`, which runs `instances` instances.
        case restart(revision: Int, instances: Int, reason: String, now: UInt64)
        /// Stop every instance (Paddock stops, or the pool or its `run` is gone).
        case stop(now: UInt64)
    }

    private struct Roll: Sendable, Equatable {
        var revision: Int
        var instances: Int
    }

    let pool: String
    var settings: Settings
    private(set) var instances: [Instance] = []
    /// The revision steady-state restarts use: the last one that rolled out (or the first).
    private(set) var revision: Int
    /// How many instances the current revision runs.
    private(set) var target: Int
    private var roll: Roll?
    private var nextID = 1
    private(set) var failuresInARow = 0
    private var lastFailureAt: UInt64 = 0
    private var restartAt: UInt64 = 0
    /// Why the last start or rolling restart failed: until the instances are stable again (a
    /// failed start), or until a roll succeeds (a failed roll).
    private(set) var lastFailure: String?
    private var lastFailureIsRoll = false
    private(set) var restarts = 0
    private(set) var isStopping = false

    init(pool: String, revision: Int, instances: Int, settings: Settings) {
        self.pool = pool
        self.revision = revision
        target = instances
        self.settings = settings
    }

    /// Starts the first instances.
    mutating func start(now: UInt64) -> [Action] {
        var actions: [Action] = []
        reconcile(now: now, &actions)
        return actions
    }

    var isRolling: Bool { roll != nil }
    var isCrashLooping: Bool { failuresInARow >= settings.crashLoopFailures }
    /// Stopping and every instance has exited.
    var isFinished: Bool { isStopping && instances.isEmpty }

    /// The instances that take requests, oldest first.
    var serving: [Int] {
        instances.compactMap { if case .serving = $0.phase { $0.id } else { nil } }
    }

    /// The instances being checked before they take requests.
    var starting: [Int] {
        instances.compactMap { if case .starting = $0.phase { $0.id } else { nil } }
    }

    var draining: [Int] {
        instances.compactMap { if case .draining = $0.phase { $0.id } else { nil } }
    }

    mutating func event(_ event: Event) -> [Action] {
        var actions: [Action] = []
        switch event {
        case let .spawnFailed(id, reason, now):
            guard let index = index(of: id) else { return [] }
            let instance = instances.remove(at: index)
            failed(instance, "could not be started: \(reason)", now: now, &actions)
            reconcile(now: now, &actions)
        case let .passedCheck(id, now):
            guard let index = index(of: id), case .starting = instances[index].phase, !isStopping else { return [] }
            instances[index].phase = .serving(since: now)
            actions.append(.log(.notice, "\(name(id)) passed its check; it takes requests"))
            // One old instance leaves for each new one, as long as the pool keeps its count.
            if let roll, instances[index].revision == roll.revision,
               instances.count(where: isServing) > roll.instances,
               let old = instances.firstIndex(where: { $0.revision != roll.revision && isServing($0) }) {
                drain(old, now: now, &actions)
            }
            reconcile(now: now, &actions)
        case let .exited(id, exit, now):
            guard let index = index(of: id) else { return [] }
            let instance = instances.remove(at: index)
            if instance.phase.isLive && !isStopping {
                let what = if case .starting = instance.phase { "exited (\(exit)) before passing its check" } else { "exited (\(exit))" }
                failed(instance, what, now: now, &actions)
            } else {
                actions.append(.log(.info, "\(name(id)) stopped (\(exit))"))
            }
            reconcile(now: now, &actions)
        case let .tick(now, idle):
            for index in instances.indices {
                switch instances[index].phase {
                case let .starting(deadline) where now >= deadline && !isStopping:
                    let instance = instances[index]
                    terminate(index, now: now, &actions)
                    failed(instance, "did not pass its check within start_timeout (\(settings.startTimeout)ms)", now: now, &actions)
                case let .draining(deadline) where idle.contains(instances[index].id) || now >= deadline:
                    terminate(index, now: now, &actions)
                case let .stopping(killAt) where now >= killAt:
                    instances[index].phase = .killed
                    actions.append(.signal(id: instances[index].id, .kill))
                    actions.append(.log(.warning, "\(name(instances[index].id)) did not exit within stop_timeout (\(settings.stopTimeout)ms) of SIGTERM; sent SIGKILL"))
                default:
                    break
                }
            }
            if failuresInARow > 0, now >= lastFailureAt + settings.stableMilliseconds, roll == nil,
               serving.count >= target, hasServedFor(settings.stableMilliseconds, now: now) {
                if isCrashLooping { actions.append(.log(.notice, "pool \(pool): instances stable again after \(failuresInARow) failures in a row")) }
                failuresInARow = 0
                if !lastFailureIsRoll { lastFailure = nil }
            }
            reconcile(now: now, &actions)
        case let .restart(revision, count, reason, now):
            guard !isStopping else { return [] }
            // A roll under way gives way to the newer one: its instance still starting is dropped.
            if let roll {
                for index in instances.indices where instances[index].revision == roll.revision {
                    if case .starting = instances[index].phase { terminate(index, now: now, &actions) }
                }
            }
            roll = Roll(revision: revision, instances: count)
            actions.append(.log(.notice, "pool \(pool): rolling restart (\(reason)): \(count) new instance\(count == 1 ? "" : "s"), one at a time"))
            reconcile(now: now, &actions)
        case let .stop(now):
            guard !isStopping else { return [] }
            isStopping = true
            roll = nil
            for index in instances.indices {
                switch instances[index].phase {
                case .serving: drain(index, now: now, &actions)
                case .starting: terminate(index, now: now, &actions)
                case .draining, .stopping, .killed: break
                }
            }
        }
        return actions
    }

    // MARK: - Rules

    private var liveCount: Int { instances.count { $0.phase.isLive } }

    /// Every instance that is meant to run has served for at least `milliseconds`.
    private func hasServedFor(_ milliseconds: UInt64, now: UInt64) -> Bool {
        instances.allSatisfy { instance in
            switch instance.phase {
            case let .serving(since): now >= since + milliseconds
            case .starting: false
            case .draining, .stopping, .killed: true
            }
        }
    }

    /// Starts what is missing: the next instance of a roll, or a replacement after the backoff.
    private mutating func reconcile(now: UInt64, _ actions: inout [Action]) {
        guard !isStopping else { return }
        if let roll {
            let new = instances.filter { $0.revision == roll.revision && $0.phase.isLive }
            if new.contains(where: { !isServing($0) }) { return }
            if new.count < roll.instances {
                spawn(revision: roll.revision, now: now, &actions)
                return
            }
            // The new revision is all up: the rest of the old one drains.
            for index in instances.indices where instances[index].revision != roll.revision {
                switch instances[index].phase {
                case .serving: drain(index, now: now, &actions)
                case .starting: terminate(index, now: now, &actions)
                case .draining, .stopping, .killed: break
                }
            }
            revision = roll.revision
            target = roll.instances
            self.roll = nil
            lastFailure = nil
            lastFailureIsRoll = false
            actions.append(.log(.notice, "pool \(pool): rolling restart done; \(target) instance\(target == 1 ? "" : "s") serving"))
            return
        }
        while liveCount < target, now >= restartAt {
            spawn(revision: revision, now: now, &actions)
        }
    }

    /// An instance ended or failed without being asked to. One of a roll's new revision (starting,
    /// or serving and then gone) is a failed deploy: the roll stops, and the instances serving keep
    /// serving, the old ones and those of the new revision that already replaced old ones. Any
    /// other counts toward the backoff.
    private mutating func failed(_ instance: Instance, _ what: String, now: UInt64, _ actions: inout [Action]) {
        if let roll, instance.revision == roll.revision {
            self.roll = nil
            lastFailure = "rolling restart failed: \(name(instance.id)) \(what)"
            lastFailureIsRoll = true
            for index in instances.indices where instances[index].revision == roll.revision {
                if case .starting = instances[index].phase { terminate(index, now: now, &actions) }
            }
            let old = instances.count { $0.revision != roll.revision && isServing($0) }
            let new = instances.count { $0.revision == roll.revision && isServing($0) }
            var message = "pool \(pool): \(lastFailure!); the \(old) running instance\(old == 1 ? "" : "s") keep\(old == 1 ? "s" : "") serving"
            if new > 0 { message += ", with the \(new) new one\(new == 1 ? "" : "s") that already passed \(new == 1 ? "its check" : "their checks")" }
            actions.append(.log(.error, message))
            return
        }
        failuresInARow += 1
        lastFailureAt = now
        restarts += 1
        let delay = min(settings.backoffCap, settings.backoffBase << UInt64(min(failuresInARow - 1, 20)))
        restartAt = now + delay
        if case .starting = instance.phase, !lastFailureIsRoll { lastFailure = "\(name(instance.id)) \(what)" }
        var message = "\(name(instance.id)) \(what); starting another in \(delay)ms"
        if isCrashLooping { message += " (crash loop: \(failuresInARow) failures in a row)" }
        actions.append(.log(isCrashLooping ? .error : .warning, message))
    }

    private mutating func spawn(revision: Int, now: UInt64, _ actions: inout [Action]) {
        let id = nextID
        nextID += 1
        instances.append(Instance(id: id, revision: revision, phase: .starting(deadline: now + settings.startTimeout)))
        actions.append(.spawn(id: id, revision: revision))
    }

    private mutating func drain(_ index: Int, now: UInt64, _ actions: inout [Action]) {
        instances[index].phase = .draining(deadline: now + settings.stopTimeout)
        actions.append(.log(.info, "\(name(instances[index].id)) takes no new requests; stopping it once those in flight finish"))
    }

    private mutating func terminate(_ index: Int, now: UInt64, _ actions: inout [Action]) {
        instances[index].phase = .stopping(killAt: now + settings.stopTimeout)
        actions.append(.signal(id: instances[index].id, .terminate))
    }

    private func isServing(_ instance: Instance) -> Bool {
        if case .serving = instance.phase { true } else { false }
    }

    private func index(of id: Int) -> Int? { instances.firstIndex { $0.id == id } }

    func name(_ id: Int) -> String { "\(pool)#\(id)" }
}
