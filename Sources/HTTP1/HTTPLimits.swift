/// Size and count limits applied while parsing. Defaults are at or below gunicorn's.
///
/// Every byte limit excludes the line's terminating CRLF, except `maxHeadBytes`, which
/// bounds the whole head (leading empty lines, start line, fields and the final CRLFs).
/// All limits are enforced as soon as they are exceeded, even while the line is incomplete.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (414 when exceeded). Also bounds skipped leading empty lines.
    public var maxRequestLineBytes: Int = 4094
    /// Most field lines in a head or trailer section, dropped ones included (431).
    public var maxFieldCount: Int = 100
    /// Longest single field line, name and value included (431). Also bounds a response's status line.
    public var maxFieldLineBytes: Int = 8190
    /// Largest whole head (431); also bounds a chunked body's trailer section.
    public var maxHeadBytes: Int = 65536
    /// Longest chunk-size line, extensions included (400).
    public var maxChunkLineBytes: Int = 4096
    /// Drop request fields whose name contains `_`: WSGI maps `-` and `_` to the same
    /// variable, so `X_User` could otherwise impersonate `X-User` set by a trusted hop.
    public var dropUnderscoreFields: Bool = true

    public init() {}

    public init(
        maxRequestLineBytes: Int = 4094,
        maxFieldCount: Int = 100,
        maxFieldLineBytes: Int = 8190,
        maxHeadBytes: Int = 65536,
        maxChunkLineBytes: Int = 4096,
        dropUnderscoreFields: Bool = true
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxFieldCount = maxFieldCount
        self.maxFieldLineBytes = maxFieldLineBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.dropUnderscoreFields = dropUnderscoreFields
    }
}
