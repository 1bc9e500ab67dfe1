import HTTP1
import UV

/// After a 101 (WebSocket), the client and server connections are joined as a byte tunnel.
/// Each direction stops reading while the other side's write queue is above the high-water mark;
/// either side closing, or no traffic for `tunnel_idle`, closes both — after the bytes already
/// queued for the other side (a last WebSocket frame, a close frame) have been flushed.
extension ExchangeIO {
    func startTunnel() -> DownstreamEvent? {
        guard let head = parsedHead, let upstream = upstream?.transport else { return nil }
        parsedHead = nil
        var bytes: [UInt8] = []
        ResponseSerializer.writeHead(head, source: upstream.readable, body: .none, keepAlive: true,
                                     clientVersion: plan.clientVersion, requestID: requestID, into: &bytes)
        client.write(bytes)
        upstream.consume(head.headLength)
        client.startReading()
        // Bytes that arrived with the 101, or that the client sent right after its upgrade request.
        let fromServer = relayFromServer()
        return relayFromClient() ?? fromServer
    }

    func relayFromClient() -> DownstreamEvent? {
        guard let upstream = upstream?.transport else { return nil }
        return relay(from: client, to: upstream)
    }

    func relayFromServer() -> DownstreamEvent? {
        guard let upstream = upstream?.transport else { return nil }
        return relay(from: upstream, to: client)
    }

    private func relay(from source: any Transport, to destination: any Transport) -> DownstreamEvent? {
        let bytes = source.readable
        guard !bytes.isEmpty else { return nil }
        destination.write(bytes)
        source.consume(bytes.count)
        if destination.writeQueueBytes > highWaterBytes { source.stopReading() }
        return .tunnelActivity
    }
}
