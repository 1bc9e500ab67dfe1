/// How the request body is framed toward the upstream (chosen by the proxy, not copied from
/// the client, so the upstream never sees the client's framing fields).
public enum UpstreamBodyFraming: Sendable, Equatable {
    case none
    case contentLength(UInt64)
    case chunked
    /// The body is being buffered whole, so its length is known only once it is in: the head
    /// is written unfinished (no framing field, no blank line) and must be completed with
    /// `RequestSerializer.finishHead(_:contentLength:)` before it is sent.
    case lengthAfterBuffering
}

/// What `RequestSerializer` adds or rewrites when forwarding a request.
public struct UpstreamRequestOptions: Sendable {
    /// "127.0.0.1", "::1", or "unix". Written into X-Forwarded-For.
    public var clientAddress: String
    /// Written as X-Forwarded-Proto.
    public var scheme: String
    /// If true, append the client to the incoming X-Forwarded-For; else replace it, so a
    /// client cannot forge the chain when no trusted proxy sits in front of us.
    public var trustForwardedFor: Bool
    public var body: UpstreamBodyFraming
    /// false → "Connection: close"; true → no Connection field (the HTTP/1.1 default).
    public var keepAlive: Bool
    /// If true and the head has an upgrade, forward "Connection: upgrade" and "Upgrade: <value>".
    public var upgrade: Bool
    /// When set, every X-Request-ID the client sent is dropped and "X-Request-ID: <value>" is
    /// written instead (the value must be field-safe text).
    public var requestID: String?

    public init(
        clientAddress: String,
        scheme: String = "http",
        trustForwardedFor: Bool = false,
        body: UpstreamBodyFraming,
        keepAlive: Bool,
        upgrade: Bool = false,
        requestID: String? = nil
    ) {
        self.clientAddress = clientAddress
        self.scheme = scheme
        self.trustForwardedFor = trustForwardedFor
        self.body = body
        self.keepAlive = keepAlive
        self.upgrade = upgrade
        self.requestID = requestID
    }
}
