import PaddockConfig

/// One server's health, as a value: up or down, and the runs of results that move it. Pure; kept in
/// `PoolState`, so it survives a config swap with the server's address.
///
/// Rule: down after `fall` failures in a row, up after `rise` successes in a row. A failure is a
/// failed check, a failed connect, a reset before the response, or a response timeout; a success
/// is a passed check or, for a pool without active checks, a connect that worked. Without active
/// checks `rise` and `fall` are 1 (down at the first failed connect, up at the first good one).
struct ServerHealth: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var rise: Int
        var fall: Int
        /// Active checks decide when a server is up again; without them a working connect does.
        var activeChecks: Bool

        init(_ config: HealthCheckConfig?) {
            rise = config?.rise ?? 1
            fall = config?.fall ?? 1
            activeChecks = config != nil
        }
    }

    enum Observation: Sendable, Equatable {
        case connectWorked
        case connectFailed
        /// Reset or closed before the response, or no response head in time.
        case requestFailed
        case check(CheckResult)

        /// For the log line of a transition.
        var summary: String {
            switch self {
            case .connectWorked: "a connect worked"
            case .connectFailed: "connect failed"
            case .requestFailed: "a request failed before its response"
            case let .check(result): result.error.map { "check failed: \($0)" } ?? "check passed"
            }
        }
    }

    /// The outcome of one active check.
    struct CheckResult: Sendable, Equatable {
        /// The response status, when one was read.
        var status: Int?
        /// Why it failed, when it did.
        var error: String?
        var latencyMilliseconds: UInt64
        var passed: Bool { error == nil }
    }

    enum Transition: Sendable, Equatable {
        case wentDown, cameUp
    }

    private(set) var isUp = true
    private(set) var failuresInARow = 0
    private(set) var successesInARow = 0
    private(set) var lastCheck: CheckResult?
    /// Loop time of the last change of `isUp` (or of the server's creation).
    private(set) var changedAt: UInt64

    /// Set when the server came back after being down (not at its creation): where `slow_start`
    /// counts from.
    private(set) var cameUpAt: UInt64?

    init(now: UInt64) { changedAt = now }

    mutating func record(_ observation: Observation, rule: Rule, now: UInt64) -> Transition? {
        let success: Bool
        switch observation {
        case .connectWorked:
            // With active checks a port that accepts proves little (the app may answer 500): only
            // checks bring a server back.
            guard !rule.activeChecks else { return nil }
            success = true
        case .connectFailed, .requestFailed:
            success = false
        case let .check(result):
            lastCheck = result
            success = result.passed
        }
        if success {
            successesInARow += 1
            failuresInARow = 0
            guard !isUp, successesInARow >= rule.rise else { return nil }
            isUp = true
            changedAt = now
            cameUpAt = now
            return .cameUp
        }
        failuresInARow += 1
        successesInARow = 0
        guard isUp, failuresInARow >= rule.fall else { return nil }
        isUp = false
        changedAt = now
        return .wentDown
    }
}
