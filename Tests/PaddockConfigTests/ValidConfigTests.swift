import Testing
@testable import PaddockConfig

@Suite struct ValidConfigTests {
    static let full = """
        [proxy]
        listen = ["127.0.0.1:8080", "[::1]:8080", "unix:/run/paddock.sock"]
        client_timeout = "30s"
        max_body_bytes = "10MiB"
        trust_forwarded_for = true
        drop_underscore_headers = false

        [admin]
        listen = "localhost:9901"

        [pools.web]
        kind = "sync"
        balance = "round_robin"
        connect_timeout = "250ms"
        response_timeout = "1.5m"
        servers = [ { address = "127.0.0.1:8001", workers = 4, weight = 2 } ]

        [pools.api]
        kind = "async"
        servers = [ { address = "127.0.0.1:8002" }, { address = "unix:/run/api.sock" } ]

        [[routes]]
        host = "API.Example.com:443"
        path_prefix = "/api/"
        pool = "api"

        [[routes]]
        pool = "web"
        """

    @Test func fullConfigParsesIntoExpectedValue() throws {
        let config = try ConfigLoader.parse(Self.full, file: "conf/paddock.toml")
        let expected = Config(
            file: "conf/paddock.toml",
            proxy: ProxyConfig(
                listen: [.ipv4(host: "127.0.0.1", port: 8080), .ipv6(host: "::1", port: 8080), .unix(path: "/run/paddock.sock")],
                clientTimeoutMilliseconds: 30_000,
                maxBodyBytes: 10 * 1024 * 1024,
                trustForwardedFor: true,
                dropUnderscoreHeaders: false
            ),
            admin: AdminConfig(listen: .ipv4(host: "127.0.0.1", port: 9901)),
            pools: [
                PoolConfig(
                    name: "api", kind: .async, balance: .leastOutstanding,
                    connectTimeoutMilliseconds: 1_000, responseTimeoutMilliseconds: 60_000,
                    servers: [
                        ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8002), workers: 1, weight: 1),
                        ServerConfig(address: .unix(path: "/run/api.sock"), workers: 1, weight: 1),
                    ]
                ),
                PoolConfig(
                    name: "web", kind: .sync, balance: .roundRobin,
                    connectTimeoutMilliseconds: 250, responseTimeoutMilliseconds: 90_000,
                    servers: [ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 4, weight: 2)]
                ),
            ],
            routes: [
                RouteConfig(host: "api.example.com", pathPrefix: "/api/", pool: "api"),
                RouteConfig(host: nil, pathPrefix: nil, pool: "web"),
            ]
        )
        #expect(config == expected)
        #expect(config.pools.map(\.name) == ["api", "web"])
        #expect(config.pool(named: "web")?.kind == .sync)
        #expect(config.pool(named: "nope") == nil)
    }

    @Test func defaultsAreFilledIn() throws {
        let config = try ConfigLoader.parse(Fixture.minimal, file: Fixture.file)
        #expect(config.proxy == ProxyConfig(
            listen: [.ipv4(host: "127.0.0.1", port: 8080)],
            clientTimeoutMilliseconds: 60_000,
            maxBodyBytes: 100_000_000,
            trustForwardedFor: false,
            dropUnderscoreHeaders: true
        ))
        #expect(config.admin == nil)
        let web = try #require(config.pool(named: "web"))
        #expect(web.balance == .leastOutstanding)
        #expect(web.connectTimeoutMilliseconds == 1_000)
        #expect(web.responseTimeoutMilliseconds == 60_000)
        #expect(web.servers == [ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 1, weight: 1)])
    }

    @Test func singleListenStringIsAccepted() throws {
        let toml = Fixture.minimal.replacing(#"listen = ["127.0.0.1:8080"]"#, with: #"listen = "[::]:8080""#)
        let config = try ConfigLoader.parse(toml, file: Fixture.file)
        #expect(config.proxy.listen == [.ipv6(host: "::", port: 8080)])
    }

    @Test func serversMayUseArrayOfTablesSyntax() throws {
        let toml = Fixture.proxy + """
            [pools.web]
            kind = "sync"
            [[pools.web.servers]]
            address = "127.0.0.1:8001"
            workers = 3

            """ + Fixture.defaultRoute
        let config = try ConfigLoader.parse(toml, file: Fixture.file)
        #expect(config.pool(named: "web")?.servers == [ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8001), workers: 3)])
    }

    @Test func summaryIsOneLine() throws {
        let config = try ConfigLoader.parse(Self.full, file: "paddock.toml")
        #expect(config.summary == "paddock.toml: 2 pools (api: async, 2 servers; web: sync, 1 server), 2 routes, "
            + "listening on 127.0.0.1:8080, [::1]:8080, unix:/run/paddock.sock; admin on 127.0.0.1:9901")
        let minimal = try ConfigLoader.parse(Fixture.minimal, file: "p.toml")
        #expect(minimal.summary == "p.toml: 1 pool (web: sync, 1 server), 1 route, listening on 127.0.0.1:8080")
    }
}

@Suite struct PoolKindDefaultTests {
    @Test func syncPoolsQueueAndBufferByDefault() throws {
        let config = try ConfigLoader.parse("""
            [proxy]
            listen = ["127.0.0.1:8080"]
            [pools.web]
            kind = "sync"
            servers = [ { address = "127.0.0.1:8001", workers = 2 } ]
            [pools.api]
            kind = "async"
            servers = [ { address = "127.0.0.1:8002" } ]
            [[routes]]
            pool = "web"
            """, file: "p.toml")
        let web = try #require(config.pool(named: "web"))
        #expect(web.bufferRequests && web.bufferResponses)
        #expect(web.queueTimeoutMilliseconds == 30_000 && web.maxQueue == 1024)
        let api = try #require(config.pool(named: "api"))
        #expect(!api.bufferRequests && !api.bufferResponses)
        #expect(api.tunnelIdleMilliseconds == 3_600_000)
        #expect(config.proxy.bufferMemoryBytes == 1 << 20 && config.proxy.tempDirectory == "/tmp")
        #expect(config.proxy.maxTempFileBytes == 1 << 30)
    }

    @Test func overridesWin() throws {
        let config = try ConfigLoader.parse("""
            [proxy]
            listen = ["127.0.0.1:8080"]
            buffer_memory = "64KiB"
            temp_dir = "/var/tmp"
            [pools.web]
            kind = "sync"
            queue_timeout = "500ms"
            max_queue = 3
            buffer_responses = false
            servers = [ { address = "127.0.0.1:8001" } ]
            [pools.api]
            kind = "async"
            buffer_requests = true
            tunnel_idle = "30s"
            servers = [ { address = "127.0.0.1:8002" } ]
            [[routes]]
            pool = "web"
            """, file: "p.toml")
        let web = try #require(config.pool(named: "web"))
        #expect(web.queueTimeoutMilliseconds == 500 && web.maxQueue == 3)
        #expect(web.bufferRequests && !web.bufferResponses)
        let api = try #require(config.pool(named: "api"))
        #expect(api.bufferRequests && !api.bufferResponses && api.tunnelIdleMilliseconds == 30_000)
        #expect(config.proxy.bufferMemoryBytes == 65536 && config.proxy.tempDirectory == "/var/tmp")
    }

    @Test func queueSettingsOnAnAsyncPoolAreErrors() {
        #expect(throws: ConfigErrors.self) {
            try ConfigLoader.parse("""
                [proxy]
                listen = ["127.0.0.1:8080"]
                [pools.api]
                kind = "async"
                queue_timeout = "1s"
                servers = [ { address = "127.0.0.1:8002" } ]
                [[routes]]
                pool = "api"
                """, file: "p.toml")
        }
        do {
            _ = try ConfigLoader.parse("""
                [proxy]
                listen = ["127.0.0.1:8080"]
                temp_dir = "tmp"
                [pools.api]
                kind = "async"
                max_queue = 5
                servers = [ { address = "127.0.0.1:8002" } ]
                [[routes]]
                pool = "api"
                """, file: "p.toml")
            Issue.record("expected errors")
        } catch {
            #expect(error.description == """
                p.toml: proxy.temp_dir: "tmp" is not an absolute path
                p.toml: pools.api.max_queue: applies only to sync pools (async servers have no worker limit, so requests never queue)
                """)
        }
    }
}
