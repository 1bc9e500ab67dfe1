/// How a pool picks a server for the next request.
public enum BalanceStrategy: String, Sendable, CaseIterable {
    /// The server with the fewest in-flight requests relative to its capacity.
    case leastOutstanding = "least_outstanding"
    /// Servers in turn, honouring weights.
    case roundRobin = "round_robin"
}
