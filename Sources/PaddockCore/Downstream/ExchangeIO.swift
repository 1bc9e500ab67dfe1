import HTTP1
import UV

/// The resources of one exchange: buffers, codecs and the upstream connection. The decisions about
/// them live in `DownstreamMachine`; this is only what the data plane needs to move bytes.
final class ExchangeIO {
    let pool: UpstreamPool
    let plan: RequestPlan
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

    init(pool: UpstreamPool, plan: RequestPlan, framing: RequestBodyFraming, upstreamHead: [UInt8],
         upstreamChunked: Bool, limits: HTTPLimits) {
        self.pool = pool
        self.plan = plan
        self.upstreamHead = upstreamHead
        self.upstreamChunked = upstreamChunked
        responseParser = ResponseHeadParser(limits: limits)
        switch framing {
        case .none: break
        case let .contentLength(length): if length > 0 { requestDecoder = BodyDecoder(contentLength: length) }
        case .chunked: requestDecoder = .chunked(limits: limits)
        }
    }

    /// Where response bytes go: through the spill when buffering, else straight to the client.
    func responseSink(_ transport: any Transport) -> any ByteSink { responseOutput ?? TransportSink(transport: transport) }

    /// Frees temp files and buffers; called once the exchange is over, however it ended.
    func discardBuffers() {
        requestSpill?.close()
        requestSpill = nil
        responseOutput?.close()
        responseOutput = nil
    }
}
