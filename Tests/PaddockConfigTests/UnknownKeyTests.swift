import Testing

@Suite struct UnknownKeyTests {
    typealias F = Fixture

    static let cases: [ErrorCase] = [
        ErrorCase("root key with suggestion", F.minimal + "[pool.api]\nkind = \"sync\"\n",
                  #"paddock.toml: pool: unknown key (did you mean "pools"?)"#),
        ErrorCase("proxy key without suggestion", #"[proxy]\#nlisten = ["127.0.0.1:8080"]\#ncolour = 1\#n"# + F.webPool + F.defaultRoute,
                  "paddock.toml: proxy.colour: unknown key; known keys: listen, trust_forwarded_for, drop_underscore_headers, buffer_memory, temp_dir, max_temp_file, access_log, access_log_format"),
        ErrorCase("proxy key with suggestion", #"[proxy]\#nlisten = ["127.0.0.1:8080"]\#ntrust_forwarded_fr = true\#n"# + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.trust_forwarded_fr: unknown key (did you mean "trust_forwarded_for"?)"#),
        ErrorCase("admin key", F.minimal + "[admin]\nlisten = \"127.0.0.1:9901\"\nlsten = 1\n",
                  #"paddock.toml: admin.lsten: unknown key (did you mean "listen"?)"#),
        ErrorCase("pool key", F.proxy + F.webPool + "balnce = \"round_robin\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.balnce: unknown key (did you mean "balance"?)"#),
        ErrorCase("server key", F.proxy + "[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8001\", wieght = 2 }]\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.servers[0].wieght: unknown key (did you mean "weight"?)"#),
        ErrorCase("route key", F.proxy + F.webPool + "[[routes]]\npool = \"web\"\nhots = \"a.example\"\n",
                  #"paddock.toml: routes[0].hots: unknown key (did you mean "host"?)"#),
        ErrorCase("route key without suggestion", F.proxy + F.webPool + "[[routes]]\npool = \"web\"\nmethod = \"GET\"\n",
                  "paddock.toml: routes[0].method: unknown key; known keys: host, path_prefix, pool, static"),
        ErrorCase("quoted odd key", F.minimal + "[proxy.\"a b\"]\n",
                  #"paddock.toml: proxy."a b": unknown key; known keys: listen, trust_forwarded_for, drop_underscore_headers, buffer_memory, temp_dir, max_temp_file, access_log, access_log_format"#),
        ErrorCase("timeouts key", F.minimal + "[timeouts]\nclient_heder = \"5s\"\n",
                  #"paddock.toml: timeouts.client_heder: unknown key (did you mean "client_header"?)"#),
        ErrorCase("limits key", F.minimal + "[limits]\nmax_conections = 5\n",
                  #"paddock.toml: limits.max_conections: unknown key (did you mean "max_connections"?)"#),
    ]

    /// Keys that earlier versions had: the message says what to write now.
    static let replacedCases: [ErrorCase] = [
        ErrorCase("client_timeout", F.proxy + "client_timeout = \"30s\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.client_timeout: no longer supported; the [timeouts] table sets client_idle, client_header, client_body and client_send apart, e.g. [timeouts] client_idle = "60s""#),
        ErrorCase("max_body_bytes", F.proxy + "max_body_bytes = 10\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.max_body_bytes: no longer supported; it moved to the [limits] table: [limits] max_body_bytes = "100MB""#),
        ErrorCase("connect_timeout", F.proxy + F.webPool + "connect_timeout = \"1s\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.connect_timeout: no longer supported; write timeouts = { connect = "1s" } in the pool, or connect in [timeouts] for every pool"#),
        ErrorCase("response_timeout", F.proxy + F.webPool + "response_timeout = \"1s\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.response_timeout: no longer supported; write timeouts = { upstream_response = "60s" } in the pool, or upstream_response in [timeouts] for every pool"#),
        ErrorCase("tunnel_idle", F.proxy + F.webPool + "tunnel_idle = \"1s\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.tunnel_idle: no longer supported; write timeouts = { tunnel_idle = "1h" } in the pool, or tunnel_idle in [timeouts] for every pool"#),
        ErrorCase("client timeout in a pool", F.proxy + F.webPool + "timeouts = { client_header = \"1s\" }\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.timeouts.client_header: client_header is not per pool; set it in [timeouts]"#),
    ]

    @Test(arguments: replacedCases) func replacedKeysSayWhatToWrite(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: cases) func reportsUnknownKeys(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
