import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// Work for one loop, posted from any thread: `post` queues a closure under a lock and wakes the
/// loop (`uv_async_send`), and the loop runs the queue in order on its own thread. This is how
/// loops hand each other things (a sync pool's freed slot granted to a request waiting on another
/// loop) without sharing any loop-confined object.
///
/// Made on the loop's thread, which `isCurrent` recognises. `close` (on that thread) runs what is
/// still queued and makes later posts fail, so a poster can take back what it meant to hand over.
public final class LoopMailbox: Sendable {
    private struct Queue {
        var work: [@Sendable () -> Void] = []
        var closed = false

        /// Everything posted so far, in order; with `closing`, nothing may be posted after it.
        mutating func takeAll(closing: Bool) -> [@Sendable () -> Void] {
            if closing { closed = true }
            defer { work = [] }
            return work
        }
    }

    /// Shared by the mailbox and the wake-up's callback.
    private let inbox = LockedValue(Queue())
    private let wakeup: AsyncWakeup
    private let owner: pthread_t

    public init(loop: EventLoop) {
        owner = pthread_self()
        let inbox = self.inbox
        // What is posted while the queue runs waits for the next wake-up.
        wakeup = AsyncWakeup(loop: loop) { Self.runQueued(inbox, closing: false) }
        // A mailbox alone must not keep the loop running.
        wakeup.unref()
    }

    deinit { close() }

    /// True on the thread that runs the loop.
    public var isCurrent: Bool { pthread_equal(pthread_self(), owner) != 0 }

    /// Queues `work` for the loop; false when the mailbox is closed (the work will never run).
    @discardableResult
    public func post(_ work: @escaping @Sendable () -> Void) -> Bool {
        // The wake-up is sent under the lock, so `close` cannot free the handle in between.
        inbox.withLock { queue in
            guard !queue.closed else { return false }
            queue.work.append(work)
            wakeup.signal()
            return true
        }
    }

    /// On the loop's thread: no more posts. Work already queued runs now (a grant in it must reach
    /// its waiter, or go back to the pool), then the wake-up handle closes.
    public func close() {
        Self.runQueued(inbox, closing: true)
        wakeup.close()
    }

    /// Runs the queued work outside the lock (work may post again).
    private static func runQueued(_ inbox: LockedValue<Queue>, closing: Bool) {
        for item in inbox.withLock({ $0.takeAll(closing: closing) }) { item() }
    }
}
