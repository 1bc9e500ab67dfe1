@testable import PaddockConfig

/// Building blocks for test configs, and a helper returning the error lines a config produces.
enum Fixture {
    static let file = "paddock.toml"

    static let proxy = """
        [proxy]
        listen = ["127.0.0.1:8080"]

        """

    static let webPool = """
        [pools.web]
        kind = "sync"
        servers = [{ address = "127.0.0.1:8001" }]

        """

    static let defaultRoute = """
        [[routes]]
        pool = "web"

        """

    /// A minimal valid config.
    static let minimal = proxy + webPool + defaultRoute

    /// The error lines for `toml`, or [] if it is valid.
    static func errors(_ toml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(toml, file: file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }
}
