/// Incremental response-head parser, the mirror of `RequestHeadParser`: call `parse` with the
/// whole buffer received so far (same start, growing), O(n) overall, `reset()` between
/// messages (including after each 1xx; after `.complete` it has reset itself, and a
/// `.failure` is sticky until `reset()`). No leading empty lines are skipped: RFC 9112 §2.2
/// grants that leniency to servers only. Every error is 502 (the upstream is at fault).
/// The status line is bounded by `maxFieldLineBytes`.
/// The loop is `HeadParseLoop`; what is specific to responses is `ResponseHeadKind`.
public struct ResponseHeadParser: Sendable {
    public let limits: HTTPLimits
    private var loop = HeadParseLoop<ResponseHeadKind>()

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    public mutating func reset() {
        loop.reset()
    }

    /// `requestMethod` decides framing for HEAD and CONNECT (RFC 9112 §6.3); pass the same
    /// value on every call for one response.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, requestMethod: Method) -> HeadParseResult<ResponseHead> {
        loop.parse(buffer, limits: limits, context: requestMethod)
    }
}
