import UV

/// What one request did, gathered as it goes, for the access log and the metrics. Times are loop
/// milliseconds; `wallClockSeconds` is the start as the access log prints it.
struct RequestRecord: Sendable {
    var wallClockSeconds: Double
    var startedAt: UInt64
    var client: String
    var method: String
    var target: String
    var version: String
    var requestID: String?
    var pool: String?
    /// The last server the request went to.
    var upstream: Endpoint?
    /// When it was ready for a server (its buffered body complete), and when it got one.
    var readyAt: UInt64?
    var gotServerAt: UInt64?
    /// When the upstream connection carried it, and when the response head came back.
    var sentAt: UInt64?
    var responseHeadAt: UInt64?
    var status: Int?
    var bodyBytes: UInt64 = 0
    var retries = 0
    var userAgent: String?
    var referer: String?

    /// 499 (as nginx logs it) when the client left before any answer.
    var loggedStatus: Int { status ?? 499 }

    var queueMilliseconds: UInt64? {
        guard let readyAt, let gotServerAt, gotServerAt >= readyAt else { return nil }
        return gotServerAt - readyAt
    }

    var upstreamMilliseconds: UInt64? {
        guard let sentAt, let responseHeadAt, responseHeadAt >= sentAt else { return nil }
        return responseHeadAt - sentAt
    }

    func totalMilliseconds(now: UInt64) -> UInt64 { now >= startedAt ? now - startedAt : 0 }
}
