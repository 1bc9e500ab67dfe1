import CLibUV

/// One libuv loop. Loop-confined: every object created on it is touched only on the thread that runs it.
///
/// Invariant: `raw` stays valid until `close()` succeeds; handles must all be closed before that.
public final class EventLoop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    private var closed = false
    /// Reused `uv_write_t` + payload blocks for this loop's sockets (loop-confined like everything here).
    var writeBlocks = WriteBlockPool()

    public init() throws(UVError) {
        raw = .allocate(capacity: 1)
        let rc = uv_loop_init(raw)
        if rc < 0 {
            raw.deallocate()
            throw UVError(rc)
        }
    }

    deinit {
        if !closed {
            // Handles still open would point at freed memory; run the loop until their close callbacks fire.
            _ = close()
        }
        if closed { raw.deallocate() }
    }

    /// Runs until no active handles remain or `stop()` is called.
    public func run() {
        uv_run(raw, UV_RUN_DEFAULT)
    }

    /// Runs one iteration without blocking; useful in tests.
    @discardableResult
    public func runOnce(blocking: Bool = false) -> Bool {
        uv_run(raw, blocking ? UV_RUN_ONCE : UV_RUN_NOWAIT) != 0
    }

    public func stop() { uv_stop(raw) }

    /// The loop's cached clock, in milliseconds.
    public var now: UInt64 { uv_now(raw) }

    /// Refreshes the cached clock (after a long synchronous step).
    public func updateTime() { uv_update_time(raw) }

    /// How many handles are still open (closing ones included), for leak checks.
    public var openHandleCount: Int {
        var count = 0
        withUnsafeMutablePointer(to: &count) { counter in
            uv_walk(raw, { _, arg in
                arg!.assumingMemoryBound(to: Int.self).pointee += 1
            }, counter)
        }
        return count
    }

    /// Closes the loop. Returns false (and leaves it open) while handles remain.
    @discardableResult
    public func close() -> Bool {
        if closed { return true }
        // Let pending close callbacks run first.
        uv_run(raw, UV_RUN_NOWAIT)
        guard uv_loop_close(raw) == 0 else { return false }
        closed = true
        return true
    }
}
