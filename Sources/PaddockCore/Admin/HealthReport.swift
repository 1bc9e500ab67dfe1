import PaddockConfig

/// A point-in-time view of every pool, rendered as the `/health` JSON. Pure, so its rules are unit-tested.
public struct HealthReport: Sendable, Equatable {
    public struct Server: Sendable, Equatable {
        public var address: String
        public var isUp: Bool
        public var inFlight: Int
        public var workers: Int
        /// The last active check, when the pool has them.
        var lastCheck: ServerHealth.CheckResult?
        /// Since the server last went up or down (or was added).
        public var secondsSinceChange: UInt64

        public init(address: String, isUp: Bool, inFlight: Int, workers: Int, secondsSinceChange: UInt64 = 0) {
            self.init(address: address, isUp: isUp, inFlight: inFlight, workers: workers, lastCheck: nil,
                      secondsSinceChange: secondsSinceChange)
        }

        init(address: String, isUp: Bool, inFlight: Int, workers: Int, lastCheck: ServerHealth.CheckResult?,
             secondsSinceChange: UInt64) {
            self.address = address
            self.isUp = isUp
            self.inFlight = inFlight
            self.workers = workers
            self.lastCheck = lastCheck
            self.secondsSinceChange = secondsSinceChange
        }
    }

    /// The instances of a pool's `run`, and how their supervision goes.
    public struct Supervision: Sendable, Equatable {
        public struct Instance: Sendable, Equatable {
            /// `api#3`.
            public var name: String
            public var pid: Int32
            /// starting, serving, draining, stopping or killed.
            public var state: String
            public var address: String

            public init(name: String, pid: Int32, state: String, address: String) {
                self.name = name
                self.pid = pid
                self.state = state
                self.address = address
            }
        }

        public var instances: [Instance]
        /// Instances started again after one exited or failed to start.
        public var restarts: Int
        public var crashLoop: Bool
        public var rolling: Bool
        /// Why the last start or rolling restart failed, until one succeeds.
        public var lastFailure: String?

        public init(instances: [Instance], restarts: Int = 0, crashLoop: Bool = false, rolling: Bool = false, lastFailure: String? = nil) {
            self.instances = instances
            self.restarts = restarts
            self.crashLoop = crashLoop
            self.rolling = rolling
            self.lastFailure = lastFailure
        }

        var isTroubled: Bool { crashLoop || lastFailure != nil }
    }

    public struct Pool: Sendable, Equatable {
        public var name: String
        public var kind: PoolKind
        /// Requests waiting for a free worker (sync pools; always 0 for async pools).
        public var queued: Int
        public var servers: [Server]
        /// For a pool with `run`.
        public var run: Supervision?

        public init(name: String, kind: PoolKind, queued: Int = 0, servers: [Server], run: Supervision? = nil) {
            self.name = name
            self.kind = kind
            self.queued = queued
            self.servers = servers
            self.run = run
        }
    }

    public enum Status: String, Sendable {
        case ok, degraded, down
    }

    public var pools: [Pool]

    public init(pools: [Pool]) { self.pools = pools }

    /// `ok` when every server is up, `degraded` when some are down (or a supervised pool is crash
    /// looping, or its last rolling restart failed) but every pool has one up, `down` otherwise.
    public var status: Status {
        let everyPoolServing = pools.allSatisfy { $0.servers.contains(where: \.isUp) }
        guard everyPoolServing else { return .down }
        let everyServerUp = pools.allSatisfy { $0.servers.allSatisfy(\.isUp) && $0.run?.isTroubled != true }
        return everyServerUp ? .ok : .degraded
    }

    /// 200 for ok and degraded (the proxy still serves every route), 503 for down.
    public var httpStatus: Int { status == .down ? 503 : 200 }

    public var json: String {
        var out = "{\"status\": \"\(status.rawValue)\", \"pools\": ["
        for (poolIndex, pool) in pools.enumerated() {
            if poolIndex > 0 { out += ", " }
            out += "{\"name\": \(quoted(pool.name)), \"kind\": \"\(pool.kind.rawValue)\", \"queued\": \(pool.queued), \"servers\": ["
            for (serverIndex, server) in pool.servers.enumerated() {
                if serverIndex > 0 { out += ", " }
                out += "{\"address\": \(quoted(server.address)), \"state\": \"\(server.isUp ? "up" : "down")\", "
                out += "\"in_flight\": \(server.inFlight), \"workers\": \(server.workers), "
                out += "\"since_change_s\": \(server.secondsSinceChange), \"last_check\": \(Self.json(server.lastCheck))}"
            }
            out += "]"
            if let run = pool.run { out += ", \"run\": \(Self.json(run))" }
            out += "}"
        }
        out += "]}\n"
        return out
    }

    private static func json(_ run: Supervision) -> String {
        var out = "{\"rolling\": \(run.rolling), \"crash_loop\": \(run.crashLoop), \"restarts\": \(run.restarts), "
        out += "\"last_failure\": \(run.lastFailure.map(quoted) ?? "null"), \"instances\": ["
        out += run.instances.map { instance in
            "{\"name\": \(quoted(instance.name)), \"pid\": \(instance.pid), \"state\": \"\(instance.state)\", \"address\": \(quoted(instance.address))}"
        }.joined(separator: ", ")
        return out + "]}"
    }

    private static func json(_ check: ServerHealth.CheckResult?) -> String {
        guard let check else { return "null" }
        var out = "{\"ok\": \(check.passed), \"latency_ms\": \(check.latencyMilliseconds)"
        if let status = check.status { out += ", \"status\": \(status)" }
        if let error = check.error { out += ", \"error\": \(quoted(error))" }
        return out + "}"
    }
}
