import PaddockConfig
import UV

/// Everything about one pool that must be exact across loops: each server's slots in flight and
/// health, the balancer, and the sync wait queue. Pure (no locks, no I/O), so every rule is
/// unit-tested; `SharedPool` puts it behind one lock.
///
/// Invariants: a server never has more than `capacity` requests in flight (sync: `workers`); every
/// `acquire` that returned a server, and every grant, is matched by exactly one `release`; whenever a
/// slot is released and someone waits who can use it, the oldest such waiter gets it at once.
struct PoolState: Sendable {
    struct Server: Sendable, Equatable {
        let id: ServerID
        let address: SocketAddressSpec
        var weight: Int
        /// Sync: `workers`; async: nil (no limit).
        var capacity: Int?
        /// The server's worker processes, as configured (for reports).
        var workers: Int
        var inFlight = 0
        var health: ServerHealth
        var isUp: Bool { health.isUp }

        var ref: ServerRef { ServerRef(id: id, endpoint: address.endpoint) }
    }

    enum Pick: Sendable, Equatable {
        case server(ServerRef)
        /// Every server not yet tried is at capacity: wait for a slot.
        case full
        /// Every server was tried.
        case exhausted
    }

    /// A slot handed to a waiter: already counted as in flight on its behalf.
    struct Grant: Sendable, Equatable {
        let ticket: UInt64
        let server: ServerRef
    }

    private(set) var config: PoolConfig
    /// In config order, then the supervised instances that are routed to.
    private(set) var servers: [Server] = []
    /// The instances of the pool's `run` that take requests (see `setInstances`).
    private(set) var instances: [ServerConfig] = []
    /// Servers dropped by a config swap that still had requests in flight: their releases land here.
    private var retired: [Server] = []
    private var ids: [SocketAddressSpec: ServerID] = [:]
    private var nextID = 0
    private var balancer: Balancer
    private(set) var queue = WaitQueue()

    private var healthRule: ServerHealth.Rule
    /// Reused by `acquire` for the servers' loads.
    private var loadScratch: [ServerLoad] = []

    init(config: PoolConfig, now: UInt64) {
        self.config = config
        balancer = Balancer(strategy: config.balance, serverCount: config.servers.count)
        healthRule = ServerHealth.Rule(config.health)
        reconfigure(config, now: now)
    }

    var isSync: Bool { config.kind == .sync }

    /// Applies a new config for this pool. Servers that stay (same address) keep their id, slots in
    /// flight and health; the queue is kept. Capacity the new config adds (a server, more workers)
    /// is handed to the waiters by `grantWaiting`.
    mutating func reconfigure(_ config: PoolConfig, now: UInt64) {
        self.config = config
        healthRule = ServerHealth.Rule(config.health)
        var previous: [ServerID: Server] = [:]
        for server in servers + retired { previous[server.id] = server }
        servers = (config.servers + instances).map { server in
            let id = ids[server.address] ?? {
                let id = ServerID(raw: nextID)
                nextID += 1
                ids[server.address] = id
                return id
            }()
            var state = previous.removeValue(forKey: id)
                ?? Server(id: id, address: server.address, weight: 1, workers: server.workers, health: ServerHealth(now: now))
            state.weight = server.weight
            state.workers = server.workers
            state.capacity = config.kind == .sync ? server.workers : nil
            return state
        }
        retired = previous.values.filter { $0.inFlight > 0 }
        forgetGone(previous.values.filter { $0.inFlight == 0 })
        if balancer.strategy != config.balance || balancer.serverCount != servers.count {
            balancer = Balancer(strategy: config.balance, serverCount: servers.count)
        }
    }

    /// Sets the supervised instances that take requests, after the servers at fixed addresses. An
    /// instance left out is no longer picked; its requests in flight still release their slots.
    mutating func setInstances(_ instances: [ServerConfig], now: UInt64) {
        self.instances = instances
        reconfigure(config, now: now)
    }

    /// Requests in flight on the server at `address`, routed or retired (0 when it has none).
    func inFlight(at address: SocketAddressSpec) -> Int {
        (servers + retired).first { $0.address == address }?.inFlight ?? 0
    }

    /// A server that left and has nothing in flight is forgotten: if its address comes back (a
    /// supervised instance's port handed out again), it is a new server with fresh state.
    private mutating func forgetGone(_ gone: [Server]) {
        for server in gone where ids[server.address] == server.id && !servers.contains(where: { $0.id == server.id }) {
            ids[server.address] = nil
        }
    }

    /// Picks a server for a request and takes a slot on it, in one step.
    mutating func acquire(excluding tried: [ServerID], now: UInt64) -> Pick {
        // The loads go into a list kept for the next pick (no allocation per request).
        var loads = loadScratch
        loadScratch = []
        loads.removeAll(keepingCapacity: true)
        for server in servers { loads.append(load(of: server, now: now)) }
        defer { loadScratch = loads }
        let excluded = tried.isEmpty ? [] : servers.indices.filter { tried.contains(servers[$0].id) }
        switch balancer.pick(loads, excluding: excluded, triesDownServers: config.health == nil) {
        case let .server(index):
            servers[index].inFlight += 1
            return .server(servers[index].ref)
        case .full: return .full
        case .exhausted: return .exhausted
        }
    }

    /// Weights are scaled by 100 so that a server in its `slow_start` ramp can have a fraction of
    /// its weight; its capacity (sync workers) ramps too, so it also gets a share of queued requests.
    private func load(of server: Server, now: UInt64) -> ServerLoad {
        let share = slowStartShare(of: server, now: now)
        let weight = max(1, Int((Double(server.weight * 100) * share).rounded()))
        let capacity = server.capacity.map { max(1, Int((Double($0) * share).rounded(.up))) }
        return ServerLoad(inFlight: server.inFlight, weight: weight, isUp: server.isUp, capacity: capacity)
    }

    /// A server that came back up takes from a tenth to all of its share, linearly over
    /// `slow_start` (as HAProxy's slowstart); 1 otherwise, and 1 when no other server is up to take
    /// the rest (as nginx, which ignores slow_start for a single server).
    func slowStartShare(of server: Server, now: UInt64) -> Double {
        let ramp = UInt64(config.slowStartMilliseconds)
        guard ramp > 0, server.isUp, let since = server.health.cameUpAt, now < since + ramp,
              servers.contains(where: { $0.id != server.id && $0.isUp }) else { return 1 }
        let elapsed = Double(now >= since ? now - since : 0)
        return 0.1 + 0.9 * elapsed / Double(ramp)
    }

    /// Takes a slot on one given server if it has one free (a health check on a sync worker must
    /// not make it serve two requests at once).
    mutating func tryAcquire(_ id: ServerID) -> Bool {
        guard let index = servers.firstIndex(where: { $0.id == id }) else { return false }
        if let capacity = servers[index].capacity, servers[index].inFlight >= capacity { return false }
        servers[index].inFlight += 1
        return true
    }

    /// Nil when `max_queue` requests already wait.
    mutating func enqueue(excluding tried: [ServerID], deadline: UInt64) -> UInt64? {
        guard queue.count < config.maxQueue else { return nil }
        return queue.enqueue(excluding: tried, deadline: deadline)
    }

    mutating func cancel(_ ticket: UInt64) { queue.cancel(ticket) }

    /// Returns a slot, and hands the freed capacity to the oldest waiters that can use it (more than
    /// one when a `slow_start` ramp has grown a server's capacity since the last release).
    mutating func release(_ id: ServerID, now: UInt64) -> [Grant] {
        if let index = servers.firstIndex(where: { $0.id == id }) {
            precondition(servers[index].inFlight > 0, "release without acquire")
            servers[index].inFlight -= 1
        } else if let index = retired.firstIndex(where: { $0.id == id }) {
            retired[index].inFlight -= 1
            if retired[index].inFlight == 0 { forgetGone([retired.remove(at: index)]) }
        }
        return grantWaiting(now: now)
    }

    /// Hands every slot that can be used now to the oldest waiters that can use it (after a
    /// reconfigure, a release, or a server coming up).
    mutating func grantWaiting(now: UInt64) -> [Grant] {
        var grants: [Grant] = []
        while let grant = grantOldest(now: now) { grants.append(grant) }
        return grants
    }

    private mutating func grantOldest(now: UInt64) -> Grant? {
        var granted: ServerRef?
        var queue = self.queue
        self.queue = WaitQueue()  // the copy stays unique while the closure picks a server
        let entry = queue.popFirst(now: now) { entry in
            guard case let .server(server) = acquire(excluding: entry.excluded, now: now) else { return false }
            granted = server
            return true
        }
        self.queue = queue
        guard let entry, let granted else { return nil }
        return Grant(ticket: entry.ticket, server: granted)
    }

    /// Counts one health observation for a server of the current config; returns a change of state.
    mutating func record(_ observation: ServerHealth.Observation, for id: ServerID, now: UInt64) -> ServerHealth.Transition? {
        guard let index = servers.firstIndex(where: { $0.id == id }) else { return nil }
        return servers[index].health.record(observation, rule: healthRule, now: now)
    }

    func healthReport(now: UInt64) -> HealthReport.Pool {
        HealthReport.Pool(name: config.name, kind: config.kind, queued: queue.count, servers: servers.map {
            HealthReport.Server(address: $0.address.description, isUp: $0.isUp, inFlight: $0.inFlight, workers: $0.workers,
                                lastCheck: $0.health.lastCheck,
                                secondsSinceChange: now >= $0.health.changedAt ? (now - $0.health.changedAt) / 1000 : 0)
        })
    }
}
