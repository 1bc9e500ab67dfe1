import CLibUV

extension Socket {
    /// Connects to `endpoint`; the socket's kind must match (`.ip` → tcp, `.unix` → pipe).
    /// The completion runs once, on the loop, unless the socket is closed first. One connect per socket:
    /// it uses the socket's embedded `uv_connect_t`.
    public func connect(to endpoint: Endpoint, _ completion: @escaping (UVError?) -> Void) {
        precondition(!connectInFlight && connectCompletion == nil, "connect already in progress")
        guard !isClosing else { return }
        connectCompletion = completion
        switch endpoint {
        case .ip:
            precondition(kind == .tcp)
            let rc: Int32
            do {
                rc = try endpoint.withSockAddr { address in
                    uv_tcp_connect(connectRequest, tcp, address, Self.connectCallback)
                }
            } catch {
                rc = error.code
            }
            if rc < 0 {
                failConnectLater(rc)
            } else {
                connectInFlight = true
            }
        case let .unix(path):
            precondition(kind == .pipe)
            // uv_pipe_connect reports every failure through the callback.
            uv_pipe_connect(connectRequest, handle.assumingMemoryBound(to: uv_pipe_t.self), path, Self.connectCallback)
            connectInFlight = true
        }
    }

    private static let connectCallback: uv_connect_cb = { request, status in
        let me = Socket.owner(ofRequestOn: request!.pointee.handle)
        me.connectInFlight = false
        me.connectFinished(status)
    }

    private func connectFinished(_ status: Int32) {
        guard let completion = connectCompletion, !isClosing else { return }
        connectCompletion = nil
        if status == 0, kind == .tcp { uv_tcp_nodelay(tcp, 1) }
        completion(status < 0 ? UVError(status) : nil)
    }

    /// A synchronous connect failure (bad address) is still reported asynchronously, keeping callers simple.
    private func failConnectLater(_ code: Int32) {
        loop.runSoon { [weak self] in self?.connectFinished(code) }
    }

    /// Called by `Listener` for accepted TCP connections.
    func acceptedTCP() {
        if kind == .tcp { uv_tcp_nodelay(tcp, 1) }
    }
}
