/// Values used when an optional key is absent. The single place defaults are defined.
public enum ConfigDefaults {
    public static let clientTimeoutMilliseconds: Int64 = 60_000
    public static let maxBodyBytes: UInt64 = 100_000_000
    public static let trustForwardedFor = false
    public static let dropUnderscoreHeaders = true
    public static let balance = BalanceStrategy.leastOutstanding
    public static let connectTimeoutMilliseconds: Int64 = 1_000
    public static let responseTimeoutMilliseconds: Int64 = 60_000
    public static let queueTimeoutMilliseconds: Int64 = 30_000
    public static let maxQueue = 1024
    public static let retries = 2
    public static let tunnelIdleMilliseconds: Int64 = 3_600_000
    public static let bufferMemoryBytes: UInt64 = 1 << 20
    public static let tempDirectory = "/tmp"
    public static let maxTempFileBytes: UInt64 = 1 << 30
    public static let healthPath = "/health"
    public static let healthHost = "localhost"
    public static let healthIntervalMilliseconds: Int64 = 2_000
    public static let healthTimeoutMilliseconds: Int64 = 1_000
    public static let healthRise = 2
    public static let healthFall = 2
    public static let healthExpectStatus = StatusMatcher("2xx")!
    public static let workers = 1
    public static let weight = 1
}
