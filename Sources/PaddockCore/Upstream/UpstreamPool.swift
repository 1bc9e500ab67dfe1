import DequeModule
import PaddockConfig

/// Something waiting in a sync pool's queue for a free worker slot.
protocol PoolWaiter: AnyObject {
    /// A slot was freed and this waiter is the oldest: try to dispatch now. Returns false if the waiter
    /// could not use it (the free slot is on a server that already failed this request); it then keeps
    /// its place in the queue and the next waiter gets the slot.
    func poolSlotFreed() -> Bool
}

/// A pool of servers behind one name, with its balancer and, for sync pools, its FIFO wait queue.
///
/// Invariants: a server never has more requests in flight than its capacity (sync: `workers`);
/// `live` holds the tickets of waiters still queued (a cancelled one stays in `waiters` as a
/// tombstone until popped, so cancelling is O(1)); whenever a slot is freed and someone waits, the
/// oldest waiter that can use it is woken.
final class UpstreamPool {
    let config: PoolConfig
    let servers: [UpstreamServer]
    private var balancer: Balancer
    /// Weak, so a tombstone never keeps a closed connection alive.
    private struct Entry {
        let ticket: UInt64
        weak var waiter: PoolWaiter?
    }
    private var waiters: Deque<Entry> = []
    private var nextTicket: UInt64 = 1
    private var live: Set<UInt64> = []

    init(config: PoolConfig) {
        self.config = config
        servers = config.servers.map(UpstreamServer.init(config:))
        balancer = Balancer(strategy: config.balance, serverCount: servers.count)
    }

    var name: String { config.name }
    var isSync: Bool { config.kind == .sync }

    /// The next server for a request, skipping those already tried.
    func pick(excluding tried: [Int]) -> BalancerPick {
        balancer.pick(servers.map { $0.load(capacity: isSync ? $0.config.workers : nil) }, excluding: tried)
    }

    // MARK: Queue

    var queuedCount: Int { live.count }

    /// Queues a waiter; nil when the queue is full.
    func enqueue(_ waiter: PoolWaiter) -> UInt64? {
        guard live.count < config.maxQueue else { return nil }
        let ticket = nextTicket
        nextTicket += 1
        waiters.append(Entry(ticket: ticket, waiter: waiter))
        live.insert(ticket)
        return ticket
    }

    /// Leaves the queue (timeout, client gone). Safe to call for a ticket already served.
    func cancel(_ ticket: UInt64) {
        live.remove(ticket)
        if live.isEmpty { waiters.removeAll(keepingCapacity: true) }
    }

    /// Returns a slot on `server` and hands it to the oldest waiter, if any.
    func release(_ server: UpstreamServer) {
        server.release()
        wakeOldestWaiter()
    }

    private func wakeOldestWaiter() {
        var skipped: [Entry] = []
        defer { for entry in skipped.reversed() { waiters.prepend(entry) } }
        while let entry = waiters.popFirst() {
            guard live.remove(entry.ticket) != nil, let waiter = entry.waiter else { continue }
            if waiter.poolSlotFreed() { return }
            live.insert(entry.ticket)
            skipped.append(entry)
        }
    }

    // MARK: Health and shutdown

    var healthReport: HealthReport.Pool {
        HealthReport.Pool(name: config.name, kind: config.kind, queued: queuedCount, servers: servers.map {
            HealthReport.Server(address: $0.config.address.description, isUp: $0.isUp,
                                inFlight: $0.inFlight, workers: $0.config.workers)
        })
    }

    func closeIdle() {
        for server in servers { server.closeIdle() }
    }
}
