import Testing

/// Missing/empty sections, duplicates and cross-references, each with its exact message.
@Suite struct StructureErrorTests {
    typealias F = Fixture

    static func listen(_ addresses: String, admin: String? = nil) -> String {
        var toml = "[proxy]\nlisten = \(addresses)\n" + F.webPool + F.defaultRoute
        if let admin { toml += "[admin]\nlisten = \"\(admin)\"\n" }
        return toml
    }

    static func servers(_ list: String) -> String {
        F.proxy + "[pools.web]\nkind = \"sync\"\nservers = \(list)\n" + F.defaultRoute
    }

    static func routes(_ tables: String) -> String {
        F.proxy + F.webPool + "[pools.api]\nkind = \"async\"\nservers = [{ address = \"127.0.0.1:8002\" }]\n" + tables
    }

    static let listenCases: [ErrorCase] = [
        ErrorCase("server behind our wildcard listener",
                  "[proxy]\nlisten = [\"0.0.0.0:8080\"]\n[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8080\" }]\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.servers[0].address: "127.0.0.1:8080" is Paddock's own listener (proxy.listen[0]); requests would loop back into the proxy"#),
        ErrorCase("server at our own listener", F.proxy + "[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8080\" }]\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.servers[0].address: "127.0.0.1:8080" is Paddock's own listener (proxy.listen[0]); requests would loop back into the proxy"#),
        ErrorCase("proxy section missing", F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy: missing required section; add [proxy] with listen = ["127.0.0.1:8080"]"#),
        ErrorCase("listen missing", "[proxy]\ntrust_forwarded_for = true\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: proxy.listen: missing required key; expected one or more listen addresses, e.g. listen = ["127.0.0.1:8080"]"#),
        ErrorCase("listen empty", listen("[]"),
                  #"paddock.toml: proxy.listen: empty; expected one or more listen addresses, e.g. listen = ["127.0.0.1:8080"]"#),
        ErrorCase("same listener twice", listen(#"["127.0.0.1:8080", "[::1]:8080", "127.0.0.1:8080"]"#),
                  #"paddock.toml: proxy.listen[2]: "127.0.0.1:8080" is listed twice (also at proxy.listen[0])"#),
        ErrorCase("localhost is 127.0.0.1", listen(#"["127.0.0.1:8080", "localhost:8080"]"#),
                  #"paddock.toml: proxy.listen[1]: "127.0.0.1:8080" is listed twice (also at proxy.listen[0])"#),
        ErrorCase("same unix listener twice", listen(#"["unix:/run/p.sock", "unix:/run/p.sock"]"#),
                  #"paddock.toml: proxy.listen[1]: "unix:/run/p.sock" is listed twice (also at proxy.listen[0])"#),
        ErrorCase("wildcard overlap", listen(#"["[::]:8080", "[::1]:8080"]"#),
                  #"paddock.toml: proxy.listen[1]: "[::1]:8080" overlaps "[::]:8080" (proxy.listen[0]); they cannot both be bound"#),
        ErrorCase("admin equals proxy listener", listen(#"["127.0.0.1:8080", "127.0.0.1:8081"]"#, admin: "127.0.0.1:8081"),
                  #"paddock.toml: admin.listen: "127.0.0.1:8081" is also a proxy listener (proxy.listen[1]); the admin endpoint needs its own address"#),
        ErrorCase("admin overlaps wildcard proxy listener", listen(#""0.0.0.0:8080""#, admin: "127.0.0.1:8080"),
                  #"paddock.toml: admin.listen: "127.0.0.1:8080" overlaps "0.0.0.0:8080" (proxy.listen); they cannot both be bound"#),
    ]

    static let poolCases: [ErrorCase] = [
        ErrorCase("no pools", F.proxy + F.defaultRoute,
                  #"paddock.toml: pools: no pools defined; add one, e.g. [pools.web] with kind = "sync" and servers = [{ address = "127.0.0.1:8000" }]"#,
                  #"paddock.toml: routes[0].pool: "web" is not a defined pool; no pools are defined"#),
        ErrorCase("empty pools table", F.proxy + "[pools]\n" + F.defaultRoute,
                  #"paddock.toml: pools: no pools defined; add one, e.g. [pools.web] with kind = "sync" and servers = [{ address = "127.0.0.1:8000" }]"#,
                  #"paddock.toml: routes[0].pool: "web" is not a defined pool; no pools are defined"#),
        ErrorCase("servers missing", F.proxy + "[pools.web]\nkind = \"sync\"\n" + F.defaultRoute,
                  #"paddock.toml: pools.web.servers: missing required key; expected one or more servers, e.g. servers = [{ address = "127.0.0.1:8000" }]"#),
        ErrorCase("servers empty", servers("[]"),
                  #"paddock.toml: pools.web.servers: empty; expected one or more servers, e.g. servers = [{ address = "127.0.0.1:8000" }]"#),
        ErrorCase("duplicate server", servers(#"[{ address = "127.0.0.1:8001" }, { address = "unix:/run/a.sock" }, { address = "localhost:8001", workers = 2 }]"#),
                  #"paddock.toml: pools.web.servers[2].address: "127.0.0.1:8001" is listed twice in pool "web" (also at pools.web.servers[0])"#),
        ErrorCase("workers zero", servers(#"[{ address = "127.0.0.1:8001", workers = 0 }]"#),
                  "paddock.toml: pools.web.servers[0].workers: 0 is out of range; expected 1 to 10000"),
        ErrorCase("workers too many", servers(#"[{ address = "127.0.0.1:8001", workers = 10001 }]"#),
                  "paddock.toml: pools.web.servers[0].workers: 10001 is out of range; expected 1 to 10000"),
        ErrorCase("weight zero", servers(#"[{ address = "127.0.0.1:8001", weight = 0 }]"#),
                  "paddock.toml: pools.web.servers[0].weight: 0 is out of range; expected 1 to 1000"),
        ErrorCase("weight too big", servers(#"[{ address = "127.0.0.1:8001", weight = 1001 }]"#),
                  "paddock.toml: pools.web.servers[0].weight: 1001 is out of range; expected 1 to 1000"),
        ErrorCase("invalid pool name", F.proxy + F.webPool + "[pools.\"my pool\"]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8002\" }]\n" + F.defaultRoute,
                  #"paddock.toml: pools."my pool": "my pool" is not a valid pool name; use only letters, digits, "_" and "-""#),
        ErrorCase("non-ASCII pool name", F.proxy + F.webPool + "[pools.\"wéb\"]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8002\" }]\n" + F.defaultRoute,
                  #"paddock.toml: pools."wéb": "wéb" is not a valid pool name; use only letters, digits, "_" and "-""#),
    ]

    static let routeCases: [ErrorCase] = [
        ErrorCase("no routes", F.proxy + F.webPool,
                  #"paddock.toml: routes: no routes defined; add a default route: [[routes]] pool = "web""#),
        ErrorCase("empty routes array", "routes = []\n" + F.proxy + F.webPool,
                  #"paddock.toml: routes: no routes defined; add a default route: [[routes]] pool = "web""#),
        ErrorCase("unknown pool with suggestion", routes("[[routes]]\npool = \"web\"\n[[routes]]\npath_prefix = \"/x/\"\npool = \"wbe\"\n"),
                  #"paddock.toml: routes[1].pool: "wbe" is not a defined pool; defined pools: api, web (did you mean "web"?)"#),
        ErrorCase("unknown pool without suggestion", routes("[[routes]]\npool = \"backend\"\n"),
                  #"paddock.toml: routes[0].pool: "backend" is not a defined pool; defined pools: api, web"#),
        ErrorCase("route pool missing", routes("[[routes]]\nhost = \"a.example\"\n"),
                  "paddock.toml: routes[0].pool: missing required key; expected one of the defined pools: api, web, or static = { root = \"/path\" }"),
        ErrorCase("prefix without slash", routes("[[routes]]\npath_prefix = \"api/\"\npool = \"api\"\n"),
                  #"paddock.toml: routes[0].path_prefix: "api/" does not start with "/"; expected a path such as "/api/""#),
        ErrorCase("prefix with space", routes("[[routes]]\npath_prefix = \"/a b\"\npool = \"api\"\n"),
                  ##"paddock.toml: routes[0].path_prefix: "/a b" is not a valid path prefix; it must not contain spaces, control characters, "?" or "#""##),
        ErrorCase("invalid host", routes("[[routes]]\nhost = \"api example.com\"\npool = \"api\"\n"),
                  #"paddock.toml: routes[0].host: "api example.com" is not a valid host name; expected a name such as "api.example.com", optionally with ":port""#),
        ErrorCase("duplicate route", routes("[[routes]]\nhost = \"a.example\"\npath_prefix = \"/api/\"\npool = \"api\"\n[[routes]]\npool = \"web\"\n[[routes]]\nhost = \"A.Example:8080\"\npath_prefix = \"/api/\"\npool = \"web\"\n"),
                  #"paddock.toml: routes[2]: same host and path_prefix as routes[0] (host "a.example", path_prefix "/api/"); this route could never match"#),
        ErrorCase("duplicate default route", routes("[[routes]]\npool = \"web\"\n[[routes]]\npool = \"api\"\n"),
                  "paddock.toml: routes[1]: same host and path_prefix as routes[0] (any host, any path); this route could never match"),
    ]

    @Test(arguments: listenCases) func listeners(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: poolCases) func pools(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }

    @Test(arguments: routeCases) func routes(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
