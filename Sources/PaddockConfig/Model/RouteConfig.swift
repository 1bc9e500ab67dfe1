/// Sends requests matching `host` and `pathPrefix` to a pool, or serves them from a folder.
///
/// Invariants (after validation): `host`, if set, is lowercased and has no port;
/// `pathPrefix`, if set, starts with "/"; a `.pool` target names a defined pool.
public struct RouteConfig: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case pool(String)
        case files(StaticConfig)
    }

    /// nil matches any host.
    public var host: String?
    /// nil matches any path. Matching is a plain byte-prefix comparison.
    public var pathPrefix: String?
    public var target: Target

    public init(host: String? = nil, pathPrefix: String? = nil, target: Target) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.target = target
    }

    public init(host: String? = nil, pathPrefix: String? = nil, pool: String) {
        self.init(host: host, pathPrefix: pathPrefix, target: .pool(pool))
    }

    /// The pool, for a route to one.
    public var pool: String? {
        if case let .pool(name) = target { name } else { nil }
    }
}
