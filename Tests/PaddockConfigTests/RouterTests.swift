import Testing
import PaddockConfig

@Suite struct RouterTests {
    static let routes: [RouteConfig] = [
        RouteConfig(pool: "default"),
        RouteConfig(pathPrefix: "/api/", pool: "api"),
        RouteConfig(pathPrefix: "/api/v2/", pool: "api-v2"),
        RouteConfig(pathPrefix: "/static", pool: "static"),
        RouteConfig(host: "admin.example.com", pool: "admin"),
        RouteConfig(host: "admin.example.com", pathPrefix: "/api/", pool: "admin-api"),
        RouteConfig(host: "Shop.Example.com:8443", pathPrefix: "/cart/", pool: "shop"),
    ]

    @Test(arguments: [
        (nil, "/", "default"),
        (nil, "/api/users", "api"),
        (nil, "/api/v2/users", "api-v2"),
        (nil, "/api", "default"),
        (nil, "/staticfiles/x.css", "static"),
        ("other.example.com", "/api/v2/x", "api-v2"),
        ("admin.example.com", "/", "admin"),
        ("admin.example.com", "/api/v2/x", "admin-api"),
        ("admin.example.com", "/static/x.css", "admin"),
        ("shop.example.com", "/cart/1", "shop"),
        ("shop.example.com", "/api/x", "api"),
        ("shop.example.com", "/", "default"),
    ] as [(String?, String, String)])
    func precedence(host: String?, path: String, expected: String) {
        let router = Router(routes: Self.routes)
        #expect(router.pool(host: host, path: Array(path.utf8)) == expected)
        #expect(router.pool(host: host, path: path.utf8) == expected, "non-array collections match the same")
        #expect(router.pool(host: host, path: Array(path.utf8)[...]) == expected, "slices match the same")
    }

    @Test(arguments: [
        (nil, "/"),
        ("admin.example.com", "/x"),
        ("other.example.com", "/api/"),
    ] as [(String?, String)])
    func noMatchIsNil(host: String?, path: String) {
        let router = Router(routes: [
            RouteConfig(pathPrefix: "/api/v1/", pool: "v1"),
            RouteConfig(host: "admin.example.com", pathPrefix: "/admin/", pool: "admin"),
        ])
        #expect(router.pool(host: host, path: Array(path.utf8)) == nil)
    }

    @Test func hostOnlyRouteBeatsLongerHostlessPrefix() {
        let router = Router(routes: [
            RouteConfig(pathPrefix: "/very/long/prefix/", pool: "any"),
            RouteConfig(host: "a.example", pool: "a"),
        ])
        #expect(router.pool(host: "a.example", path: Array("/very/long/prefix/x".utf8)) == "a")
        #expect(router.pool(host: "b.example", path: Array("/very/long/prefix/x".utf8)) == "any")
    }

    @Test func equalPrefixesKeepFileOrder() {
        let router = Router(routes: [RouteConfig(pathPrefix: "/x", pool: "first"), RouteConfig(pathPrefix: "/x", pool: "second")])
        #expect(router.pool(host: nil, path: Array("/x".utf8)) == "first")
    }

    @Test func worksOnAValidatedConfig() throws {
        let config = try ConfigLoader.parse(ValidConfigTests.full, file: "p.toml")
        let router = Router(routes: config.routes)
        #expect(router.pool(host: "api.example.com", path: Array("/api/x".utf8)) == "api")
        #expect(router.pool(host: "api.example.com", path: Array("/x".utf8)) == "web")
        #expect(router.pool(host: nil, path: Array("/api/x".utf8)) == "web")
    }
}
