import CLibUV

/// Wakes a loop from any thread: `signal()` may be called on any thread, and the callback runs on
/// the loop's thread. Signals coalesce (libuv's `uv_async_send`): several `signal()` calls before the
/// loop wakes give one callback, so the callback must drain the whole mailbox the signals announce.
///
/// Everything but `signal()` is loop-confined: create, close and the callback are on the loop's
/// thread. The owner must make sure no thread calls `signal()` once `close()` was called (stop the
/// signalling threads first, or decide both under the mailbox's lock): libuv frees the handle after
/// the close, and a late `uv_async_send` would touch freed memory.
public final class AsyncWakeup: HandleOwner, @unchecked Sendable {
    private var callback: (() -> Void)?

    public init(loop: EventLoop, _ callback: @escaping () -> Void) {
        super.init(loop: loop, byteCount: uv_handle_size(UV_ASYNC))
        let rc = uv_async_init(loop.raw, handle.assumingMemoryBound(to: uv_async_t.self)) { a in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(a), as: AsyncWakeup.self)
            me.callback?()
        }
        precondition(rc == 0, "uv_async_init cannot fail on a valid loop")
        adoptHandle()
        self.callback = callback
    }

    /// Asks the loop to run the callback soon. Safe on any thread.
    public func signal() {
        _ = uv_async_send(handle.assumingMemoryBound(to: uv_async_t.self))
    }

    override func willClose() { callback = nil }
}
