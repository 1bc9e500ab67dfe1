import HTTP1

/// Gathering each request's `RequestRecord` for the access log and the metrics: the connection
/// notes what happened as the machine's events and steps go by, and hands the record over when
/// the request is over.
extension DownstreamConnection {
    /// A request head was parsed (routed or not).
    func startRecord(_ head: RequestHead, input: UnsafeRawBufferPointer, pool: String?, requestID: String?) {
        finishRecord()
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: input[range]), as: UTF8.self) }
        // The metrics need none of the text: with the access log off, no string is made per request.
        let logged = context.accessLog != nil
        var record = RequestRecord(wallClockSeconds: AccessLogLine.wallClock(), startedAt: context.loop.now,
                                   client: clientAddress, method: logged ? text(head.method) : "-",
                                   target: logged ? text(head.target) : "-",
                                   version: head.version == .http1_1 ? "HTTP/1.1" : "HTTP/1.0", requestID: requestID, pool: pool)
        if context.accessLog?.format == .combined {
            record.userAgent = Self.field("user-agent", of: head, in: input).map(text)
            record.referer = Self.field("referer", of: head, in: input).map(text)
        }
        self.record = record
    }

    /// A request that failed before its head could be parsed is logged too, with what is known.
    func startRecordForUnparsedRequest() {
        guard record == nil else { return }
        record = RequestRecord(wallClockSeconds: AccessLogLine.wallClock(), startedAt: context.loop.now,
                               client: clientAddress, method: "-", target: "-", version: "-")
    }

    func noteForRecord(_ event: DownstreamEvent) {
        guard record != nil, case .upstreamConnected = event else { return }
        record!.sentAt = context.loop.now
    }

    /// Noted on the machine's decisions, not on the events before them: a 101 the machine refuses
    /// becomes a 502, and that is what the client got.
    func noteForRecord(_ action: DownstreamAction) {
        guard record != nil else { return }
        switch action.upstream {
        case .dispatch:
            if record!.readyAt == nil { record!.readyAt = context.loop.now }
        case let .connect(server, _):
            // Every attempt after the first one (another server, or after waiting for one) is a retry.
            if record!.gotServerAt == nil {
                record!.gotServerAt = context.loop.now
            } else {
                record!.retries += 1
            }
            record!.upstream = server.endpoint
        case .retryFresh:
            record!.retries += 1
        default:
            break
        }
        switch action.client {
        case .startResponse, .startTunnel:
            record!.responseHeadAt = context.loop.now
            record!.status = io?.parsedHead.map { Int($0.status) }
        default:
            break
        }
    }

    /// Paddock answered itself, with `bodyBytes` of body.
    func noteForRecord(answered status: Int, bodyBytes: Int) {
        if record == nil { startRecordForUnparsedRequest() }
        // An error answer replaces the server's status only if none reached the client.
        guard record!.responseHeadAt == nil else { return }
        record!.status = status
        record!.bodyBytes = UInt64(bodyBytes)
    }

    /// The request is over (its response delivered, or the exchange ended early).
    func finishRecord() {
        guard var record else { return }
        self.record = nil
        if record.responseHeadAt != nil, let writer = io?.responseWriter { record.bodyBytes = writer.bytesWritten }
        if let staticOutput { record.bodyBytes = staticOutput.bodyBytes }
        context.finished(record)
    }

    /// The value of the first field named `name`, compared without case.
    static func field(_ name: StaticString, of head: RequestHead, in input: UnsafeRawBufferPointer) -> Range<Int>? {
        head.fields.first { asciiEqualsIgnoringCase($0.name, in: input, name) }?.value
    }
}
