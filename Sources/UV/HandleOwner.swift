import CLibUV

/// Base of every Swift object that owns one libuv handle.
///
/// Ownership rule: while the handle is open, `handle.data` holds one retain of the owner
/// (`Unmanaged.passRetained`), so libuv keeps the owner alive. `close()` hands the handle to `uv_close`;
/// its callback releases that retain and frees the handle's memory — never earlier, because libuv may
/// still touch the handle until then. C callbacks capture nothing and recover the owner with
/// `takeUnretainedValue()` (no retain traffic on the hot path).
public class HandleOwner {
    /// Raw storage for the handle (`uv_tcp_t`, `uv_pipe_t`, `uv_timer_t`, ...), at a stable address.
    let handle: UnsafeMutableRawPointer
    public let loop: EventLoop
    public private(set) var isClosing = false

    init(loop: EventLoop, byteCount: Int) {
        self.loop = loop
        handle = .allocate(byteCount: byteCount, alignment: 16)
        handle.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    var rawHandle: UnsafeMutablePointer<uv_handle_t> { handle.assumingMemoryBound(to: uv_handle_t.self) }

    /// Called by subclasses right after the handle was initialised with `uv_*_init`.
    func adoptHandle() {
        rawHandle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Used when `uv_*_init` failed: nothing was retained, just free the memory.
    func discardUninitialisedHandle() {
        handle.deallocate()
    }

    /// Closes the handle. Safe to call more than once. After this, no callback reaches the owner's delegate.
    public func close() {
        guard beginClose() else { return }
        uv_close(rawHandle, Self.closeCallback)
    }

    /// Marks the handle as closing; false if it already was. Subclasses that close another way
    /// (e.g. with a TCP reset) call this, then hand `closeCallback` to libuv.
    func beginClose() -> Bool {
        if isClosing { return false }
        isClosing = true
        willClose()
        return true
    }

    static let closeCallback: uv_close_cb = { h in
        let owner = Unmanaged<HandleOwner>.fromOpaque(h!.pointee.data).takeRetainedValue()
        owner.didClose()
        owner.handle.deallocate()
    }

    /// An unreferenced handle does not keep `EventLoop.run()` going (signal watchers, for example).
    public func unref() {
        if !isClosing { uv_unref(rawHandle) }
    }

    /// Hook: the close was requested (stop timers, drop delegates).
    func willClose() {}

    /// Hook: libuv finished with the handle.
    func didClose() {}

    @inline(__always)
    static func owner<T: HandleOwner>(_ h: UnsafeMutableRawPointer?, as _: T.Type) -> T {
        let data = h!.assumingMemoryBound(to: uv_handle_t.self).pointee.data
        return Unmanaged<T>.fromOpaque(data!).takeUnretainedValue()
    }
}
