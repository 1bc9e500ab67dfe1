/// Incremental request-head parser. Call `parse` with the whole buffer received so far (same
/// start each time, longer each call); it resumes where it stopped, so total work is O(n).
/// Call `reset()` before the next message, passing a buffer that starts at that message.
///
/// Allocation: one `fields` array per head (capacity reserved once); no Strings.
/// A `.failure` is sticky until `reset()`. After `.complete` the parser has already reset
/// itself (so calling `reset()` is harmless), and parsing the same buffer again yields the same
/// head.
///
/// Up to `maxLeadingEmptyLines` CRLFs before the request line are skipped (RFC 9112 §2.2:
/// a server SHOULD ignore at least one); more is 400, so the skipping stays bounded.
/// The loop is `HeadParseLoop`; what is specific to requests is `RequestHeadKind`.
public struct RequestHeadParser: Sendable {
    /// Bound on ignored CRLFs before the request line.
    public static let maxLeadingEmptyLines = 8

    public let limits: HTTPLimits
    private var loop = HeadParseLoop<RequestHeadKind>()

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    public mutating func reset() {
        loop.reset()
    }

    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> HeadParseResult<RequestHead> {
        loop.parse(buffer, limits: limits, context: ())
    }
}
