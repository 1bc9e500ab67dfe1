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
            return shortStaticAnswer(405, "only GET and HEAD are served here", extra: [("Allow", "GET, HEAD")],
                                     isHead: false, mustClose: mustClose)
        }
        guard let found = site.find(relative) else {
            return shortStaticAnswer(404, "no such file", isHead: isHead, mustClose: mustClose)
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
            return shortStaticAnswer(404, "no such file", isHead: isHead, mustClose: mustClose)
        }
        var bytes: [UInt8] = []
        let fields = reply.fields + (strictTransportSecurity.map { [("Strict-Transport-Security", $0)] } ?? [])
        ResponseSerializer.writeHead(status: reply.status, fields: fields, close: mustClose, into: &bytes)
        let reader = FileReader(loop: context.loop, fd: fd)
        return startStaticOutput(StaticOutput(client: transport, head: bytes, reader: reader, body: reply.body,
                                              highWaterBytes: context.writeHighWaterBytes),
                                 status: reply.status, mustClose: mustClose)
    }

    private func shortStaticAnswer(_ status: Int, _ message: String, extra: [(String, String)] = [], isHead: Bool,
                                   mustClose: Bool) -> DownstreamEvent {
        let body = isHead ? [] : Array("\(status) \(ResponseSerializer.reasonPhrase(status)): \(message)\n".utf8)
        var bytes: [UInt8] = []
        let fields = extra + (strictTransportSecurity.map { [("Strict-Transport-Security", $0)] } ?? [])
        ResponseSerializer.writeSimple(status: status, contentType: "text/plain; charset=utf-8", body: body,
                                       close: mustClose, extraFields: fields, into: &bytes)
        return startStaticOutput(StaticOutput(client: transport, head: bytes, shortBodyBytes: body.count, reader: nil,
                                              body: nil, highWaterBytes: context.writeHighWaterBytes),
                                 status: status, mustClose: mustClose)
    }

    private func startStaticOutput(_ output: StaticOutput, status: Int, mustClose: Bool) -> DownstreamEvent {
        output.onDataRead = { [weak self] in self?.send(.fileDataRead) }
        staticOutput = output
        record?.status = status
        record?.responseHeadAt = context.loop.now
        return .fileAnswer(mustClose: mustClose)
    }
}
