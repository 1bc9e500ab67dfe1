/// The deadlines a connection can have, one slot each, so arming one never replaces another.
enum DeadlineKind: Int, CaseIterable, Sendable {
    /// Keep-alive: no new request started.
    case clientIdle
    /// The request head did not arrive in full.
    case clientHeader
    /// A gap while receiving the request body.
    case clientBody
    /// The client stopped taking its response.
    case clientSend
    /// Waiting in a sync pool's queue for a free worker.
    case queue
    /// No server could take the request (all down, or tried and failed): look again.
    case serverRetry
    /// One upstream connect.
    case connect
    /// From sending the request to the start of the response.
    case upstreamResponse
    /// A gap while reading the response body (not counted while the client holds us up).
    case upstreamIdle
    /// An upgraded connection without traffic.
    case tunnelIdle
    /// Closing: the final bytes must be flushed by then.
    case flush
    /// Closing: after our half-close, how long the client's leftover bytes are drained.
    case linger
}

/// A timer wheel keyed by kind: every deadline has its own slot, holding an absolute loop time.
///
/// Invariant: `slots[k] == .max` exactly when kind `k` is not armed. The connection keeps one libuv
/// timer armed at (or before) `earliest`; moving a deadline later needs no timer call at all, because
/// an early wake-up just re-arms for what is left.
struct Deadlines: Equatable, Sendable {
    private var slots = [UInt64](repeating: .max, count: DeadlineKind.allCases.count)

    mutating func set(_ kind: DeadlineKind, at time: UInt64) { slots[kind.rawValue] = time }

    mutating func clear(_ kind: DeadlineKind) { slots[kind.rawValue] = .max }

    mutating func clearAll() {
        for index in slots.indices { slots[index] = .max }
    }

    func time(_ kind: DeadlineKind) -> UInt64? {
        let time = slots[kind.rawValue]
        return time == .max ? nil : time
    }

    /// The kinds that are armed, in declaration order (for tests and logs).
    var armed: [DeadlineKind] { DeadlineKind.allCases.filter { slots[$0.rawValue] != .max } }

    var earliest: UInt64? {
        let time = slots.min()!
        return time == .max ? nil : time
    }

    /// Clears and returns the earliest kind due at `now`, if any.
    mutating func takeExpired(now: UInt64) -> DeadlineKind? {
        var best: DeadlineKind?
        for kind in DeadlineKind.allCases where slots[kind.rawValue] <= now {
            if best == nil || slots[kind.rawValue] < slots[best!.rawValue] { best = kind }
        }
        if let best { clear(best) }
        return best
    }
}
