import HTTP1
import PaddockConfig
import UV

/// The data plane of one exchange: its buffers, codecs and upstream connection, and the code that
/// moves bytes between the client and the server (the request body, the response, a tunnel; see
/// the extensions). Every decision about them is `DownstreamMachine`'s: each method here does one
/// step the machine asked for and reports its outcome as the next event.
final class ExchangeIO {
    let pool: UpstreamPool
    let plan: RequestPlan
    let client: any Transport
    /// From the snapshot the request was routed with: the client's `[limits]`.
    let limits: HTTPLimits
    /// Responses are held to the parser's own limits: `[limits]` is about what clients may send, and
    /// a small `max_headers` must not turn an app's ordinary response into a 502.
    static let responseLimits = HTTPLimits()
    let proxy: ProxyConfig
    /// `[limits] max_body_bytes` of that snapshot.
    let maxBodyBytes: UInt64
    /// Stop reading one side while the other side's write queue holds more than this.
    let highWaterBytes: Int
    /// Forwarded upstream and echoed to the client (see `RequestID`).
    let requestID: String?
    /// `[tls] hsts` on a TLS connection, added to the response head.
    let strictTransportSecurity: String?
    /// The serialized upstream head, kept for a retry on a fresh connection.
    var upstreamHead: [UInt8]
    let upstreamChunked: Bool
    var requestDecoder: BodyDecoder?
    var requestWriter: FramedWriter?
    var requestSpill: SpillBuffer?
    /// For a buffered body: the head still has to go out with the first body bytes.
    var bufferedHeadPending = false
    var requestBodyBytes: UInt64 = 0
    var upstream: UpstreamConnection?
    /// Backpressure: the client is not read while the upstream write queue is full.
    var pausedDownstreamReads = false
    /// Backpressure: the server is not read while the client (or the buffered output) is behind.
    var pausedUpstreamReads = false

    var responseParser: ResponseHeadParser
    /// A parsed response head waiting for the machine's decision; its ranges index into the
    /// upstream input, which is not consumed until the head is written.
    var parsedHead: ResponseHead?
    var responseFraming: DownstreamBodyFraming = .none
    var responseStarted = false
    var responseKeepAlive = false
    var responseDecoder: BodyDecoder?
    var responseWriter: FramedWriter?
    var responseOutput: BufferedOutput?

    init(pool: UpstreamPool, plan: RequestPlan, client: any Transport, snapshot: ProxySnapshot, highWaterBytes: Int,
         framing: RequestBodyFraming, upstreamHead: [UInt8], upstreamChunked: Bool, requestID: String?,
         strictTransportSecurity: String? = nil) {
        self.pool = pool
        self.plan = plan
        self.client = client
        limits = snapshot.limits
        proxy = snapshot.config.proxy
        maxBodyBytes = snapshot.config.limits.maxBodyBytes
        self.highWaterBytes = highWaterBytes
        self.requestID = requestID
        self.strictTransportSecurity = strictTransportSecurity
        self.upstreamHead = upstreamHead
        self.upstreamChunked = upstreamChunked
        responseParser = ResponseHeadParser(limits: Self.responseLimits)
        switch framing {
        case .none: break
        case let .contentLength(length): if length > 0 { requestDecoder = BodyDecoder(contentLength: length) }
        case .chunked: requestDecoder = .chunked(limits: limits)
        }
    }

    /// Where response bytes go: through the spill when buffering, else straight to the client.
    var responseSink: any ByteSink { responseOutput ?? TransportSink(transport: client) }

    /// Frees temp files and buffers; called once the exchange is over, however it ended.
    func discardBuffers() {
        requestSpill?.close()
        requestSpill = nil
        responseOutput?.close()
        responseOutput = nil
    }
}
