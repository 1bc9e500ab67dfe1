/// The `[limits]` table: sizes and counts a client may not exceed.
///
/// Invariants (after validation): every value is at least 1; `maxHeaderBytes` is at least
/// `maxURIBytes` (the request line is part of the head).
public struct LimitsConfig: Sendable, Equatable {
    /// The whole request head: request line and every header line (431). At most
    /// `headerBytesCeiling`, the input buffer of a client connection, which a head must fit.
    public var maxHeaderBytes: Int
    public static let headerBytesCeiling = 128 << 10
    /// How many header lines one request may have (431).
    public var maxHeaders: Int
    /// The request line: method, target and version (414). gunicorn's own limit is 4094.
    public var maxURIBytes: Int
    /// A request body larger than this is answered with 413.
    public var maxBodyBytes: UInt64
    /// Open client connections; at this many, Paddock stops accepting (new clients wait in the
    /// kernel's backlog) until one closes. The admin listener is never counted or refused.
    public var maxConnections: Int

    public init(
        maxHeaderBytes: Int = ConfigDefaults.maxHeaderBytes,
        maxHeaders: Int = ConfigDefaults.maxHeaders,
        maxURIBytes: Int = ConfigDefaults.maxURIBytes,
        maxBodyBytes: UInt64 = ConfigDefaults.maxBodyBytes,
        maxConnections: Int = ConfigDefaults.maxConnections
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaders = maxHeaders
        self.maxURIBytes = maxURIBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
    }
}
