import Testing
import PaddockConfig

/// Validation keeps going after a problem and reports everything, in a stable order.
@Suite struct MultipleErrorsTests {
    @Test func everyProblemIsReportedOnce() {
        let toml = """
            [proxy]
            listen = ["127.0.0.1:8080", "1.2.3.4:0"]

            [timeouts]
            client_idle = "soon"

            [admin]
            listen = "127.0.0.1:8080"

            [pools.web]
            kind = "sinc"
            balnce = "round_robin"
            servers = [{ address = "127.0.0.1:8001", workers = "4" }, { address = "127.0.0.1:8001" }]

            [pools.api]
            kind = "async"

            [[routes]]
            path_prefix = "api"
            pool = "apii"

            [[routes]]
            pool = "web"
            """
        #expect(Fixture.errors(toml) == [
            #"paddock.toml: proxy.listen[1]: "1.2.3.4:0" is not a valid address (port 0 is out of range 1-65535); expected "IPv4:port", "[IPv6]:port", "localhost:port" or "unix:/absolute/path""#,
            #"paddock.toml: timeouts.client_idle: "soon" is not a valid duration (no number); expected a number followed by ms, s, m or h, e.g. "250ms", "2s" or "1.5m""#,
            #"paddock.toml: admin.listen: "127.0.0.1:8080" is also a proxy listener (proxy.listen[0]); the admin endpoint needs its own address"#,
            #"paddock.toml: pools.api.servers: missing required key; expected one or more servers, e.g. servers = [{ address = "127.0.0.1:8000" }]"#,
            #"paddock.toml: pools.web.balnce: unknown key (did you mean "balance"?)"#,
            #"paddock.toml: pools.web.kind: "sinc" is not a pool kind; expected "sync" or "async" (did you mean "sync"?)"#,
            #"paddock.toml: pools.web.servers[0].workers: expected an integer, got "4" (a string)"#,
            #"paddock.toml: pools.web.servers[1].address: "127.0.0.1:8001" is listed twice in pool "web" (also at pools.web.servers[0])"#,
            #"paddock.toml: routes[0].path_prefix: "api" does not start with "/"; expected a path such as "/api/""#,
            #"paddock.toml: routes[0].pool: "apii" is not a defined pool; defined pools: api, web (did you mean "api"?)"#,
        ])
    }

    @Test func errorsCarryTheirParts() {
        let toml = Fixture.proxy + "[pools.web]\nkind = \"asynk\"\nservers = [{ address = \"127.0.0.1:8001\" }]\n" + Fixture.defaultRoute
        do {
            _ = try ConfigLoader.parse(toml, file: "a/b.toml")
            Issue.record("expected errors")
        } catch {
            #expect(error.errors == [ConfigError(
                file: "a/b.toml",
                keyPath: "pools.web.kind",
                message: #""asynk" is not a pool kind; expected "sync" or "async" (did you mean "async"?)"#
            )])
        }
    }
}
