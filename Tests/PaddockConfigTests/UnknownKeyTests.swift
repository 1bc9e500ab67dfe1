import Testing

@Suite struct UnknownKeyTests {
    typealias F = Fixture

    static let cases: [ErrorCase] = [
        ErrorCase("root key with suggestion", F.minimal + "[pool.api]\nkind = \"sync\"\n",
                  #"paddock.toml: pool: unknown key (did you mean "pools"?)"#),
        ErrorCase("proxy key without suggestion", #"[proxy]\#nlisten = ["127.0.0.1:8080"]\#ncolour = 1\#n"# + F.webPool + F.defaultRoute,
                  "paddock.toml: proxy.colour: unknown key; known keys: listen, client_timeout, max_body_bytes, trust_forwarded_for, drop_underscore_headers, buffer_memory, temp_dir, max_temp_file"),
        ErrorCase("proxy key with suggestion", #"[proxy]\#nlisten = ["127.0.0.1:8080"]\#nclient_timout = "1s"\#n"# + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.client_timout: unknown key (did you mean "client_timeout"?)"#),
        ErrorCase("admin key", F.minimal + "[admin]\nlisten = \"127.0.0.1:9901\"\nlsten = 1\n",
                  #"paddock.toml: admin.lsten: unknown key (did you mean "listen"?)"#),
        ErrorCase("pool key", F.proxy + F.webPool + "balnce = \"round_robin\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.balnce: unknown key (did you mean "balance"?)"#),
        ErrorCase("server key", F.proxy + "[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8001\", wieght = 2 }]\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.servers[0].wieght: unknown key (did you mean "weight"?)"#),
        ErrorCase("route key", F.proxy + F.webPool + "[[routes]]\npool = \"web\"\nhots = \"a.example\"\n",
                  #"paddock.toml: routes[0].hots: unknown key (did you mean "host"?)"#),
        ErrorCase("route key without suggestion", F.proxy + F.webPool + "[[routes]]\npool = \"web\"\nmethod = \"GET\"\n",
                  "paddock.toml: routes[0].method: unknown key; known keys: host, path_prefix, pool"),
        ErrorCase("quoted odd key", F.minimal + "[proxy.\"a b\"]\n",
                  #"paddock.toml: proxy."a b": unknown key; known keys: listen, client_timeout, max_body_bytes, trust_forwarded_for, drop_underscore_headers, buffer_memory, temp_dir, max_temp_file"#),
    ]

    @Test(arguments: cases) func reportsUnknownKeys(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
