import CLibUV

/// A one-shot or repeating timer on a loop.
///
/// The callback is stored in the timer; an owner that captures itself in it must `close()` the timer
/// when done (which drops the callback), or the two keep each other alive.
public final class LoopTimer: HandleOwner {
    private var callback: (() -> Void)?

    public init(loop: EventLoop) {
        super.init(loop: loop, byteCount: uv_handle_size(UV_TIMER))
        let rc = uv_timer_init(loop.raw, handle.assumingMemoryBound(to: uv_timer_t.self))
        precondition(rc == 0, "uv_timer_init cannot fail on a valid loop")
        adoptHandle()
    }

    private var timer: UnsafeMutablePointer<uv_timer_t> { handle.assumingMemoryBound(to: uv_timer_t.self) }

    /// (Re)arms the timer. A repeat of 0 means one-shot.
    public func start(milliseconds: UInt64, repeat repeatMilliseconds: UInt64 = 0, _ callback: @escaping () -> Void) {
        precondition(!isClosing, "timer used after close")
        self.callback = callback
        uv_timer_start(timer, { t in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(t), as: LoopTimer.self)
            me.callback?()
        }, milliseconds, repeatMilliseconds)
    }

    public func stop() {
        if !isClosing { uv_timer_stop(timer) }
        callback = nil
    }

    override func willClose() { callback = nil }
}
