import PaddockConfig
import Testing
@testable import PaddockCore

/// The sync pool's queue, driven without sockets: waiters take slots the way connections do.
@Suite struct WaitQueueTests {
    final class Waiter: PoolWaiter {
        let name: String
        let pool: UpstreamPool
        var tried: [Int] = []
        var server: Int?
        private let record: (String) -> Void

        init(_ name: String, pool: UpstreamPool, record: @escaping (String) -> Void) {
            self.name = name
            self.pool = pool
            self.record = record
        }

        func poolSlotFreed() -> Bool {
            guard case let .server(index) = pool.pick(excluding: tried) else { return false }
            pool.servers[index].acquire()
            server = index
            record(name)
            return true
        }
    }

    private func pool(workers: [Int], maxQueue: Int = 1024) -> UpstreamPool {
        UpstreamPool(config: PoolConfig(
            name: "web", kind: .sync, maxQueue: maxQueue,
            servers: workers.enumerated().map { index, count in
                ServerConfig(address: .ipv4(host: "127.0.0.1", port: UInt16(8001 + index)), workers: count)
            }))
    }

    @Test func freedSlotsGoToTheOldestWaiterFirst() {
        let pool = pool(workers: [1])
        var served: [String] = []
        guard case .server(0) = pool.pick(excluding: []) else {
            Issue.record("first request should get the free worker")
            return
        }
        pool.servers[0].acquire()
        #expect(pool.pick(excluding: []) == .full)
        let waiters = ["a", "b", "c"].map { Waiter($0, pool: pool) { served.append($0) } }
        let tickets = waiters.map { pool.enqueue($0) }
        #expect(pool.queuedCount == 3)
        pool.cancel(tickets[1]!)
        #expect(pool.queuedCount == 2)
        pool.release(pool.servers[0])
        #expect(served == ["a"])
        pool.release(pool.servers[0])
        #expect(served == ["a", "c"])
        #expect(pool.queuedCount == 0)
        #expect(pool.servers[0].inFlight == 1)
    }

    @Test func aFullQueueRefusesNewWaiters() {
        let pool = pool(workers: [1], maxQueue: 2)
        pool.servers[0].acquire()
        let waiters = (0..<3).map { Waiter("\($0)", pool: pool) { _ in } }
        #expect(pool.enqueue(waiters[0]) != nil)
        #expect(pool.enqueue(waiters[1]) != nil)
        #expect(pool.enqueue(waiters[2]) == nil)
    }

    @Test func aWaiterThatCannotUseTheSlotKeepsItsPlace() {
        let pool = pool(workers: [1, 1])
        pool.servers[0].acquire()
        pool.servers[1].acquire()
        var served: [String] = []
        let picky = Waiter("picky", pool: pool) { served.append($0) }
        picky.tried = [0]  // server 0 already failed this request
        let other = Waiter("other", pool: pool) { served.append($0) }
        _ = pool.enqueue(picky)
        _ = pool.enqueue(other)
        // A slot frees on server 0: the picky waiter cannot use it, the next one can.
        pool.release(pool.servers[0])
        #expect(served == ["other"])
        #expect(pool.queuedCount == 1)
        // A slot on server 1 goes to the picky waiter, still first in line.
        pool.release(pool.servers[1])
        #expect(served == ["other", "picky"])
        #expect(picky.server == 1)
    }

    @Test func waitersAreHeldWeakly() {
        let pool = pool(workers: [1])
        pool.servers[0].acquire()
        var served: [String] = []
        do {
            let gone = Waiter("gone", pool: pool) { served.append($0) }
            _ = pool.enqueue(gone)
        }
        let kept = Waiter("kept", pool: pool) { served.append($0) }
        _ = pool.enqueue(kept)
        pool.release(pool.servers[0])
        #expect(served == ["kept"])
    }
}
