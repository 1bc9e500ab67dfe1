import PaddockConfig

/// What the balancer needs to know about one server at the moment of a pick.
public struct ServerLoad: Sendable, Equatable {
    public var inFlight: Int
    public var weight: Int
    public var isUp: Bool

    public init(inFlight: Int, weight: Int, isUp: Bool) {
        self.inFlight = inFlight
        self.weight = weight
        self.isUp = isUp
    }
}

/// Chooses a server for the next request. Pure: no sockets, no clocks, so every policy is unit-tested.
///
/// Servers already tried for this request are excluded (that is how retries move on). Among the rest,
/// servers that are up are preferred; when none is up, the down ones are still tried, because a failed
/// connect is the only way this proxy learns that a server came back.
public struct Balancer: Sendable {
    public let strategy: BalanceStrategy
    /// Smooth weighted round robin state, one entry per server.
    private var currentWeights: [Int]
    /// Rotates the starting point for ties, so equal servers share load instead of the first one taking it.
    private var cursor = 0

    public init(strategy: BalanceStrategy, serverCount: Int) {
        precondition(serverCount > 0, "a pool has at least one server")
        self.strategy = strategy
        currentWeights = Array(repeating: 0, count: serverCount)
    }

    /// - Parameters:
    ///   - loads: one entry per server, in pool order.
    ///   - tried: indices already tried for this request.
    /// - Returns: the chosen index, or nil when every server was tried.
    public mutating func pick(_ loads: [ServerLoad], excluding tried: [Int] = []) -> Int? {
        precondition(loads.count == currentWeights.count, "server count changed under the balancer")
        if let index = pick(loads, tried: tried, requireUp: true) { return index }
        return pick(loads, tried: tried, requireUp: false)
    }

    private mutating func pick(_ loads: [ServerLoad], tried: [Int], requireUp: Bool) -> Int? {
        switch strategy {
        case .leastOutstanding: leastOutstanding(loads, tried: tried, requireUp: requireUp)
        case .roundRobin: smoothWeightedRoundRobin(loads, tried: tried, requireUp: requireUp)
        }
    }

    /// Lowest `(inFlight + 1) / weight` wins; ties go to the first server after the rotating cursor.
    private mutating func leastOutstanding(_ loads: [ServerLoad], tried: [Int], requireUp: Bool) -> Int? {
        let count = loads.count
        var best: Int?
        for step in 0..<count {
            let index = (cursor + step) % count
            let load = loads[index]
            if requireUp && !load.isUp || tried.contains(index) { continue }
            guard let current = best else {
                best = index
                continue
            }
            let challenger = (load.inFlight + 1) * loads[current].weight
            let incumbent = (loads[current].inFlight + 1) * load.weight
            if challenger < incumbent { best = index }
        }
        if best != nil { cursor = (cursor + 1) % count }
        return best
    }

    /// nginx-style smooth weighted round robin: weights 5,1,1 give a a b a c a a, not a a a a a b c.
    private mutating func smoothWeightedRoundRobin(_ loads: [ServerLoad], tried: [Int], requireUp: Bool) -> Int? {
        var total = 0
        var best: Int?
        for (index, load) in loads.enumerated() {
            if requireUp && !load.isUp || tried.contains(index) { continue }
            currentWeights[index] += load.weight
            total += load.weight
            if best == nil || currentWeights[index] > currentWeights[best!] { best = index }
        }
        if let best { currentWeights[best] -= total }
        return best
    }
}
