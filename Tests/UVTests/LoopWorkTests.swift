import Foundation
import Synchronization
import Testing
@testable import UV

/// `EventLoop.runSoon` (deferred work on a later turn) and `AsyncWakeup` (cross-thread wake-ups).
@Suite struct LoopWorkTests {
    @Test func deferredWorkRunsOnALaterTurnInOrder() throws {
        let loop = try EventLoop()
        var ran: [Int] = []
        loop.runSoon {
            ran.append(1)
            // Queued from inside deferred work: waits for the next turn, so it cannot starve I/O.
            loop.runSoon { ran.append(3) }
        }
        loop.runSoon { ran.append(2) }
        #expect(ran.isEmpty, "runSoon never runs inside the caller")
        loop.runOnce()
        #expect(ran == [1, 2])
        loop.runOnce()
        #expect(ran == [1, 2, 3])
        #expect(loop.openHandleCount == 0, "the loop's own idle handle is not counted")
        #expect(loop.close())
    }

    @Test func pendingDeferredWorkKeepsRunGoing() throws {
        let loop = try EventLoop()
        var ran = false
        loop.runSoon { ran = true }
        loop.run()  // returns only when nothing is pending
        #expect(ran)
        #expect(loop.close())
    }

    @Test func closeRunsPendingWorkFirst() throws {
        let loop = try EventLoop()
        let timer = LoopTimer(loop: loop)
        var ran = false
        loop.runSoon {
            ran = true
            timer.close()
        }
        #expect(loop.close(), "the deferred work closed the last handle")
        #expect(ran)
    }

    @Test func aSynchronousConnectFailureIsReportedOnALaterTurnWithoutATimer() throws {
        let loop = try EventLoop()
        let socket = Socket(loop: loop, kind: .tcp)
        var result: UVError??
        socket.connect(to: .ip(host: "not-an-address", port: 80)) { result = .some($0) }
        #expect(result == nil, "the failure is not reported inside connect()")
        #expect(loop.openHandleCount == 1, "only the socket: no timer handle was made to defer it")
        run(loop) { result != nil }
        #expect(result??.name == "EINVAL")
        finish(loop, closing: [socket])
    }

    /// The mailbox pattern the shared pools use: another thread appends under a lock, then signals;
    /// the loop drains everything on each callback, since signals coalesce.
    @Test func anotherThreadWakesTheLoopAndNothingIsLost() throws {
        final class Mailbox: Sendable {
            let items = Mutex<[Int]>([])
            let senderDone = Atomic<Bool>(false)
        }
        let loop = try EventLoop()
        let mailbox = Mailbox()
        var received: [Int] = []
        var callbacks = 0
        let wakeup = AsyncWakeup(loop: loop) {
            callbacks += 1
            received += mailbox.items.withLock { items in
                defer { items.removeAll() }
                return items
            }
        }
        let count = 2000
        let sender = Thread { [wakeup] in
            for value in 0..<count {
                mailbox.items.withLock { $0.append(value) }
                wakeup.signal()
            }
            mailbox.senderDone.store(true, ordering: .releasing)
        }
        sender.start()
        run(loop, seconds: 10) { received.count == count && mailbox.senderDone.load(ordering: .acquiring) }
        #expect(received == Array(0..<count), "every item arrives, in order")
        #expect(callbacks >= 1 && callbacks <= count)
        finish(loop, closing: [wakeup])
    }
}
