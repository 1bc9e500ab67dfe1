import HTTP1
import UV

/// One request and its response, from the moment its head is parsed until the response is complete.
///
/// Invariants: `serverIndex` is set exactly while the server's in-flight count includes this request;
/// `upstream` is the connection carrying it (connecting or connected); `responseStarted` turns true
/// when the first response byte is queued downstream, after which failures abort the client connection
/// instead of answering with an error status.
final class Exchange {
    let pool: UpstreamPool
    let method: Method
    let clientVersion: HTTPVersion
    let clientKeepAlive: Bool
    let hasBody: Bool

    /// The serialized upstream head, kept until sent (and for a retry on a fresh connection).
    let upstreamHead: [UInt8]
    var requestDecoder: BodyDecoder?
    var requestWriter: FramedWriter?
    var requestBodyBytes: UInt64 = 0
    var requestDone: Bool

    var tried: [Int] = []
    var serverIndex: Int?
    var upstream: UpstreamConnection?
    /// `upstream` is connected and carries this request (false while connecting).
    var upstreamReady = false
    var retriedReusedConnection = false

    var responseParser: ResponseHeadParser
    var responseHeadReceived = false
    var responseKeepAlive = false
    var responseDecoder: BodyDecoder?
    var responseWriter: FramedWriter?
    var responseStarted = false
    var downstreamKeepAlive = false

    /// Backpressure: which side was paused because the other side's write queue is full.
    var pausedDownstreamReads = false
    var pausedUpstreamReads = false

    init(pool: UpstreamPool, head: RequestHead, upstreamHead: [UInt8], limits: HTTPLimits) {
        self.pool = pool
        method = head.methodKind
        clientVersion = head.version
        clientKeepAlive = head.keepAlive
        self.upstreamHead = upstreamHead
        responseParser = ResponseHeadParser(limits: limits)
        switch head.framing {
        case .none:
            hasBody = false
        case let .contentLength(length):
            hasBody = length > 0
            if hasBody { requestDecoder = BodyDecoder(contentLength: length) }
        case .chunked:
            hasBody = true
            requestDecoder = .chunked(limits: limits)
        }
        requestDone = !hasBody
    }

    var server: UpstreamServer? { serverIndex.map { pool.servers[$0] } }
}
