import HTTP1
import UV

/// One request and its response, from the moment its head is parsed until the response is complete.
///
/// Request side: the body is either streamed (`requestWriter` frames it onto the upstream socket as it
/// arrives) or buffered (`requestSpill` holds all of it before a server is even chosen).
/// `requestBodyReceived` means the client has sent the whole body; `requestSent` means the upstream
/// socket has been given the whole request.
///
/// Response side: bytes go to the client socket directly (streaming, with backpressure on the upstream)
/// or through `responseOutput` (buffering: the upstream is read at full speed and released as soon as
/// its response is complete, while the client drains the spill at its own pace).
///
/// Invariants: `serverIndex` is set exactly while the server's in-flight count includes this request
/// on the exchange's behalf (a request the client abandoned hands its slot to the draining upstream
/// connection, which releases it when the worker is done);
/// `queueTicket` is set exactly while the request waits in its pool's queue; `responseStarted` turns
/// true when the first response byte is queued for the client, after which a failure can only abort the
/// connection, never answer with an error status.
final class Exchange {
    let pool: UpstreamPool
    let method: Method
    let clientVersion: HTTPVersion
    let clientKeepAlive: Bool
    let hasBody: Bool
    let isUpgrade: Bool

    /// The serialized upstream head, kept for a retry on a fresh connection.
    var upstreamHead: [UInt8]
    let upstreamChunked: Bool
    var requestDecoder: BodyDecoder?
    var requestWriter: FramedWriter?
    var requestSpill: SpillBuffer?
    /// For a buffered body: the head still has to go out with the first body bytes.
    var bufferedHeadPending = false
    var requestBodyBytes: UInt64 = 0
    var requestBodyReceived: Bool
    var requestSent = false

    var tried: [Int] = []
    var serverIndex: Int?
    var queueTicket: UInt64?
    var upstream: UpstreamConnection?
    /// `upstream` is connected and carries this request (false while connecting).
    var upstreamReady = false
    var retriedReusedConnection = false

    /// A 1xx went to the client: the server has seen the request, so it is never retried.
    var forwardedInformational = false
    var responseParser: ResponseHeadParser
    var responseHeadReceived = false
    var responseKeepAlive = false
    var responseDecoder: BodyDecoder?
    var responseWriter: FramedWriter?
    var responseOutput: BufferedOutput?
    var responseStarted = false
    var downstreamKeepAlive = false
    /// The upstream side is finished and released; the client is still being sent the buffered rest.
    var awaitingDownstreamDrain = false

    /// Backpressure: which side was paused because the other side's write queue is full.
    var pausedDownstreamReads = false
    var pausedUpstreamReads = false

    /// Tunnels: loop time of the last byte in either direction, for the idle timeout.
    var lastTunnelActivity: UInt64 = 0

    init(pool: UpstreamPool, head: RequestHead, isUpgrade: Bool, upstreamHead: [UInt8], upstreamChunked: Bool,
         limits: HTTPLimits) {
        self.pool = pool
        method = head.methodKind
        clientVersion = head.version
        clientKeepAlive = head.keepAlive
        self.isUpgrade = isUpgrade
        self.upstreamHead = upstreamHead
        self.upstreamChunked = upstreamChunked
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
        requestBodyReceived = !hasBody
    }

    var server: UpstreamServer? { serverIndex.map { pool.servers[$0] } }

    /// Where response bytes go: through the spill when buffering, else straight to the client.
    func responseSink(_ socket: Socket) -> ByteSink { responseOutput ?? socket }

    /// A retry must send the same request again: possible when there is no body or it was buffered.
    var isReplayable: Bool { !hasBody || requestSpill != nil }

    /// Frees temp files and buffers; called once the exchange is over, however it ended.
    func discardBuffers() {
        requestSpill?.close()
        requestSpill = nil
        responseOutput?.close()
        responseOutput = nil
    }
}
