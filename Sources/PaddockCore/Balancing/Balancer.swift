import PaddockConfig

/// What the balancer needs to know about one server at the moment of a pick.
public struct ServerLoad: Sendable, Equatable {
    public var inFlight: Int
    public var weight: Int
    public var isUp: Bool
    /// The most requests the server may have in flight (a sync server's workers); nil means no limit.
    public var capacity: Int?

    public init(inFlight: Int, weight: Int, isUp: Bool, capacity: Int? = nil) {
        self.inFlight = inFlight
        self.weight = weight
        self.isUp = isUp
        self.capacity = capacity
    }

    var hasFreeSlot: Bool { capacity.map { inFlight < $0 } ?? true }
    var freeSlots: Int { capacity.map { $0 - inFlight } ?? Int.max }
}

/// The outcome of a pick.
public enum BalancerPick: Sendable, Equatable {
    case server(Int)
    /// Every server not yet tried is at capacity: the request should wait for a slot.
    case full
    /// Every server was tried.
    case exhausted
}

/// Chooses a server for the next request. Pure: no sockets, no clocks, so every policy is unit-tested.
///
/// - Servers already tried for this request are excluded (that is how retries move on).
/// - Servers at capacity are skipped; if that leaves none, the answer is `.full` and the caller queues.
/// - Servers that are up are preferred, and when they are all full the request waits for one of them.
///   With passive health only, the down ones are tried when no untried server is up, because a
///   request is the only way to learn that a server came back; with active checks they are never
///   picked.
/// - `least_outstanding` picks the lowest `(inFlight + 1) / weight`; on servers with a capacity (sync
///   pools) it picks the most free slots. With many servers it samples two at random and keeps the
///   better (power of two choices), which is O(1) and avoids herding onto one server.
/// - `round_robin` is nginx-style smooth weighted round robin.
public struct Balancer: Sendable {
    public let strategy: BalanceStrategy
    /// Smooth weighted round robin state, one entry per server.
    private var currentWeights: [Int]
    /// Rotates the starting point for ties, so equal servers share load instead of the first one taking it.
    private var cursor = 0
    private var random: UInt64
    /// From this many servers on, least-outstanding samples two instead of scanning all.
    public static let twoChoicesThreshold = 8

    public var serverCount: Int { currentWeights.count }

    public init(strategy: BalanceStrategy, serverCount: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        self.strategy = strategy
        currentWeights = Array(repeating: 0, count: serverCount)
        random = seed | 1
    }

    /// - Parameters:
    ///   - loads: one entry per server, in pool order.
    ///   - tried: indices already tried for this request.
    ///   - triesDownServers: when no untried server is up, try the down ones (passive health,
    ///     where a request is the only way to learn that a server is back). With active checks the
    ///     checks find that out, and a down server gets no request at all.
    public mutating func pick(_ loads: [ServerLoad], excluding tried: [Int] = [],
                              triesDownServers: Bool = true) -> BalancerPick {
        precondition(loads.count == currentWeights.count, "server count changed under the balancer")
        var anyUntried = false
        for requireUp in triesDownServers ? [true, false] : [true] {
            var eligibleCount = 0
            var candidates = 0
            for index in loads.indices where !tried.contains(index) && (!requireUp || loads[index].isUp) {
                candidates += 1
                if loads[index].hasFreeSlot { eligibleCount += 1 }
            }
            anyUntried = anyUntried || candidates > 0
            // Up servers that are merely full mean "wait", not "try a server that is down".
            if requireUp && candidates > 0 && eligibleCount == 0 { return .full }
            guard eligibleCount > 0 else { continue }
            let eligible = { (index: Int) in
                !tried.contains(index) && (!requireUp || loads[index].isUp) && loads[index].hasFreeSlot
            }
            let index: Int = switch strategy {
            case .leastOutstanding: leastOutstanding(loads, eligibleCount: eligibleCount, eligible)
            case .roundRobin: smoothWeightedRoundRobin(loads, eligible)
            }
            return .server(index)
        }
        return anyUntried ? .full : .exhausted
    }

    /// Is `a` a better choice than `b`?
    private static func better(_ a: ServerLoad, than b: ServerLoad) -> Bool {
        if a.capacity != nil && b.capacity != nil { return a.freeSlots > b.freeSlots }
        return (a.inFlight + 1) * b.weight < (b.inFlight + 1) * a.weight
    }

    private mutating func leastOutstanding(_ loads: [ServerLoad], eligibleCount: Int, _ eligible: (Int) -> Bool) -> Int {
        let count = loads.count
        if eligibleCount >= Self.twoChoicesThreshold {
            // Two distinct random eligible servers. When most servers are ineligible sampling keeps
            // missing, so give up after a few draws and scan instead.
            var first = -1
            for _ in 0..<16 {
                let index = Int(nextRandom() % UInt64(count))
                guard eligible(index), index != first else { continue }
                if first < 0 {
                    first = index
                } else {
                    return Self.better(loads[index], than: loads[first]) ? index : first
                }
            }
        }
        var best: Int?
        for step in 0..<count {
            let index = (cursor + step) % count
            guard eligible(index) else { continue }
            if let current = best, !Self.better(loads[index], than: loads[current]) { continue }
            best = index
        }
        cursor = (cursor + 1) % count
        return best!
    }

    /// nginx-style smooth weighted round robin: weights 5,1,1 give a a b a c a a, not a a a a a b c.
    private mutating func smoothWeightedRoundRobin(_ loads: [ServerLoad], _ eligible: (Int) -> Bool) -> Int {
        var total = 0
        var best: Int?
        for (index, load) in loads.enumerated() where eligible(index) {
            currentWeights[index] += load.weight
            total += load.weight
            if best == nil || currentWeights[index] > currentWeights[best!] { best = index }
        }
        currentWeights[best!] -= total
        return best!
    }

    /// xorshift64: deterministic for tests, good enough to spread load.
    private mutating func nextRandom() -> UInt64 {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return random
    }
}
