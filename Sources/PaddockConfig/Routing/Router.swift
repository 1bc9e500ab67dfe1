/// Picks the route for a request. Pure and precomputed, so it is cheap per request.
///
/// Precedence: routes whose `host` equals the request host are tried first, longest `pathPrefix`
/// first; only if none of them matches are the host-less routes tried, again longest prefix first.
/// A route without `pathPrefix` matches every path (as an empty prefix). Prefixes are compared as raw
/// bytes, so "/api" also matches "/apix"; end prefixes with "/" to match whole segments. Among equal
/// prefixes (impossible in a validated config) the earlier route wins. No match → nil.
public struct Router: Sendable {
    /// A route reduced to what matching needs.
    private struct Candidate: Sendable {
        var prefix: [UInt8]
        /// Index into `routes`.
        var route: Int
    }

    /// The route that matched, and how many bytes of the path its prefix took.
    public struct Match: Sendable, Equatable {
        public var route: Int
        public var prefixLength: Int
    }

    /// The routes as given, in file order (`Match.route` indexes them).
    public let routes: [RouteConfig]

    /// Invariant: every list is sorted longest prefix first, ties in file order; keys are normalized hosts.
    private let byHost: [String: [Candidate]]
    private let anyHost: [Candidate]

    /// Hosts are normalized like the config does (lowercased, port stripped), so hand-built routes behave the same.
    public init(routes: [RouteConfig]) {
        self.routes = routes
        var byHost: [String: [(Int, Candidate)]] = [:]
        var anyHost: [(Int, Candidate)] = []
        for (order, route) in routes.enumerated() {
            let candidate = Candidate(prefix: Array((route.pathPrefix ?? "").utf8), route: order)
            if let host = route.host {
                byHost[HostName.normalize(host) ?? host.lowercased(), default: []].append((order, candidate))
            } else {
                anyHost.append((order, candidate))
            }
        }
        self.byHost = byHost.mapValues(Self.ordered)
        self.anyHost = Self.ordered(anyHost)
    }

    /// The route for a request; `host` must already be lowercased with any port stripped (nil if the
    /// request has no Host), `path` is the request path bytes. Does not allocate.
    public func match(host: String?, path: some Collection<UInt8>) -> Match? {
        if let host, let candidates = byHost[host], let match = Self.firstMatch(in: candidates, path: path) {
            return match
        }
        return Self.firstMatch(in: anyHost, path: path)
    }

    /// The pool of the matching route, if it is one to a pool.
    public func pool(host: String?, path: some Collection<UInt8>) -> String? {
        match(host: host, path: path).flatMap { routes[$0.route].pool }
    }

    private static func ordered(_ entries: [(Int, Candidate)]) -> [Candidate] {
        entries.sorted { lhs, rhs in
            lhs.1.prefix.count != rhs.1.prefix.count ? lhs.1.prefix.count > rhs.1.prefix.count : lhs.0 < rhs.0
        }.map(\.1)
    }

    private static func firstMatch(in candidates: [Candidate], path: some Collection<UInt8>) -> Match? {
        let contiguous = path.withContiguousStorageIfAvailable { bytes in
            candidates.first { candidate in
                candidate.prefix.count <= bytes.count && candidate.prefix.withUnsafeBufferPointer { prefix in
                    UnsafeBufferPointer(rebasing: bytes[..<prefix.count]).elementsEqual(prefix)
                }
            }
        }
        let found = contiguous ?? candidates.first { path.starts(with: $0.prefix) }
        return found.map { Match(route: $0.route, prefixLength: $0.prefix.count) }
    }
}
