/// Sends requests matching `host` and `pathPrefix` to `pool`.
///
/// Invariants (after validation): `host`, if set, is lowercased and has no port;
/// `pathPrefix`, if set, starts with "/"; `pool` names a defined pool.
public struct RouteConfig: Sendable, Equatable {
    /// nil matches any host.
    public var host: String?
    /// nil matches any path. Matching is a plain byte-prefix comparison.
    public var pathPrefix: String?
    public var pool: String

    public init(host: String? = nil, pathPrefix: String? = nil, pool: String) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.pool = pool
    }
}
