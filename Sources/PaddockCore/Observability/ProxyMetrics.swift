import UV

/// The counters and histograms behind `GET /metrics`, for one loop. Gauges (in flight, queue
/// depth, open connections, server state) are read at scrape time instead of kept here.
final class ProxyMetrics {
    struct PoolKey: Hashable {
        var pool: String
        /// 2 for 2xx: a number, so that counting a request formats nothing (the label is made at scrape time).
        var statusClass: Int
    }

    /// Keyed by endpoint, not its text: nothing is formatted per request, only at scrape time.
    struct ServerKey: Hashable, Comparable {
        var pool: String
        var server: Endpoint
        static func < (a: ServerKey, b: ServerKey) -> Bool { (a.pool, "\(a.server)") < (b.pool, "\(b.server)") }
    }

    struct TransitionKey: Hashable, Comparable {
        var server: ServerKey
        var to: String
        static func < (a: TransitionKey, b: TransitionKey) -> Bool { (a.server, a.to) < (b.server, b.to) }
    }

    private(set) var requests: [PoolKey: UInt64] = [:]
    private(set) var retries: [String: UInt64] = [:]
    private(set) var queueWait: [String: Histogram] = [:]
    private(set) var upstreamLatency: [ServerKey: Histogram] = [:]
    private(set) var transitions: [TransitionKey: UInt64] = [:]
    private(set) var accepted: UInt64 = 0

    func connectionAccepted() { accepted += 1 }

    /// Counts one finished request.
    func record(_ record: RequestRecord) {
        let pool = record.pool ?? ""
        let status = record.loggedStatus
        requests[PoolKey(pool: pool, statusClass: status / 100), default: 0] += 1
        if record.retries > 0 { retries[pool, default: 0] += UInt64(record.retries) }
        if let pool = record.pool, let wait = record.queueMilliseconds {
            queueWait[pool, default: Histogram()].observe(milliseconds: wait)
        }
        if let pool = record.pool, let server = record.upstream, let latency = record.upstreamMilliseconds {
            upstreamLatency[ServerKey(pool: pool, server: server), default: Histogram()].observe(milliseconds: latency)
        }
    }

    func healthChanged(pool: String, server: Endpoint, up: Bool) {
        transitions[TransitionKey(server: ServerKey(pool: pool, server: server), to: up ? "up" : "down"), default: 0] += 1
    }
}

/// How many connections of one kind are open; shared by the connections of one loop.
final class OpenConnectionCount {
    var value = 0
}
