/// Values used when an optional key is absent. The single place defaults are defined.
public enum ConfigDefaults {
    // [timeouts]
    public static let clientHeaderMilliseconds: Int64 = 10_000
    public static let clientBodyMilliseconds: Int64 = 60_000
    public static let clientIdleMilliseconds: Int64 = 60_000
    public static let clientSendMilliseconds: Int64 = 60_000
    public static let shutdownMilliseconds: Int64 = 30_000
    public static let connectMilliseconds: Int64 = 1_000
    public static let upstreamResponseMilliseconds: Int64 = 60_000
    public static let upstreamIdleMilliseconds: Int64 = 60_000
    public static let tunnelIdleMilliseconds: Int64 = 3_600_000
    // [limits]
    public static let maxHeaderBytes = 65_536
    public static let maxHeaders = 100
    public static let maxURIBytes = 4_094
    public static let maxBodyBytes: UInt64 = 100_000_000
    public static let maxConnections = 8_192
    // [proxy]
    public static let trustForwardedFor = false
    public static let dropUnderscoreHeaders = true
    public static let bufferMemoryBytes: UInt64 = 1 << 20
    public static let tempDirectory = "/tmp"
    public static let maxTempFileBytes: UInt64 = 1 << 30
    public static let accessLog = AccessLogConfig.Target.standardError
    public static let accessLogFormat = AccessLogConfig.Format.combined
    // [pools.<name>]
    public static let balance = BalanceStrategy.leastOutstanding
    public static let queueTimeoutMilliseconds: Int64 = 30_000
    public static let maxQueue = 1024
    public static let retries = 2
    public static let slowStartMilliseconds: Int64 = 0
    public static let workers = 1
    public static let weight = 1
    // a pool's run = { ... }
    public static let runInstances = 1
    public static let runStopTimeoutMilliseconds: Int64 = 30_000
    public static let runStartTimeoutMilliseconds: Int64 = 60_000
    // [tls]
    public static let tlsMinVersion = TLSConfig.Version.tls12
    public static let tlsRedirectHTTP = false
    public static let tlsHSTS = ""
    // a route's static = { ... }
    public static let staticIndex = ""
    public static let staticMaxAgeSeconds: Int64 = 3_600
    public static let staticImmutablePattern = ""
    public static let staticAllowDotfiles = false
    // a pool's health = { ... }
    public static let healthPath = "/health"
    public static let healthHost = "localhost"
    public static let healthIntervalMilliseconds: Int64 = 2_000
    public static let healthTimeoutMilliseconds: Int64 = 1_000
    public static let healthRise = 2
    public static let healthFall = 2
    public static let healthExpectStatus = StatusMatcher("2xx")!
}
