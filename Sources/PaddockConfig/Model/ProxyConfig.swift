/// Settings for the downstream (client-facing) side.
///
/// Invariants (after validation): `listen` is non-empty with no duplicate or overlapping
/// addresses.
public struct ProxyConfig: Sendable, Equatable {
    public var listen: [SocketAddressSpec]
    /// Append to a client-sent X-Forwarded-For instead of replacing it.
    public var trustForwardedFor: Bool
    /// Drop request header names containing "_" (they are ambiguous once WSGI maps "-" to "_").
    public var dropUnderscoreHeaders: Bool
    /// A buffered request or response keeps up to this many bytes in memory, the rest in a temp file.
    public var bufferMemoryBytes: UInt64
    /// Where buffered bodies spill; files are unlinked as soon as they are created.
    public var tempDirectory: String
    /// The most a buffered response may hold unsent; beyond it the server is paced to the client.
    public var maxTempFileBytes: UInt64
    public var accessLog: AccessLogConfig

    public init(
        listen: [SocketAddressSpec],
        trustForwardedFor: Bool = ConfigDefaults.trustForwardedFor,
        dropUnderscoreHeaders: Bool = ConfigDefaults.dropUnderscoreHeaders,
        bufferMemoryBytes: UInt64 = ConfigDefaults.bufferMemoryBytes,
        tempDirectory: String = ConfigDefaults.tempDirectory,
        maxTempFileBytes: UInt64 = ConfigDefaults.maxTempFileBytes,
        accessLog: AccessLogConfig = AccessLogConfig()
    ) {
        self.listen = listen
        self.trustForwardedFor = trustForwardedFor
        self.dropUnderscoreHeaders = dropUnderscoreHeaders
        self.bufferMemoryBytes = bufferMemoryBytes
        self.tempDirectory = tempDirectory
        self.maxTempFileBytes = maxTempFileBytes
        self.accessLog = accessLog
    }
}
