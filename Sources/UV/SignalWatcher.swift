import CLibUV

/// Delivers a POSIX signal as a loop callback.
public final class SignalWatcher: HandleOwner {
    private var callback: ((Int32) -> Void)?

    public init(loop: EventLoop, signal signum: Int32, _ callback: @escaping (Int32) -> Void) throws(UVError) {
        super.init(loop: loop, byteCount: uv_handle_size(UV_SIGNAL))
        let sig = handle.assumingMemoryBound(to: uv_signal_t.self)
        let rc = uv_signal_init(loop.raw, sig)
        if rc < 0 {
            discardUninitialisedHandle()
            throw UVError(rc)
        }
        adoptHandle()
        self.callback = callback
        let started = uv_signal_start(sig, { s, signum in
            let me = HandleOwner.owner(UnsafeMutableRawPointer(s), as: SignalWatcher.self)
            me.callback?(signum)
        }, signum)
        if started < 0 {
            close()
            throw UVError(started)
        }
    }

    override func willClose() { callback = nil }
}
