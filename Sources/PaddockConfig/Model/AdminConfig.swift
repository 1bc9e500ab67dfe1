/// The admin (health) endpoint.
///
/// Invariant (after validation): `listen` is not also a proxy listener.
public struct AdminConfig: Sendable, Equatable {
    public var listen: SocketAddressSpec

    public init(listen: SocketAddressSpec) {
        self.listen = listen
    }
}
