import HTTP1
import UV

/// After a 101 (WebSocket), the client and server connections are joined as a byte tunnel.
/// Each direction stops reading while the other side's write queue is above the high-water mark;
/// either side closing, or no traffic for `tunnel_idle`, closes both — after the bytes already
/// queued for the other side (a last WebSocket frame, a close frame) have been flushed.
extension DownstreamConnection {
    func startTunnel(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let head = io.parsedHead, let upstream = io.upstream?.transport else { return nil }
        io.parsedHead = nil
        scratch.removeAll(keepingCapacity: true)
        ResponseSerializer.writeHead(head, source: upstream.readable, body: .none, keepAlive: true,
                                     clientVersion: io.plan.clientVersion, into: &scratch)
        transport.write(scratch)
        upstream.consume(head.headLength)
        transport.startReading()
        // Bytes that arrived with the 101, or that the client sent right after its upgrade request.
        let fromServer = relayFromServer(io)
        return relayFromClient(io) ?? fromServer
    }

    func relayFromClient(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport else { return nil }
        return relay(from: transport, to: upstream)
    }

    func relayFromServer(_ io: ExchangeIO) -> DownstreamEvent? {
        guard let upstream = io.upstream?.transport else { return nil }
        return relay(from: upstream, to: transport)
    }

    private func relay(from source: any Transport, to destination: any Transport) -> DownstreamEvent? {
        let bytes = source.readable
        guard !bytes.isEmpty else { return nil }
        destination.write(bytes)
        source.consume(bytes.count)
        if destination.writeQueueBytes > context.writeHighWaterBytes { source.stopReading() }
        return .tunnelActivity
    }
}
