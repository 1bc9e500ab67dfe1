import PaddockConfig
import Testing
import UV
@testable import PaddockCore

/// The sync pool's shared state, driven without sockets: acquire, queue, release, grant, swap.
@Suite struct WaitQueueTests {
    final class Waiter: SlotWaiter {
        let name: String
        var grants: [PoolState.Grant] = []
        private let record: (String) -> Void
        /// The test's own thread: grants are delivered by direct call.
        private let loop = try! EventLoop()
        let mailbox: LoopMailbox

        init(_ name: String, record: @escaping (String) -> Void) {
            self.name = name
            self.record = record
            mailbox = LoopMailbox(loop: loop)
        }

        deinit { mailbox.close() }

        func slotGranted(_ grant: PoolState.Grant, from pool: SharedPool) {
            grants.append(grant)
            record(name)
        }
    }

    static func config(workers: [Int], maxQueue: Int = 1024, firstPort: UInt16 = 8001) -> PoolConfig {
        PoolConfig(name: "web", kind: .sync, maxQueue: maxQueue, servers: workers.enumerated().map { index, count in
            ServerConfig(address: .ipv4(host: "127.0.0.1", port: firstPort + UInt16(index)), workers: count)
        })
    }

    private func server(_ pick: PoolState.Pick) -> ServerRef? {
        if case let .server(server) = pick { server } else { nil }
    }

    @Test func freedSlotsGoToTheOldestWaiterFirst() throws {
        let pool = SharedPool(config: Self.config(workers: [1]), now: 0)
        var served: [String] = []
        let first = try #require(server(pool.acquire(excluding: [], now: 0)))
        #expect(pool.acquire(excluding: [], now: 0) == .full)
        let waiters = ["a", "b", "c"].map { Waiter($0) { served.append($0) } }
        let tickets = waiters.map { pool.enqueue($0, excluding: [], deadline: .max) }
        #expect(pool.healthReport(now: 0).queued == 3)
        pool.cancel(tickets[1]!)
        #expect(pool.healthReport(now: 0).queued == 2)
        pool.release(first.id, now: 0)
        #expect(served == ["a"])
        #expect(waiters[0].grants.map(\.ticket) == [tickets[0]!])
        pool.release(first.id, now: 0)
        #expect(served == ["a", "c"])
        #expect(pool.healthReport(now: 0).queued == 0)
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 1)
    }

    @Test func aFullQueueRefusesNewWaiters() {
        var state = PoolState(config: Self.config(workers: [1], maxQueue: 2), now: 0)
        _ = state.acquire(excluding: [], now: 0)
        let tickets = (0..<3).map { _ in state.enqueue(excluding: [], deadline: .max) }
        #expect(tickets.map { $0 != nil } == [true, true, false])
    }

    @Test func aWaiterThatCannotUseTheSlotKeepsItsPlace() throws {
        var state = PoolState(config: Self.config(workers: [1, 1]), now: 0)
        let aValue = server(state.acquire(excluding: [], now: 0))
        let a = try #require(aValue)
        let bValue = server(state.acquire(excluding: [], now: 0))
        let b = try #require(bValue)
        #expect(a.id != b.id)
        // The picky waiter already failed on `a`.
        let pickyValue = state.enqueue(excluding: [a.id], deadline: .max)
        let picky = try #require(pickyValue)
        let otherValue = state.enqueue(excluding: [], deadline: .max)
        let other = try #require(otherValue)
        // A slot frees on `a`: the picky waiter cannot use it, the next one can.
        let first = state.release(a.id, now: 0)
        #expect(first == [PoolState.Grant(ticket: other, server: a)])
        #expect(state.queue.count == 1)
        // A slot on `b` goes to the picky waiter, still first in line.
        let second = state.release(b.id, now: 0)
        #expect(second == [PoolState.Grant(ticket: picky, server: b)])
    }

    @Test func anExpiredWaiterIsPassedOver() throws {
        var state = PoolState(config: Self.config(workers: [1]), now: 0)
        let aValue = server(state.acquire(excluding: [], now: 0))
        let a = try #require(aValue)
        _ = state.enqueue(excluding: [], deadline: 100)
        let lateValue = state.enqueue(excluding: [], deadline: 500)
        let late = try #require(lateValue)
        let grant = state.release(a.id, now: 200)
        #expect(grant == [PoolState.Grant(ticket: late, server: a)])
    }

    @Test func aGrantForAWaiterThatIsGoneIsPassedOn() throws {
        let pool = SharedPool(config: Self.config(workers: [1]), now: 0)
        let held = try #require(server(pool.acquire(excluding: [], now: 0)))
        var served: [String] = []
        do {
            let gone = Waiter("gone") { served.append($0) }
            _ = pool.enqueue(gone, excluding: [], deadline: .max)
        }
        let kept = Waiter("kept") { served.append($0) }
        _ = pool.enqueue(kept, excluding: [], deadline: .max)
        pool.release(held.id, now: 0)
        #expect(served == ["kept"])
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 1)
    }

    @Test func aSwapKeepsSlotsHealthAndQueueOfServersThatStay() throws {
        var state = PoolState(config: Self.config(workers: [1, 1]), now: 0)
        let aValue = server(state.acquire(excluding: [], now: 0))
        let a = try #require(aValue)
        let bValue = server(state.acquire(excluding: [], now: 0))
        let b = try #require(bValue)
        _ = state.record(.connectFailed, for: b.id, now: 0)
        let waitingValue = state.enqueue(excluding: [], deadline: .max)
        let waiting = try #require(waitingValue)
        // The new config keeps `b`'s address (now with 2 workers), drops `a`, adds a new server.
        var next = Self.config(workers: [2, 1], firstPort: 8002)
        next.servers[0].workers = 2
        state.reconfigure(next, now: 0)
        #expect(state.servers.map(\.address) == next.servers.map(\.address))
        #expect(state.servers[0].id == b.id)
        #expect(state.servers[0].inFlight == 1)
        #expect(state.servers[0].isUp == false)
        #expect(state.servers[0].capacity == 2)
        #expect(state.queue.count == 1)
        // The request still running on the dropped server finishes there; its slot frees capacity
        // that the waiter gets on a server of the new config.
        let grantValue = state.release(a.id, now: 0).first
        let grant = try #require(grantValue)
        #expect(grant.ticket == waiting)
        #expect(grant.server.id != a.id)
    }

    @Test func capacityAddedByASwapIsGrantedToTheOldestWaiters() throws {
        var state = PoolState(config: Self.config(workers: [1]), now: 0)
        _ = state.acquire(excluding: [], now: 0)
        let tickets = (0..<3).compactMap { _ in state.enqueue(excluding: [], deadline: .max) }
        #expect(state.grantWaiting(now: 0).isEmpty, "no capacity yet")
        // One more worker on the server, and a second server with one worker: two waiters go.
        state.reconfigure(Self.config(workers: [2, 1]), now: 0)
        let grants = state.grantWaiting(now: 0)
        #expect(grants.map(\.ticket) == Array(tickets.prefix(2)))
        #expect(state.servers.map(\.inFlight) == [2, 1], "each grant is counted on its server")
        #expect(state.queue.count == 1)
    }

    @Test func pickAndAcquireIsOneStep() throws {
        var state = PoolState(config: Self.config(workers: [2]), now: 0)
        let firstValue = server(state.acquire(excluding: [], now: 0))
        let first = try #require(firstValue)
        #expect(state.servers[0].inFlight == 1)
        _ = state.acquire(excluding: [], now: 0)
        let full = state.acquire(excluding: [], now: 0)
        let exhausted = state.acquire(excluding: [first.id], now: 0)
        #expect(full == .full)
        #expect(exhausted == .exhausted)
    }
}
