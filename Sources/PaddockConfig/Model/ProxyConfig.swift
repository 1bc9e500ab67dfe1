/// Settings for the downstream (client-facing) side.
///
/// Invariants (after validation): `listen` is non-empty with no duplicate or overlapping
/// addresses; `clientTimeoutMilliseconds` is greater than zero.
public struct ProxyConfig: Sendable, Equatable {
    public var listen: [SocketAddressSpec]
    /// Idle keep-alive and slow-header timeout for clients.
    public var clientTimeoutMilliseconds: Int64
    /// Request bodies larger than this are answered with 413.
    public var maxBodyBytes: UInt64
    /// Append to a client-sent X-Forwarded-For instead of replacing it.
    public var trustForwardedFor: Bool
    /// Drop request header names containing "_" (they are ambiguous once WSGI maps "-" to "_").
    public var dropUnderscoreHeaders: Bool

    public init(
        listen: [SocketAddressSpec],
        clientTimeoutMilliseconds: Int64 = ConfigDefaults.clientTimeoutMilliseconds,
        maxBodyBytes: UInt64 = ConfigDefaults.maxBodyBytes,
        trustForwardedFor: Bool = ConfigDefaults.trustForwardedFor,
        dropUnderscoreHeaders: Bool = ConfigDefaults.dropUnderscoreHeaders
    ) {
        self.listen = listen
        self.clientTimeoutMilliseconds = clientTimeoutMilliseconds
        self.maxBodyBytes = maxBodyBytes
        self.trustForwardedFor = trustForwardedFor
        self.dropUnderscoreHeaders = dropUnderscoreHeaders
    }
}
