import Testing
@testable import PaddockConfig

@Suite struct ValidConfigTests {
    static let full = """
        [proxy]
        listen = ["127.0.0.1:8080", "[::1]:8080", "unix:/run/paddock.sock"]
        trust_forwarded_for = true
        drop_underscore_headers = false

        [timeouts]
        client_header = "5s"
        client_idle = "30s"
        upstream_idle = "2m"
        shutdown = "45s"

        [limits]
        max_body_bytes = "10MiB"
        max_connections = 500

        [admin]
        listen = "localhost:9901"

        [pools.web]
        kind = "sync"
        balance = "round_robin"
        timeouts = { connect = "250ms", upstream_response = "1.5m" }
        slow_start = "20s"
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
                trustForwardedFor: true,
                dropUnderscoreHeaders: false
            ),
            timeouts: TimeoutsConfig(clientHeaderMilliseconds: 5_000, clientIdleMilliseconds: 30_000, shutdownMilliseconds: 45_000,
                                     upstream: UpstreamTimeouts(idleMilliseconds: 120_000)),
            limits: LimitsConfig(maxBodyBytes: 10 * 1024 * 1024, maxConnections: 500),
            admin: AdminConfig(listen: .ipv4(host: "127.0.0.1", port: 9901)),
            pools: [
                PoolConfig(
                    name: "api", kind: .async, balance: .leastOutstanding,
                    timeouts: UpstreamTimeouts(idleMilliseconds: 120_000),
                    servers: [
                        ServerConfig(address: .ipv4(host: "127.0.0.1", port: 8002), workers: 1, weight: 1),
                        ServerConfig(address: .unix(path: "/run/api.sock"), workers: 1, weight: 1),
                    ]
                ),
                PoolConfig(
                    name: "web", kind: .sync, balance: .roundRobin,
                    timeouts: UpstreamTimeouts(connectMilliseconds: 250, responseMilliseconds: 90_000, idleMilliseconds: 120_000),
                    slowStartMilliseconds: 20_000,
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
            trustForwardedFor: false,
            dropUnderscoreHeaders: true
        ))
        #expect(config.admin == nil)
        let web = try #require(config.pool(named: "web"))
        #expect(web.balance == .leastOutstanding)
        #expect(web.timeouts == UpstreamTimeouts(connectMilliseconds: 1_000, responseMilliseconds: 60_000,
                                                 idleMilliseconds: 60_000, tunnelIdleMilliseconds: 3_600_000))
        #expect(web.slowStartMilliseconds == 0)
        #expect(config.timeouts == TimeoutsConfig(clientHeaderMilliseconds: 10_000, clientBodyMilliseconds: 60_000,
                                                  clientIdleMilliseconds: 60_000, clientSendMilliseconds: 60_000,
                                                  shutdownMilliseconds: 30_000, upstream: web.timeouts))
        #expect(config.limits == LimitsConfig(maxHeaderBytes: 65_536, maxHeaders: 100, maxURIBytes: 4_094,
                                              maxBodyBytes: 100_000_000, maxConnections: 8_192))
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
        #expect(api.timeouts.tunnelIdleMilliseconds == 3_600_000)
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
            timeouts = { tunnel_idle = "30s" }
            servers = [ { address = "127.0.0.1:8002" } ]
            [[routes]]
            pool = "web"
            """, file: "p.toml")
        let web = try #require(config.pool(named: "web"))
        #expect(web.queueTimeoutMilliseconds == 500 && web.maxQueue == 3)
        #expect(web.bufferRequests && !web.bufferResponses)
        let api = try #require(config.pool(named: "api"))
        #expect(api.bufferRequests && !api.bufferResponses && api.timeouts.tunnelIdleMilliseconds == 30_000)
        #expect(config.proxy.bufferMemoryBytes == 65536 && config.proxy.tempDirectory == "/var/tmp")
    }

    @Test func maxQueueOnAnAsyncPoolIsAnErrorButQueueTimeoutIsNot() throws {
        // An async pool's requests wait only for a server to come back, up to queue_timeout.
        let config = try ConfigLoader.parse("""
                [proxy]
                listen = ["127.0.0.1:8080"]
                [pools.api]
                kind = "async"
                queue_timeout = "1s"
                servers = [ { address = "127.0.0.1:8002" } ]
                [[routes]]
                pool = "api"
                """, file: "p.toml")
        #expect(config.pool(named: "api")?.queueTimeoutMilliseconds == 1_000)
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
