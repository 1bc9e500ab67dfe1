/// How a response's body is delimited (RFC 9112 §6.3).
public enum ResponseBodyFraming: Sendable, Equatable {
    case none
    case contentLength(UInt64)
    case chunked
    /// The body runs until the upstream closes the connection.
    case untilClose
}

/// A validated response head. All ranges are byte offsets into the buffer it was parsed from.
///
/// Invariants established by `ResponseHeadParser`:
/// - `framing` follows RFC 9112 §6.3 for the request method it was parsed for: `.none` for
///   HEAD, 1xx (101 included), 204, 304 and 2xx to CONNECT; otherwise chunked, Content-Length,
///   or until close;
/// - never both Content-Length and Transfer-Encoding, at most one Content-Length;
/// - `keepAlive` is false whenever the connection cannot carry another response: Connection
///   close, HTTP/1.0 without keep-alive, `.untilClose` framing, or 101 (the connection now
///   speaks another protocol).
public struct ResponseHead: Sendable, Equatable {
    public var status: Int
    /// May be empty.
    public var reason: Range<Int>
    public var version: HTTPVersion
    /// In received order. Underscore fields are kept: the WSGI concern is request-only.
    public var fields: [HeaderField]
    /// Bytes from buffer start through the final CRLFCRLF; the body or the next response
    /// (after a 1xx) starts here.
    public var headLength: Int
    public var framing: ResponseBodyFraming
    public var keepAlive: Bool
    /// 1xx, 101 included. After a 1xx other than 101, another response head follows.
    public var isInformational: Bool
    /// The Upgrade field value when Connection lists "upgrade" (used for 101).
    public var upgrade: Range<Int>?
}
