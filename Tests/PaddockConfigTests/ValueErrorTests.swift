import Testing

/// Wrong types, bad addresses, durations, sizes and enum values, each with its exact message.
@Suite struct ValueErrorTests {
    typealias F = Fixture

    static func proxy(_ extra: String) -> String {
        "[proxy]\nlisten = [\"127.0.0.1:8080\"]\n\(extra)\n" + F.webPool + F.defaultRoute
    }

    static func timeouts(_ extra: String) -> String {
        F.proxy + "[timeouts]\n\(extra)\n" + F.webPool + F.defaultRoute
    }

    static func limits(_ extra: String) -> String {
        F.proxy + "[limits]\n\(extra)\n" + F.webPool + F.defaultRoute
    }

    static func pool(_ body: String) -> String {
        F.proxy + "[pools.web]\n\(body)\n" + F.defaultRoute
    }

    static func server(_ fields: String) -> String {
        pool("kind = \"sync\"\nservers = [{ \(fields) }]")
    }

    static let addressForms = #"expected "IPv4:port", "[IPv6]:port", "localhost:port" or "unix:/absolute/path""#
    static let durationUsage = #"expected a number followed by ms, s, m or h, e.g. "250ms", "2s" or "1.5m""#
    static let sizeUsage = #"expected a number of bytes, optionally followed by B, KB, MB, GB, KiB, MiB or GiB, e.g. "100MB""#

    static let typeCases: [ErrorCase] = [
        ErrorCase("workers as string", server(#"address = "127.0.0.1:8001", workers = "4""#),
                  #"paddock.toml: pools.web.servers[0].workers: expected an integer, got "4" (a string)"#),
        ErrorCase("bool as string", proxy(#"trust_forwarded_for = "no""#),
                  #"paddock.toml: proxy.trust_forwarded_for: expected true or false, got "no" (a string)"#),
        ErrorCase("kind as integer", pool("kind = 1\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.kind: expected "sync" (gunicorn/WSGI) or "async" (uvicorn/ASGI), got 1 (an integer)"#),
        ErrorCase("proxy as string", "proxy = \"x\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy: expected a table, got "x" (a string)"#),
        ErrorCase("pool as integer", F.proxy + "[pools]\nweb = 3\n" + F.defaultRoute,
                  "paddock.toml: pools.web: expected a table, got 3 (an integer)"),
        ErrorCase("pools as array", "pools = [1]\n" + F.proxy + F.defaultRoute,
                  #"paddock.toml: pools: expected a table of pools such as [pools.web], got an array"#,
                  #"paddock.toml: routes[0].pool: "web" is not a defined pool; no pools are defined"#),
        ErrorCase("routes as string", "routes = \"web\"\n" + F.proxy + F.webPool,
                  #"paddock.toml: routes: expected an array of route tables ([[routes]]), got "web" (a string)"#),
        ErrorCase("route as string", "routes = [\"web\"]\n" + F.proxy + F.webPool,
                  #"paddock.toml: routes[0]: expected a table, got "web" (a string)"#),
        ErrorCase("listen as integer", "[proxy]\nlisten = 8080\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.listen: expected an address string such as "127.0.0.1:8000" or "unix:/run/app.sock", got 8080 (an integer)"#),
        ErrorCase("listen element as integer", "[proxy]\nlisten = [\"127.0.0.1:8080\", 8081]\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.listen[1]: expected an address string such as "127.0.0.1:8000" or "unix:/run/app.sock", got 8081 (an integer)"#),
        ErrorCase("servers as string", pool("kind = \"sync\"\nservers = \"127.0.0.1:8001\""),
                  #"paddock.toml: pools.web.servers: expected an array of one or more servers, got "127.0.0.1:8001" (a string)"#),
        ErrorCase("server as string", pool("kind = \"sync\"\nservers = [\"127.0.0.1:8001\"]"),
                  #"paddock.toml: pools.web.servers[0]: expected a server table such as { address = "127.0.0.1:8000" }, got "127.0.0.1:8001" (a string)"#),
        ErrorCase("size as float", limits("max_body_bytes = 1.5"),
                  #"paddock.toml: limits.max_body_bytes: expected a size such as 1048576 or "100MB", got 1.5 (a float)"#),
        ErrorCase("duration as date", timeouts("client_idle = 1979-05-27"),
                  #"paddock.toml: timeouts.client_idle: expected a duration such as "2s", got 1979-05-27 (a date/time)"#),
        ErrorCase("host as array", F.proxy + F.webPool + "[[routes]]\nhost = [\"a\"]\npool = \"web\"\n",
                  "paddock.toml: routes[0].host: expected a host name string, got an array"),
    ]

    static let addressCases: [ErrorCase] = [
        ErrorCase("listen without port", "[proxy]\nlisten = [\"127.0.0.1\"]\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.listen[0]: "127.0.0.1" is not a valid address (missing ":port"); \#(addressForms)"#),
        ErrorCase("server port out of range", server(#"address = "127.0.0.1:99999""#),
                  #"paddock.toml: pools.web.servers[0].address: "127.0.0.1:99999" is not a valid address (port 99999 is out of range 1-65535); \#(addressForms)"#),
        ErrorCase("server host name", server(#"address = "app.internal:8000""#),
                  #"paddock.toml: pools.web.servers[0].address: "app.internal:8000" is not a valid address (host names other than "localhost" are not supported; use an IP address); \#(addressForms)"#),
        ErrorCase("admin relative unix path", F.minimal + "[admin]\nlisten = \"unix:run/admin.sock\"\n",
                  #"paddock.toml: admin.listen: "unix:run/admin.sock" is not a valid address (unix socket path must be absolute); \#(addressForms)"#),
        ErrorCase("admin missing listen", F.minimal + "[admin]\n",
                  #"paddock.toml: admin.listen: missing required key; expected an address string such as "127.0.0.1:8000" or "unix:/run/app.sock""#),
        ErrorCase("server missing address", server("workers = 2"),
                  #"paddock.toml: pools.web.servers[0].address: missing required key; expected an address string such as "127.0.0.1:8000" or "unix:/run/app.sock""#),
    ]

    static let quantityCases: [ErrorCase] = [
        ErrorCase("duration without unit", timeouts(#"client_idle = "5""#),
                  #"paddock.toml: timeouts.client_idle: "5" is not a valid duration (missing unit); \#(durationUsage)"#),
        ErrorCase("duration as bare integer", timeouts("client_idle = 5"),
                  #"paddock.toml: timeouts.client_idle: 5 (an integer) is not a valid duration (missing unit); \#(durationUsage)"#),
        ErrorCase("negative duration", pool("kind = \"sync\"\ntimeouts = { connect = \"-1s\" }\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.timeouts.connect: "-1s" is not a valid duration (negative); \#(durationUsage)"#),
        ErrorCase("unknown duration unit", pool("kind = \"sync\"\ntimeouts = { upstream_response = \"5d\" }\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.timeouts.upstream_response: "5d" is not a valid duration (unknown unit "d"); \#(durationUsage)"#),
        ErrorCase("duration unit case", timeouts(#"client_idle = "5S""#),
                  #"paddock.toml: timeouts.client_idle: "5S" is not a valid duration (unknown unit "S", did you mean "s"?); \#(durationUsage)"#),
        ErrorCase("zero timeout", timeouts(#"client_idle = "0s""#),
                  #"paddock.toml: timeouts.client_idle: "0s" is too short; expected at least 1ms"#),
        ErrorCase("sub-millisecond duration", timeouts(#"client_idle = "0.5ms""#),
                  #"paddock.toml: timeouts.client_idle: "0.5ms" is not a valid duration (not a whole number of milliseconds); \#(durationUsage)"#),
        ErrorCase("size unit case", limits(#"max_body_bytes = "10mb""#),
                  #"paddock.toml: limits.max_body_bytes: "10mb" is not a valid size (unknown unit "mb", did you mean "MB"?); \#(sizeUsage)"#),
        ErrorCase("negative size integer", limits("max_body_bytes = -5"),
                  #"paddock.toml: limits.max_body_bytes: -5 is not a valid size (negative); \#(sizeUsage)"#),
        ErrorCase("fractional bytes", limits(#"max_body_bytes = "1.5B""#),
                  #"paddock.toml: limits.max_body_bytes: "1.5B" is not a valid size (not a whole number of bytes); \#(sizeUsage)"#),
        ErrorCase("size without number", limits(#"max_body_bytes = "MB""#),
                  #"paddock.toml: limits.max_body_bytes: "MB" is not a valid size (no number); \#(sizeUsage)"#),
    ]

    static let enumCases: [ErrorCase] = [
        ErrorCase("kind typo", pool("kind = \"asynk\"\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.kind: "asynk" is not a pool kind; expected "sync" or "async" (did you mean "async"?)"#),
        ErrorCase("kind unrelated", pool("kind = \"fast\"\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.kind: "fast" is not a pool kind; expected "sync" or "async""#),
        ErrorCase("kind case", pool("kind = \"SYNC\"\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.kind: "SYNC" is not a pool kind; expected "sync" or "async" (did you mean "sync"?)"#),
        ErrorCase("balance typo", pool("kind = \"sync\"\nbalance = \"round-robin\"\nservers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.balance: "round-robin" is not a balance strategy; expected "least_outstanding" or "round_robin" (did you mean "round_robin"?)"#),
        ErrorCase("kind missing", pool("servers = [{ address = \"127.0.0.1:8001\" }]"),
                  #"paddock.toml: pools.web.kind: missing required key; expected "sync" (gunicorn/WSGI) or "async" (uvicorn/ASGI)"#),
    ]

    @Test(arguments: typeCases) func wrongTypes(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: addressCases) func badAddresses(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: quantityCases) func badDurationsAndSizes(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: enumCases) func badEnumValues(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
