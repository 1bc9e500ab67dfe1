import CLibUV

extension Socket {
    /// Bytes queued in libuv and not yet accepted by the kernel. Above a high-water mark, stop reading the peer.
    public var writeQueueBytes: Int { isClosing ? 0 : uv_stream_get_write_queue_size(stream) }

    /// Sends `first` then `second` (one writev). The bytes are copied only if the kernel does not take them now.
    public func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        guard !isClosing else { return }
        let total = first.count + second.count
        guard total > 0 else { return }
        var written = 0
        if uv_stream_get_write_queue_size(stream) == 0 {
            var buffers = (uv_buf_init(UnsafeMutableRawPointer(mutating: first.baseAddress)?.assumingMemoryBound(to: CChar.self), UInt32(first.count)),
                           uv_buf_init(UnsafeMutableRawPointer(mutating: second.baseAddress)?.assumingMemoryBound(to: CChar.self), UInt32(second.count)))
            let rc = withUnsafeMutableBytes(of: &buffers) { raw in
                uv_try_write(stream, raw.baseAddress!.assumingMemoryBound(to: uv_buf_t.self), second.isEmpty ? 1 : 2)
            }
            // On EAGAIN or any error, fall through to uv_write: it reports errors from its callback.
            if rc > 0 { written = Int(rc) }
        }
        if written == total { return }
        queueWrite(GatherCursor(first, second, skipping: written))
    }

    /// Copies what the kernel did not take into pooled write blocks, one `uv_write` per block; libuv
    /// sends queued requests in order, so splitting a large remainder keeps the byte order.
    @inline(never)
    private func queueWrite(_ remainder: GatherCursor) {
        var remainder = remainder
        while remainder.remaining > 0 {
            let block = loop.writeBlocks.take(forBytes: remainder.remaining)
            let count = remainder.copy(into: block.payload, capacity: block.capacity)
            // uv_write copies the uv_buf_t array, so a stack buffer descriptor is enough.
            var buffer = uv_buf_init(block.payload.assumingMemoryBound(to: CChar.self), UInt32(count))
            let rc = uv_write(block.request, stream, &buffer, 1, Self.writeCallback)
            if rc < 0 {
                loop.writeBlocks.give(block.request)
                failLater(UVError(rc))
                return
            }
            writesInFlight += 1
        }
    }

    private static let writeCallback: uv_write_cb = { request, status in
        let me = Socket.owner(ofRequestOn: request!.pointee.handle)
        me.loop.writeBlocks.give(request!)
        me.writeFinished(status)
    }

    private func writeFinished(_ status: Int32) {
        writesInFlight -= 1
        guard !isClosing else { return }
        if status < 0 {
            delegate?.transportDidFail(UVError(status))
        } else if writesInFlight == 0 {
            // Counting requests, not bytes: several callbacks of one batch all see an empty libuv queue.
            delegate?.transportDidDrain()
        }
    }

    /// Half-closes the write side once queued writes are flushed. One shutdown per socket: it uses the
    /// socket's embedded `uv_shutdown_t`; a second call while one is in flight fails with `EALREADY`.
    public func shutdown(_ completion: @escaping (UVError?) -> Void) {
        guard !isClosing else { return }
        guard !shutdownInFlight else {
            failLater(UVError(UV_EALREADY.rawValue))
            return
        }
        shutdownCompletion = completion
        let rc = uv_shutdown(shutdownRequest, stream, Self.shutdownCallback)
        if rc < 0 {
            shutdownCompletion = nil
            failLater(UVError(rc))
        } else {
            shutdownInFlight = true
        }
    }

    private static let shutdownCallback: uv_shutdown_cb = { request, status in
        let me = Socket.owner(ofRequestOn: request!.pointee.handle)
        me.shutdownInFlight = false
        guard !me.isClosing, let completion = me.shutdownCompletion else { return }
        me.shutdownCompletion = nil
        completion(status < 0 ? UVError(status) : nil)
    }
}
