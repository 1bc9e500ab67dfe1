import Foundation
import PaddockConfig
import Testing
import UV
@testable import PaddockCore

/// A sync pool shared by several loops, each on its own thread, as with `threads = N`: a slot
/// freed on one loop goes to the oldest waiter whatever loop it waits on, is delivered on that
/// waiter's own loop (through its `LoopMailbox`), and a server never has more than `workers`
/// requests in flight in total.
@Suite struct CrossLoopGrantTests {
    /// A loop running on its own thread until `finish`.
    final class LoopThread: @unchecked Sendable {
        private(set) var loop: EventLoop!
        private(set) var mailbox: LoopMailbox!
        private var keepAlive: LoopTimer!
        private let ready = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)
        private var thread: Thread!

        init() {
            thread = Thread { [unowned self] in
                self.loop = try! EventLoop()
                self.mailbox = LoopMailbox(loop: self.loop)
                // A ref'd handle keeps `run` going until `finish` closes it.
                self.keepAlive = LoopTimer(loop: self.loop)
                self.keepAlive.start(milliseconds: 1_000, repeat: 1_000) {}
                self.ready.signal()
                self.loop.run()
                _ = self.loop.close()
                self.done.signal()
            }
            thread.start()
            ready.wait()
        }

        /// Runs `work` on the loop's thread.
        func run(_ work: @escaping @Sendable () -> Void) { mailbox.post(work) }

        func finish() {
            mailbox.post { [self] in
                keepAlive.close()
                mailbox.close()
            }
            #expect(done.wait(timeout: .now() + 10) == .success)
        }
    }

    /// Records grants; checks each arrives on its own loop's thread.
    final class Waiter: SlotWaiter, @unchecked Sendable {
        let mailbox: LoopMailbox
        let onGrant: (PoolState.Grant) -> Void

        init(on loop: LoopThread, onGrant: @escaping (PoolState.Grant) -> Void) {
            mailbox = loop.mailbox
            self.onGrant = onGrant
        }

        func slotGranted(_ grant: PoolState.Grant, from pool: SharedPool) {
            #expect(mailbox.isCurrent, "a grant must be delivered on the waiter's own loop")
            onGrant(grant)
        }
    }

    static func pool(workers: Int) -> SharedPool {
        SharedPool(config: PoolConfig(name: "web", kind: .sync, servers: [
            ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: workers),
        ]), now: 0)
    }

    @Test func aSlotFreedOnOneLoopGoesToTheOldestWaiterOnAnother() throws {
        let pool = Self.pool(workers: 1)
        let loops = [LoopThread(), LoopThread()]
        defer { for loop in loops { loop.finish() } }
        let order = LockedValue<[String]>([])
        let finished = DispatchSemaphore(value: 0)
        guard case let .server(held) = pool.acquire(excluding: [], now: 0) else {
            Issue.record("the first acquire gets the server")
            return
        }
        // Kept alive by the test: the pool holds waiters weakly.
        let first = Waiter(on: loops[0]) { grant in
            order.withLock { $0.append("first") }
            pool.release(grant.server.id, now: 0)  // on loop 0: hands the slot to loop 1's waiter
        }
        let second = Waiter(on: loops[1]) { grant in
            order.withLock { $0.append("second") }
            pool.release(grant.server.id, now: 0)
            finished.signal()
        }
        #expect(pool.enqueue(first, excluding: [], deadline: .max) != nil)
        #expect(pool.enqueue(second, excluding: [], deadline: .max) != nil)
        // Freed on the test's thread, which runs neither loop.
        pool.release(held.id, now: 0)
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == ["first", "second"])
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 0)
        #expect(pool.healthReport(now: 0).queued == 0)
    }

    @Test func capacityStaysExactUnderContentionFromFourLoops() throws {
        // Three request chains per loop (12 in all) for 2 workers: requests wait, even when the loops
        // happen not to overlap (the first test covers a grant crossing loops deterministically).
        let workers = 2
        let perClient = 200
        let pool = Self.pool(workers: workers)
        let loops = (0..<4).map { _ in LoopThread() }
        defer { for loop in loops { loop.finish() } }
        let served = LockedValue(0)
        let overCapacity = LockedValue(0)
        let allDone = DispatchSemaphore(value: 0)

        /// One loop's requests, one after another: take a slot (or wait for one), hold it for a
        /// loop turn, give it back.
        final class Client: @unchecked Sendable {
            let loop: LoopThread
            let pool: SharedPool
            var remaining: Int
            var waiter: Waiter?
            /// Requests that found every worker busy and waited for a grant.
            var waits = 0
            let onHold: () -> Void
            let onServed: () -> Void

            init(loop: LoopThread, pool: SharedPool, count: Int, onHold: @escaping () -> Void, onServed: @escaping () -> Void) {
                self.loop = loop
                self.pool = pool
                remaining = count
                self.onHold = onHold
                self.onServed = onServed
            }

            func next() {
                guard remaining > 0 else { return }
                remaining -= 1
                switch pool.acquire(excluding: [], now: 0) {
                case let .server(server):
                    hold(server.id)
                case .full:
                    waits += 1
                    let waiter = Waiter(on: loop) { [unowned self] grant in
                        self.waiter = nil
                        self.hold(grant.server.id)
                    }
                    self.waiter = waiter
                    _ = pool.enqueue(waiter, excluding: [], deadline: .max)
                case .exhausted:
                    Issue.record("a server that is up is never exhausted")
                }
            }

            private func hold(_ id: ServerID) {
                onHold()
                loop.loop.runSoon { [self] in
                    pool.release(id, now: 0)
                    onServed()
                    next()
                }
            }
        }

        let total = loops.count * 3 * perClient
        let clients = (loops + loops + loops).map { loop in
            Client(loop: loop, pool: pool, count: perClient, onHold: {
                // While this client holds its slot, the server's total is at most its workers.
                if pool.healthReport(now: 0).servers[0].inFlight > workers { overCapacity.withLock { $0 += 1 } }
            }, onServed: {
                if served.withLock({ count in count += 1; return count }) == total { allDone.signal() }
            })
        }
        // Every loop starts at once: each first waits for the others to have their work queued.
        let start = DispatchSemaphore(value: 0)
        for loop in loops { loop.run { start.wait() } }
        for client in clients { client.loop.run { client.next() } }
        for _ in loops { start.signal() }
        #expect(allDone.wait(timeout: .now() + 30) == .success)
        #expect(served.withLock { $0 } == total)
        #expect(overCapacity.withLock { $0 } == 0)
        // The queue was really used: requests waited and were granted slots freed on other loops.
        let waits = clients.map { client in
            let counted = DispatchSemaphore(value: 0)
            let box = LockedValue(0)
            client.loop.run { box.withLock { $0 = client.waits }; counted.signal() }
            counted.wait()
            return box.withLock { $0 }
        }
        #expect(waits.reduce(0, +) > 0)
        #expect(pool.healthReport(now: 0).servers[0].inFlight == 0)
        #expect(pool.healthReport(now: 0).queued == 0)
    }
}

@Suite struct LoopMailboxTests {
    @Test func closingRunsWhatWasQueuedAndRefusesMore() throws {
        let loop = try EventLoop()
        let mailbox = LoopMailbox(loop: loop)
        let ran = LockedValue(0)
        #expect(mailbox.post { ran.withLock { $0 += 1 } })
        // Not run yet: the loop has not turned.
        #expect(ran.withLock { $0 } == 0)
        mailbox.close()
        #expect(ran.withLock { $0 } == 1)
        #expect(!mailbox.post { ran.withLock { $0 += 1 } })
        #expect(loop.close())
    }
}
