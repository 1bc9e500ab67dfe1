import HTTP1
import UV

/// A static route: the file is looked up and the answer decided (`StaticSite`, `StaticReply`), then
/// sent by a `StaticOutput` while the machine is in `sendingFile`.
extension DownstreamConnection {
    func serveStatic(_ head: RequestHead, input: UnsafeRawBufferPointer, site: StaticSite,
                     relative: UnsafeRawBufferPointer) -> DownstreamEvent {
        startRecord(head, input: input, pool: nil, requestID: nil)
        let bodyFollows = head.framing != .none && head.framing != .contentLength(0)
        let mustClose = bodyFollows || !head.keepAlive
        let isHead = head.methodKind == .head
        guard head.methodKind == .get || isHead else {
            return shortStaticAnswer(LocalResponse(status: 405, message: "only GET and HEAD are served here", allow: "GET, HEAD"),
                                     mustClose: mustClose)
        }
        guard let found = site.find(relative) else {
            return shortStaticAnswer(LocalResponse(status: 404, message: "no such file", headOnly: isHead), mustClose: mustClose)
        }
        func field(_ name: StaticString) -> [UInt8]? {
            Self.field(name, of: head, in: input).map { Array(UnsafeRawBufferPointer(rebasing: input[$0])) }
        }
        let request = StaticReply.Request(isHead: isHead, ifNoneMatch: field("if-none-match"),
                                          ifModifiedSince: field("if-modified-since"), range: field("range"),
                                          ifRange: field("if-range"), acceptEncoding: field("accept-encoding"))
        let reply = StaticReply.plan(request, name: found.name, identity: found.identity, brotli: found.brotli,
                                     gzip: found.gzip, cacheControl: site.cacheControl(forName: found.name))
        guard let fd = site.openSibling(of: found, reply.encoding) else {
            return shortStaticAnswer(LocalResponse(status: 404, message: "no such file", headOnly: isHead), mustClose: mustClose)
        }
        var bytes: [UInt8] = []
        let fields = reply.fields + (strictTransportSecurity.map { [("Strict-Transport-Security", $0)] } ?? [])
        ResponseSerializer.writeHead(status: reply.status, fields: fields, close: mustClose, into: &bytes)
        let reader = FileReader(loop: context.loop, fd: fd)
        return startStaticOutput(StaticOutput(client: transport, head: bytes, reader: reader, body: reply.body,
                                              highWaterBytes: context.writeHighWaterBytes),
                                 status: reply.status, mustClose: mustClose)
    }

    /// A short answer of our own, sent like a file answer (through `sendingFile`).
    private func shortStaticAnswer(_ response: LocalResponse, mustClose: Bool) -> DownstreamEvent {
        var bytes: [UInt8] = []
        let bodyBytes = serialize(response, close: mustClose, into: &bytes)
        return startStaticOutput(StaticOutput(client: transport, head: bytes, shortBodyBytes: bodyBytes, reader: nil,
                                              body: nil, highWaterBytes: context.writeHighWaterBytes),
                                 status: response.status, mustClose: mustClose)
    }

    private func startStaticOutput(_ output: StaticOutput, status: Int, mustClose: Bool) -> DownstreamEvent {
        output.onDataRead = { [weak self] in self?.send(.fileDataRead) }
        staticOutput = output
        record?.status = status
        record?.responseHeadAt = context.loop.now
        return .fileAnswer(mustClose: mustClose)
    }
}
