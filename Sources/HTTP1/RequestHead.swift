/// How a request's body is delimited (RFC 9112 §6.3). `Content-Length: 0` is
/// `.contentLength(0)`, not `.none`, so the distinction survives for the serializer.
public enum RequestBodyFraming: Sendable, Equatable {
    case none
    case contentLength(UInt64)
    case chunked
}

/// A validated request head. All ranges are byte offsets into the buffer it was parsed from.
///
/// Invariants established by `RequestHeadParser`:
/// - an HTTP/1.1 request has exactly one Host field, HTTP/1.0 at most one, and its value is a
///   plausible authority;
/// - `framing` is unambiguous: never both Content-Length and Transfer-Encoding, at most one
///   Content-Length, chunked only on HTTP/1.1;
/// - `path` is `target` up to the first `?`; it is empty only for an absolute-form request
///   without a path (`GET http://h HTTP/1.1`), which means "/";
/// - `fields` never contains fields with `_` in their name when `dropUnderscoreFields` is set.
public struct RequestHead: Sendable, Equatable {
    public var method: Range<Int>
    public var methodKind: Method
    /// Origin-form (or `*`); for absolute-form, just the path+query part.
    public var target: Range<Int>
    /// `target` up to (not including) `?`.
    public var path: Range<Int>
    public var version: HTTPVersion
    /// In received order, underscore fields already removed if `dropUnderscoreFields`.
    public var fields: [HeaderField]
    /// The Host field value, or the absolute-form authority, which wins (RFC 9112 §3.2.2).
    /// nil only for an HTTP/1.0 request with neither.
    public var host: Range<Int>?
    /// Bytes from buffer start through the final CRLFCRLF, skipped leading CRLFs included.
    /// The body (or the next pipelined request) starts here.
    public var headLength: Int
    public var framing: RequestBodyFraming
    /// HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
    /// (and no "close").
    public var keepAlive: Bool
    /// "Expect: 100-continue" on an HTTP/1.1 request. HTTP/1.0 requests never expect it
    /// (RFC 9110 §10.1.1: the server MUST ignore it). Any other Expect value is a 417 error.
    public var expectsContinue: Bool
    /// The Upgrade field value, only when an HTTP/1.1 request's Connection lists "upgrade"
    /// (RFC 9110 §7.8: Upgrade is ignored in HTTP/1.0). If several Upgrade fields were sent,
    /// the first.
    public var upgrade: Range<Int>?
}
