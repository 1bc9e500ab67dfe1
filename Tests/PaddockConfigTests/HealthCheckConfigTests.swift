import Testing
@testable import PaddockConfig

/// `health = { ... }` in a pool: defaults, every key, and each error with its exact message.
@Suite struct HealthCheckConfigTests {
    static func pool(health: String) -> String {
        Fixture.proxy + "[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:8001\" }]\nhealth = \(health)\n"
            + Fixture.defaultRoute
    }

    private func parse(_ toml: String) throws -> HealthCheckConfig? {
        try ConfigLoader.parse(toml, file: Fixture.file).pools[0].health
    }

    @Test func withoutATableThereAreNoActiveChecks() throws {
        #expect(try parse(Fixture.minimal) == nil)
    }

    @Test func anEmptyTableTakesTheDocumentedDefaults() throws {
        let check = try #require(try parse(Self.pool(health: "{}")))
        #expect(check == HealthCheckConfig(path: "/health", host: "localhost", intervalMilliseconds: 2_000,
                                           timeoutMilliseconds: 1_000, rise: 2, fall: 2, expectStatus: StatusMatcher("2xx")!))
    }

    @Test func everyKeyIsRead() throws {
        let check = try #require(try parse(Self.pool(health: #"""
            { path = "/healthz?full=1", host = "app.internal:8000", interval = "5s", timeout = "500ms", rise = 3, fall = 1, expect_status = "200,204,3xx" }
            """#)))
        #expect(check.path == "/healthz?full=1")
        #expect(check.host == "app.internal:8000")
        #expect(check.intervalMilliseconds == 5_000 && check.timeoutMilliseconds == 500)
        #expect(check.rise == 3 && check.fall == 1)
        #expect([200, 204, 301, 399].allSatisfy(check.expectStatus.matches))
        #expect(![201, 400, 500].contains(where: check.expectStatus.matches))
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase("not a table", pool(health: #""/healthz""#),
                  #"paddock.toml: pools.web.health: expected a table such as { path = "/healthz" }, got "/healthz" (a string)"#),
        ErrorCase("unknown key", pool(health: #"{ pth = "/x" }"#),
                  #"paddock.toml: pools.web.health.pth: unknown key (did you mean "path"?)"#),
        ErrorCase("relative path", pool(health: #"{ path = "healthz" }"#),
                  #"paddock.toml: pools.web.health.path: "healthz" is not a request path; expected "/" and then visible ASCII, no spaces"#),
        ErrorCase("path with a space", pool(health: #"{ path = "/a b" }"#),
                  #"paddock.toml: pools.web.health.path: "/a b" is not a request path; expected "/" and then visible ASCII, no spaces"#),
        ErrorCase("host with a slash", pool(health: #"{ host = "http://x" }"#),
                  #"paddock.toml: pools.web.health.host: "http://x" is not a host for the Host header; expected e.g. "localhost" or "app.internal:8000""#),
        ErrorCase("rise zero", pool(health: "{ rise = 0 }"),
                  "paddock.toml: pools.web.health.rise: 0 is out of range; expected 1 to 100"),
        ErrorCase("status class typo", pool(health: #"{ expect_status = "2xxx" }"#),
                  #"paddock.toml: pools.web.health.expect_status: "2xxx" is not a status list; expected codes and classes separated by commas, e.g. "2xx", "200,204" or "2xx,3xx""#),
        ErrorCase("status out of range", pool(health: #"{ expect_status = "600" }"#),
                  #"paddock.toml: pools.web.health.expect_status: "600" is not a status list; expected codes and classes separated by commas, e.g. "2xx", "200,204" or "2xx,3xx""#),
        ErrorCase("timeout over interval", pool(health: #"{ interval = "1s", timeout = "2s" }"#),
                  "paddock.toml: pools.web.health.timeout: must not be longer than interval (1000ms), or checks would overlap"),
    ]

    @Test(arguments: errorCases) func errors(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
