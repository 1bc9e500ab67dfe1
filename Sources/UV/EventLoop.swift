import CLibUV

/// One libuv loop. Loop-confined: every object created on it is touched only on the thread that runs it.
///
/// Invariant: `raw` stays valid until `close()` succeeds; handles must all be closed before that.
/// The loop owns one handle of its own, the idle handle behind `runSoon`; it is not counted by
/// `openHandleCount` and `close()` closes it.
public final class EventLoop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    private var closed = false
    /// Reused `uv_write_t` + payload blocks for this loop's sockets (loop-confined like everything here).
    var writeBlocks = WriteBlockPool()
    /// Read buffers for this loop's sockets, held only while they have unconsumed input.
    let readBuffers = ReadBufferPool()
    /// Work deferred by `runSoon`, and the idle handle that runs it; nil once the loop began closing.
    private var soon: [() -> Void] = []
    private var soonHandle: UnsafeMutablePointer<uv_idle_t>?

    public init() throws(UVError) {
        raw = .allocate(capacity: 1)
        let rc = uv_loop_init(raw)
        if rc < 0 {
            raw.deallocate()
            throw UVError(rc)
        }
        let idle = UnsafeMutablePointer<uv_idle_t>.allocate(capacity: 1)
        let initialised = uv_idle_init(raw, idle)
        precondition(initialised == 0, "uv_idle_init cannot fail on a valid loop")
        // Unretained: the loop outlives its own handle (close() closes it before the loop is freed).
        idle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        soonHandle = idle
    }

    /// Runs `work` on this loop's thread on a later turn of the loop, never inside the caller's own
    /// call stack; work queued by earlier calls runs first. Used to report failures found inside a
    /// call (a refused `uv_write`, a bad connect address) without re-entering the caller's delegate.
    /// The pending work keeps `run()` going. Work queued after `close()` began is dropped.
    public func runSoon(_ work: @escaping () -> Void) {
        guard let idle = soonHandle else { return }
        if soon.isEmpty {
            // An active idle handle makes the loop poll without blocking, so the work runs on the next turn.
            uv_idle_start(idle) { h in
                let loop = Unmanaged<EventLoop>.fromOpaque(h!.pointee.data).takeUnretainedValue()
                loop.runSoonWork()
            }
        }
        soon.append(work)
    }

    private func runSoonWork() {
        // Work queued while this batch runs waits for the next turn, so a chain of runSoon calls
        // cannot starve I/O.
        let batch = soon
        soon = []
        if let idle = soonHandle { uv_idle_stop(idle) }
        for work in batch { work() }
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

    /// How many handles are still open (closing ones included), for leak checks. The loop's own
    /// idle handle is not counted.
    public var openHandleCount: Int {
        var walk = (count: 0, own: soonHandle.map { UnsafeMutableRawPointer($0) })
        withUnsafeMutablePointer(to: &walk) { state in
            uv_walk(raw, { h, arg in
                let state = arg!.assumingMemoryBound(to: (count: Int, own: UnsafeMutableRawPointer?).self)
                if UnsafeMutableRawPointer(h) != state.pointee.own { state.pointee.count += 1 }
            }, state)
        }
        return walk.count
    }

    /// Closes the loop. Returns false (and leaves it open) while other handles remain; pending
    /// `runSoon` work runs first, since it may close handles.
    @discardableResult
    public func close() -> Bool {
        if closed { return true }
        // Let pending close callbacks and deferred work run first.
        uv_run(raw, UV_RUN_NOWAIT)
        if !soon.isEmpty {
            runSoonWork()
            uv_run(raw, UV_RUN_NOWAIT)
        }
        guard openHandleCount == 0 else { return false }
        if let idle = soonHandle {
            soonHandle = nil
            soon = []
            uv_close(UnsafeMutableRawPointer(idle).assumingMemoryBound(to: uv_handle_t.self)) { h in
                UnsafeMutableRawPointer(h!).assumingMemoryBound(to: uv_idle_t.self).deallocate()
            }
            uv_run(raw, UV_RUN_NOWAIT)
        }
        guard uv_loop_close(raw) == 0 else { return false }
        closed = true
        return true
    }
}
