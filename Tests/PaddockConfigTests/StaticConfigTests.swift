import Testing
@testable import PaddockConfig

/// A route's `static = { ... }`.
@Suite struct StaticConfigTests {
    typealias F = Fixture

    static func route(_ body: String) -> String {
        F.proxy + F.webPool + "[[routes]]\npath_prefix = \"/static/\"\n\(body)\n" + F.defaultRoute
    }

    @Test func aRelativeRootIsUnderTheConfigFilesFolder() throws {
        let config = try ConfigLoader.parse(Self.route(#"static = { root = "tmp" }"#), file: "/paddock.toml")
        #expect(config.routes[0].target == .files(StaticConfig(root: "/tmp")))
        #expect(Fixture.errors(Self.route(#"static = { root = "nope-\#(Int.random(in: 0...1_000_000))" }"#)).first?
            .contains("No such file or directory (as ") == true)
    }

    @Test func aStaticRouteParses() throws {
        let config = try ConfigLoader.parse(Self.route(#"static = { root = "/tmp/", index = "index.html", max_age = "1d", immutable_pattern = "\\.[0-9a-f]{12}\\.", allow_dotfiles = true }"#)
            .replacing("\"1d\"", with: "\"24h\""), file: F.file)
        #expect(config.routes[0].target == .files(StaticConfig(root: "/tmp", index: "index.html", maxAgeSeconds: 86_400,
                                                                immutablePattern: #"\.[0-9a-f]{12}\."#, allowDotfiles: true)))
        #expect(config.routes[1].pool == "web")
        let defaults = try ConfigLoader.parse(Self.route(#"static = { root = "/tmp" }"#), file: F.file)
        #expect(defaults.routes[0].target == .files(StaticConfig(root: "/tmp", index: "", maxAgeSeconds: 3_600,
                                                                  immutablePattern: "", allowDotfiles: false)))
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase("pool and static", route(#"pool = "web""# + "\n" + #"static = { root = "/tmp" }"#),
                  "paddock.toml: routes[0].static: a route serves a pool or a folder, not both; remove pool or static"),
        ErrorCase("missing root", route(#"static = { root = "/nonexistent-paddock-dir" }"#),
                  #"paddock.toml: routes[0].static.root: "/nonexistent-paddock-dir" cannot be used: No such file or directory"#),
        ErrorCase("root is a file", route(#"static = { root = "/etc/passwd" }"#),
                  #"paddock.toml: routes[0].static.root: "/etc/passwd" is not a directory"#),
        ErrorCase("index with a slash", route(#"static = { root = "/tmp", index = "a/index.html" }"#),
                  #"paddock.toml: routes[0].static.index: "a/index.html" is not a file name; expected a name without "/", e.g. "index.html""#),
        ErrorCase("bad pattern", route(#"static = { root = "/tmp", immutable_pattern = "([" }"#),
                  #"paddock.toml: routes[0].static.immutable_pattern: "([" is not a valid regular expression"#),
        ErrorCase("neither", route(""),
                  #"paddock.toml: routes[0].pool: missing required key; expected one of the defined pools: web, or static = { root = "/path" }"#),
    ]

    @Test(arguments: errorCases) func errors(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
