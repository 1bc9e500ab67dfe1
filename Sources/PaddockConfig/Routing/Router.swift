/// Picks the pool for a request. Pure and precomputed, so it is cheap per request.
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
        var pool: String
    }

    /// Invariant: every list is sorted longest prefix first, ties in file order; keys are normalized hosts.
    private let byHost: [String: [Candidate]]
    private let anyHost: [Candidate]

    /// Hosts are normalized like the config does (lowercased, port stripped), so hand-built routes behave the same.
    public init(routes: [RouteConfig]) {
        var byHost: [String: [(Int, Candidate)]] = [:]
        var anyHost: [(Int, Candidate)] = []
        for (order, route) in routes.enumerated() {
            let candidate = Candidate(prefix: Array((route.pathPrefix ?? "").utf8), pool: route.pool)
            if let host = route.host {
                byHost[HostName.normalize(host) ?? host.lowercased(), default: []].append((order, candidate))
            } else {
                anyHost.append((order, candidate))
            }
        }
        self.byHost = byHost.mapValues(Self.ordered)
        self.anyHost = Self.ordered(anyHost)
    }

    /// The pool for a request; `host` must already be lowercased with any port stripped (nil if the
    /// request has no Host), `path` is the request path bytes. Does not allocate.
    public func pool(host: String?, path: some Collection<UInt8>) -> String? {
        if let host, let candidates = byHost[host], let pool = Self.firstMatch(in: candidates, path: path) {
            return pool
        }
        return Self.firstMatch(in: anyHost, path: path)
    }

    private static func ordered(_ entries: [(Int, Candidate)]) -> [Candidate] {
        entries.sorted { lhs, rhs in
            lhs.1.prefix.count != rhs.1.prefix.count ? lhs.1.prefix.count > rhs.1.prefix.count : lhs.0 < rhs.0
        }.map(\.1)
    }

    private static func firstMatch(in candidates: [Candidate], path: some Collection<UInt8>) -> String? {
        let contiguous = path.withContiguousStorageIfAvailable { bytes in
            candidates.first { candidate in
                candidate.prefix.count <= bytes.count && candidate.prefix.withUnsafeBufferPointer { prefix in
                    UnsafeBufferPointer(rebasing: bytes[..<prefix.count]).elementsEqual(prefix)
                }
            }
        }
        if let contiguous { return contiguous?.pool }
        return candidates.first { path.starts(with: $0.prefix) }?.pool
    }
}
