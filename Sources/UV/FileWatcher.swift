import CLibUV

/// Watches one directory for changes (libuv's fs events: inotify on Linux, not recursive). The
/// callback gets the name of the entry that changed, relative to the directory.
public final class FileWatcher: HandleOwner {
    private var callback: ((String) -> Void)?
    public let path: String

    public init(loop: EventLoop, path: String, _ callback: @escaping (String) -> Void) throws(UVError) {
        self.path = path
        super.init(loop: loop, byteCount: uv_handle_size(UV_FS_EVENT))
        let event = handle.assumingMemoryBound(to: uv_fs_event_t.self)
        let rc = uv_fs_event_init(loop.raw, event)
        if rc < 0 {
            discardUninitialisedHandle()
            throw UVError(rc)
        }
        adoptHandle()
        self.callback = callback
        let started = uv_fs_event_start(event, { e, name, _, status in
            guard status == 0, let name else { return }
            let me = HandleOwner.owner(UnsafeMutableRawPointer(e), as: FileWatcher.self)
            me.callback?(String(cString: name))
        }, path, 0)
        if started < 0 {
            close()
            throw UVError(started)
        }
    }

    override func willClose() { callback = nil }
}
