import PaddockConfig
import UV

/// Something waiting in a sync pool's queue. A grant is delivered on the waiter's own loop: a direct
/// call when the slot is freed on that loop, else posted to the waiter's `mailbox` (a `uv_async`
/// wake-up of its loop). The slot is the waiter's from the moment it is granted, so the queue's
/// order holds across loops whatever the delivery takes.
protocol SlotWaiter: AnyObject {
    /// A slot on `grant.server` of `pool` is now counted for this waiter; it must use it or release
    /// it to `pool` (the waiter may have left the queue, or moved on to a request on another pool,
    /// while a grant from another loop was on its way).
    func slotGranted(_ grant: PoolState.Grant, from pool: SharedPool)
    /// The waiter's loop.
    var mailbox: LoopMailbox { get }
}

/// One pool's exact, shared state (`PoolState`) behind one lock held for a few instructions, plus
/// the waiters to notify. Outlives config swaps: a swap reconfigures it in place, keyed by address.
final class SharedPool: Sendable {
    /// Safe to move between threads: a waiter is only ever called on its own loop (see `SlotWaiter`);
    /// elsewhere the box is only stored and handed back.
    private struct WaiterBox: @unchecked Sendable {
        weak var waiter: SlotWaiter?
        let mailbox: LoopMailbox
    }

    private struct Locked: Sendable {
        var pool: PoolState
        var waiters: [UInt64: WaiterBox] = [:]

        /// A grant and the waiter it is for, who leaves the waiters.
        mutating func take(_ grant: PoolState.Grant) -> (PoolState.Grant, WaiterBox?) {
            (grant, waiters.removeValue(forKey: grant.ticket))
        }
    }

    let name: String
    private let state: LockedValue<Locked>

    init(config: PoolConfig, now: UInt64) {
        name = config.name
        state = LockedValue(Locked(pool: PoolState(config: config, now: now)))
    }

    func reconfigure(_ config: PoolConfig, now: UInt64) {
        state.withLock { $0.pool.reconfigure(config, now: now) }
    }

    /// The servers of the current config, in config order.
    var servers: [ServerRef] { state.withLock { $0.pool.servers.map(\.ref) } }

    /// The supervised instances that take requests (see `PoolState.setInstances`); capacity they
    /// add goes to the requests waiting.
    func setInstances(_ instances: [ServerConfig], now: UInt64) {
        state.withLock { $0.pool.setInstances(instances, now: now) }
        grantWaiting(now: now)
    }

    func inFlight(at address: SocketAddressSpec) -> Int { state.withLock { $0.pool.inFlight(at: address) } }

    func acquire(excluding tried: [ServerID], now: UInt64) -> PoolState.Pick {
        state.withLock { $0.pool.acquire(excluding: tried, now: now) }
    }

    /// A slot on this server, if one is free now (see `PoolState.tryAcquire`).
    func tryAcquire(_ id: ServerID) -> Bool { state.withLock { $0.pool.tryAcquire(id) } }

    /// Queues `waiter` until a slot frees up or `deadline`; nil when the queue is full.
    func enqueue(_ waiter: SlotWaiter, excluding tried: [ServerID], deadline: UInt64) -> UInt64? {
        let box = WaiterBox(waiter: waiter, mailbox: waiter.mailbox)
        return state.withLock { locked in
            guard let ticket = locked.pool.enqueue(excluding: tried, deadline: deadline) else { return nil }
            locked.waiters[ticket] = box
            return ticket
        }
    }

    func cancel(_ ticket: UInt64) {
        state.withLock { locked in
            locked.pool.cancel(ticket)
            locked.waiters[ticket] = nil
        }
    }

    /// Returns a slot; the oldest waiter that can use it is told outside the lock.
    func release(_ server: ServerID, now: UInt64) {
        let handoff = state.withLock { locked in locked.pool.release(server, now: now).map { locked.take($0) } }
        deliver(handoff, now: now)
    }

    /// After a reconfigure: the capacity it added goes to the oldest waiters.
    func grantWaiting(now: UInt64) {
        let handoff = state.withLock { locked in locked.pool.grantWaiting(now: now).map { locked.take($0) } }
        deliver(handoff, now: now)
    }

    /// Tells each waiter of its grant, outside the lock, on the waiter's own loop. A waiter that is
    /// gone by then (its connection closed, or its loop) gives the slot straight back, which may
    /// grant it to the next one.
    private func deliver(_ handoff: [(PoolState.Grant, WaiterBox?)], now: UInt64) {
        for (grant, box) in handoff {
            guard let box else {
                release(grant.server.id, now: now)
                continue
            }
            if box.mailbox.isCurrent {
                if let waiter = box.waiter { waiter.slotGranted(grant, from: self) } else { release(grant.server.id, now: now) }
                continue
            }
            let posted = box.mailbox.post { [self] in
                // On the waiter's loop now: only here may the weak reference be read.
                if let waiter = box.waiter { waiter.slotGranted(grant, from: self) } else { release(grant.server.id, now: now) }
            }
            if !posted { release(grant.server.id, now: now) }
        }
    }

    /// Counts a health observation (see `ServerHealth`); returns a change of state, for the log. A
    /// server that comes up takes queued requests at once.
    @discardableResult
    func record(_ observation: ServerHealth.Observation, for id: ServerID, now: UInt64) -> ServerHealth.Transition? {
        let transition = state.withLock { $0.pool.record(observation, for: id, now: now) }
        if transition == .cameUp { grantWaiting(now: now) }
        return transition
    }

    func healthReport(now: UInt64) -> HealthReport.Pool { state.withLock { $0.pool.healthReport(now: now) } }
}

/// Every pool's shared state, by name. A swap reuses the entry of a pool that keeps its name.
final class PoolRegistry: Sendable {
    private let pools = LockedValue<[String: SharedPool]>([:])

    init() {}

    /// The shared pools for a new config: existing ones reconfigured, new ones created, dropped ones
    /// forgotten (requests still using one keep it alive until they finish).
    func adopt(_ configs: [PoolConfig], now: UInt64) -> [String: SharedPool] {
        pools.withLock { pools in
            var next: [String: SharedPool] = [:]
            for config in configs {
                if let existing = pools[config.name] {
                    existing.reconfigure(config, now: now)
                    next[config.name] = existing
                } else {
                    next[config.name] = SharedPool(config: config, now: now)
                }
            }
            pools = next
            return next
        }
    }
}
