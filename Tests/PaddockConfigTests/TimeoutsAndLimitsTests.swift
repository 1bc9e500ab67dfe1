import Testing
@testable import PaddockConfig

/// `[timeouts]`, a pool's `timeouts = { ... }` over it, and `[limits]`.
@Suite struct TimeoutsAndLimitsTests {
    typealias F = Fixture

    @Test func aPoolOverridesOnlyWhatItSets() throws {
        let config = try ConfigLoader.parse(F.proxy + """
            [timeouts]
            connect = "300ms"
            upstream_idle = "5m"
            [pools.web]
            kind = "sync"
            servers = [{ address = "127.0.0.1:8001" }]
            [pools.stream]
            kind = "async"
            servers = [{ address = "127.0.0.1:8002" }]
            timeouts = { upstream_idle = "1h", tunnel_idle = "10m" }

            """ + F.defaultRoute, file: F.file)
        #expect(config.pool(named: "web")?.timeouts == UpstreamTimeouts(connectMilliseconds: 300, idleMilliseconds: 300_000))
        #expect(config.pool(named: "stream")?.timeouts == UpstreamTimeouts(connectMilliseconds: 300, idleMilliseconds: 3_600_000,
                                                                          tunnelIdleMilliseconds: 600_000))
    }

    @Test func limitsAcceptSizesWithUnits() throws {
        let config = try ConfigLoader.parse(F.proxy + """
            [limits]
            max_header_bytes = "16KiB"
            max_headers = 50
            max_uri_bytes = 2048
            max_body_bytes = "1GB"
            max_connections = 20000

            """ + F.webPool + F.defaultRoute, file: F.file)
        #expect(config.limits == LimitsConfig(maxHeaderBytes: 16_384, maxHeaders: 50, maxURIBytes: 2048,
                                              maxBodyBytes: 1_000_000_000, maxConnections: 20_000))
    }

    @Test func accessLogTargetsAndFormats() throws {
        let config = try ConfigLoader.parse(F.proxy + "access_log = \"/var/log/paddock/access.log\"\naccess_log_format = \"json\"\n"
                                            + F.webPool + F.defaultRoute, file: F.file)
        #expect(config.proxy.accessLog == AccessLogConfig(target: .file("/var/log/paddock/access.log"), format: .json))
        let off = try ConfigLoader.parse(F.proxy + "access_log = \"off\"\n" + F.webPool + F.defaultRoute, file: F.file)
        #expect(off.proxy.accessLog.target == .off)
        let defaults = try ConfigLoader.parse(F.minimal, file: F.file)
        #expect(defaults.proxy.accessLog == AccessLogConfig(target: .standardError, format: .combined))
    }

    @Test func aSmallerHeadAloneAlsoBoundsTheRequestLine() throws {
        let config = try ConfigLoader.parse(F.proxy + "[limits]\nmax_header_bytes = 1024\n" + F.webPool + F.defaultRoute, file: F.file)
        #expect(config.limits.maxURIBytes == 1024)
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase("relative access log", F.proxy + "access_log = \"logs/access.log\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.access_log: "logs/access.log" is not a log target; expected "stderr", "off" or an absolute path such as "/var/log/paddock/access.log""#),
        ErrorCase("unknown log format", F.proxy + "access_log_format = \"jsn\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.access_log_format: "jsn" is not a log format; expected "json" or "combined" (did you mean "json"?)"#),
        ErrorCase("uri longer than the head", F.proxy + "[limits]\nmax_header_bytes = 1024\nmax_uri_bytes = 2048\n" + F.webPool + F.defaultRoute,
                  "paddock.toml: limits.max_uri_bytes: must not be larger than max_header_bytes (1024), which bounds the whole head"),
        ErrorCase("no connections", F.proxy + "[limits]\nmax_connections = 0\n" + F.webPool + F.defaultRoute,
                  "paddock.toml: limits.max_connections: 0 is out of range; expected 1 to 10000000"),
        ErrorCase("tiny head", F.proxy + "[limits]\nmax_header_bytes = \"100B\"\n" + F.webPool + F.defaultRoute,
                  "paddock.toml: limits.max_header_bytes: 100 bytes is out of range; expected 256 to 131072"),
        ErrorCase("zero shutdown", F.proxy + "[timeouts]\nshutdown = \"0s\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: timeouts.shutdown: "0s" is too short; expected at least 1ms"#),
        ErrorCase("pool timeouts not a table", F.proxy + F.webPool + "timeouts = \"5s\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.timeouts: expected a table such as { upstream_response = "30s" }, got "5s" (a string)"#),
        ErrorCase("negative slow start", F.proxy + F.webPool + "slow_start = \"-1s\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.slow_start: "-1s" is not a valid duration (negative); expected a number followed by ms, s, m or h, e.g. "250ms", "2s" or "1.5m""#),
    ]

    @Test(arguments: errorCases) func errors(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
