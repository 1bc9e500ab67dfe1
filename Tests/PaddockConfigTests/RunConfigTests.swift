import Testing
@testable import PaddockConfig

/// A pool's `run = { ... }`: Paddock starts the servers itself.
@Suite struct RunConfigTests {
    typealias F = Fixture

    static func pool(kind: String = "async", _ body: String) -> String {
        F.proxy + "[pools.web]\nkind = \"\(kind)\"\n\(body)\n\n" + F.defaultRoute
    }

    @Test func aPoolWithRunNeedsNoServers() throws {
        let config = try ConfigLoader.parse(
            Self.pool(#"run = { command = ["uvicorn", "app:app", "--uds", "{socket}"], instances = 2, cwd = "/tmp", env = { B = "2", A = "x{socket}" }, stop_timeout = "5s", start_timeout = "20s", reload = true }"#),
            file: "/srv/paddock.toml")
        let pool = config.pools[0]
        #expect(pool.servers.isEmpty)
        let run = try #require(pool.run)
        #expect(run.command == ["uvicorn", "app:app", "--uds", "{socket}"])
        #expect(run.instances == 2)
        #expect(run.cwd == "/tmp")
        #expect(run.environment.map(\.name) == ["A", "B"])
        #expect(run.stopTimeoutMilliseconds == 5_000)
        #expect(run.startTimeoutMilliseconds == 20_000)
        #expect(run.reload)
        #expect(run.listen == .unixSocket)
        #expect(run.resolvedCommand(address: "/run/a.sock") == ["uvicorn", "app:app", "--uds", "/run/a.sock"])
        #expect(run.resolvedEnvironment(address: "/run/a.sock").map(\.value) == ["x/run/a.sock", "2"])
        #expect(config.summary.contains("web: async, runs 2 instances"))
    }

    @Test func defaultsAndTheWorkersPlaceholder() throws {
        let config = try ConfigLoader.parse(
            Self.pool(kind: "sync", #"run = { command = ["gunicorn", "-w", "{workers}", "-b", "127.0.0.1:{port}", "app:app"], workers = 3 }"#),
            file: "/srv/paddock.toml")
        let run = try #require(config.pools[0].run)
        #expect(run.instances == 1)
        #expect(run.cwd == "/srv")
        #expect(run.workers == 3)
        #expect(run.listen == .loopbackPort)
        #expect(run.stopTimeoutMilliseconds == ConfigDefaults.runStopTimeoutMilliseconds)
        #expect(run.resolvedCommand(address: "8123") == ["gunicorn", "-w", "3", "-b", "127.0.0.1:8123", "app:app"])
    }

    @Test func anEmptyServerListAndOnlyTheCommandsPlaceholderIsFilledIn() throws {
        let config = try ConfigLoader.parse(
            Self.pool("servers = []\n" + #"run = { command = ["x", "--port", "{port}"], env = { A = "{port}", B = "{socket}" } }"#),
            file: F.file)
        let run = try #require(config.pools[0].run)
        #expect(config.pools[0].servers.isEmpty)
        #expect(run.resolvedEnvironment(address: "8123").map(\.value) == ["8123", "{socket}"])
    }

    @Test func onlyGunicornsWorkerFlagIsCaught() throws {
        // uWSGI's -w names the module.
        let config = try ConfigLoader.parse(
            Self.pool(kind: "sync", #"run = { command = ["uwsgi", "--http-socket", "{socket}", "-w", "app:app"] }"#), file: F.file)
        #expect(config.pools[0].run?.workers == 1)
        #expect(Fixture.errors(Self.pool(kind: "sync", #"run = { command = ["python", "-m", "gunicorn", "-w4", "-b", "unix:{socket}"] }"#)).count == 1)
    }

    @Test func serversAndRunTogether() throws {
        let config = try ConfigLoader.parse(
            Self.pool(#"servers = [{ address = "127.0.0.1:8001" }]"# + "\n" + #"run = { command = ["uvicorn", "--port", "{port}", "app:app"] }"#),
            file: F.file)
        #expect(config.pools[0].servers.count == 1)
        #expect(config.pools[0].run != nil)
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase("no placeholder", pool(#"run = { command = ["uvicorn", "app:app"] }"#),
                  #"paddock.toml: pools.web.run.command: names neither {socket} nor {port}, so Paddock cannot tell each instance where to listen; e.g. "--uds", "{socket}" (uvicorn), "-b", "unix:{socket}" (gunicorn), or "--port", "{port}""#),
        ErrorCase("both placeholders", pool(#"run = { command = ["x", "{socket}", "{port}"] }"#),
                  "paddock.toml: pools.web.run.command: uses both {socket} and {port}; pick one, for where each instance listens"),
        ErrorCase("empty command", pool(#"run = { command = [] }"#),
                  "paddock.toml: pools.web.run.command: empty; expected the program and its arguments"),
        ErrorCase("not strings", pool(#"run = { command = ["x", 1] }"#),
                  "paddock.toml: pools.web.run.command: every element must be a string; got 1 (an integer)"),
        ErrorCase("missing command", pool(#"run = { instances = 2 }"#),
                  #"paddock.toml: pools.web.run.command: missing required key; expected the program and its arguments, e.g. { command = ["uvicorn", "app:app", "--uds", "{socket}"] }"#),
        ErrorCase("too many instances", pool(#"run = { command = ["x", "{port}"], instances = 65 }"#),
                  "paddock.toml: pools.web.run.instances: 65 is out of range; expected 1 to 64"),
        ErrorCase("workers in an async pool", pool(#"run = { command = ["x", "{port}"], workers = 2 }"#),
            #"paddock.toml: pools.web.run.workers: the command does not pass {workers}, so the server would not run that many; write e.g. ["gunicorn", "-w", "{workers}", ...]"#,
            "paddock.toml: pools.web.run.workers: applies only to sync pools (an async server has no worker limit)"),
        ErrorCase("workers not passed", pool(kind: "sync", #"run = { command = ["gunicorn", "-b", "127.0.0.1:{port}"], workers = 4 }"#),
                  #"paddock.toml: pools.web.run.workers: the command does not pass {workers}, so the server would not run that many; write e.g. ["gunicorn", "-w", "{workers}", ...]"#),
        ErrorCase("a worker count in the command", pool(kind: "sync", #"run = { command = ["gunicorn", "-w", "4", "-b", "unix:{socket}"] }"#),
                  #"paddock.toml: pools.web.run.command: sets the worker count itself ("-w"); write "{workers}" there and workers = N in run, which is also how many requests each instance is sent at once"#),
        ErrorCase("bad env name", pool(#"run = { command = ["x", "{port}"], env = { "1A" = "x" } }"#),
                  #"paddock.toml: pools.web.run.env.1A: "1A" is not an environment variable name; expected letters, digits and _, not starting with a digit"#),
        ErrorCase("missing cwd", pool(#"run = { command = ["x", "{port}"], cwd = "/nonexistent-paddock-dir" }"#),
                  #"paddock.toml: pools.web.run.cwd: "/nonexistent-paddock-dir" cannot be used: No such file or directory"#),
        ErrorCase("unknown key", pool(#"run = { command = ["x", "{port}"], instance = 2 }"#),
                  #"paddock.toml: pools.web.run.instance: unknown key (did you mean "instances"?)"#),
        ErrorCase("no servers and no run", pool(""),
                  #"paddock.toml: pools.web.servers: missing required key; expected one or more servers, e.g. servers = [{ address = "127.0.0.1:8000" }]"#),
    ]

    @Test(arguments: errorCases) func errors(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
