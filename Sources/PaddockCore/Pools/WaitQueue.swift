import DequeModule

/// A sync pool's FIFO of requests waiting for a worker slot. Pure: the pool decides who gets a slot.
///
/// Invariants: tickets are unique and increase; `live` holds exactly the tickets still waiting, and
/// every live ticket has an entry in `entries`. A cancelled ticket stays in `entries` as a tombstone
/// until it reaches the front, so cancelling is O(1).
struct WaitQueue: Sendable {
    struct Entry: Sendable, Equatable {
        let ticket: UInt64
        /// Servers that already failed this request: a slot there is no use to it.
        let excluded: [ServerID]
        /// Loop time after which the waiter gives up (its own timer answers 503); an expired waiter
        /// is passed over, so a slot never goes to a request that is about to time out.
        let deadline: UInt64
    }

    private var entries: Deque<Entry> = []
    private var live: Set<UInt64> = []
    private var nextTicket: UInt64 = 1

    var count: Int { live.count }

    mutating func enqueue(excluding excluded: [ServerID], deadline: UInt64) -> UInt64 {
        let ticket = nextTicket
        nextTicket += 1
        entries.append(Entry(ticket: ticket, excluded: excluded, deadline: deadline))
        live.insert(ticket)
        return ticket
    }

    /// Safe for a ticket already served or cancelled.
    mutating func cancel(_ ticket: UInt64) {
        live.remove(ticket)
        if live.isEmpty { entries.removeAll(keepingCapacity: true) }
    }

    /// Removes and returns the oldest live, unexpired entry that `accepts`; tombstones in front are dropped.
    mutating func popFirst(now: UInt64, where accepts: (Entry) -> Bool) -> Entry? {
        while let first = entries.first, !live.contains(first.ticket) { entries.removeFirst() }
        var index = entries.startIndex
        while index < entries.endIndex {
            let entry = entries[index]
            if live.contains(entry.ticket), entry.deadline > now, accepts(entry) {
                entries.remove(at: index)
                live.remove(entry.ticket)
                return entry
            }
            index += 1
        }
        return nil
    }
}
