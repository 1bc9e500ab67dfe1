/// One upstream app server in a pool.
///
/// Invariants (after validation): `workers` in 1...10_000, `weight` in 1...1_000.
public struct ServerConfig: Sendable, Equatable {
    public var address: SocketAddressSpec
    /// Number of app-server worker processes behind `address`.
    public var workers: Int
    /// Relative share of traffic.
    public var weight: Int

    public init(address: SocketAddressSpec, workers: Int = 1, weight: Int = 1) {
        self.address = address
        self.workers = workers
        self.weight = weight
    }
}
