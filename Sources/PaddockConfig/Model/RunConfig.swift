/// How Paddock runs a pool's servers itself: `run = { command = [...], instances = 2, ... }`.
///
/// Invariants (after validation): `command` is non-empty and names exactly one of `{socket}` or
/// `{port}` (in any argument), which is how Paddock tells each instance where to listen; `cwd` is an
/// existing absolute directory; every timeout is greater than zero.
public struct RunConfig: Sendable, Equatable {
    /// Where an instance listens, as the command's placeholder says.
    public enum Listen: Sendable, Equatable {
        /// `{socket}`: a unix socket path Paddock allocates for each instance.
        case unixSocket
        /// `{port}`: a free loopback TCP port, on 127.0.0.1.
        case loopbackPort
    }

    /// The program and its arguments, with placeholders: `{socket}`, `{port}`, `{workers}`.
    public var command: [String]
    public var instances: Int
    /// The working directory of every instance (absolute).
    public var cwd: String
    /// Added to (or replacing in) Paddock's own environment, in config order; values may use the
    /// placeholders too.
    public var environment: [(name: String, value: String)]
    /// Sync pools: the worker processes of each instance (`{workers}`), which is also its capacity.
    public var workers: Int
    /// After SIGTERM, how long an instance may take to exit before SIGKILL; also how long a retired
    /// instance's requests in flight may take to finish before the SIGTERM.
    public var stopTimeoutMilliseconds: Int64
    /// How long a new instance may take to pass its first check.
    public var startTimeoutMilliseconds: Int64
    /// Development: a rolling restart when a `*.py` file under `cwd` changes.
    public var reload: Bool

    public init(command: [String], instances: Int = ConfigDefaults.runInstances, cwd: String,
                environment: [(name: String, value: String)] = [], workers: Int = ConfigDefaults.workers,
                stopTimeoutMilliseconds: Int64 = ConfigDefaults.runStopTimeoutMilliseconds,
                startTimeoutMilliseconds: Int64 = ConfigDefaults.runStartTimeoutMilliseconds, reload: Bool = false) {
        self.command = command
        self.instances = instances
        self.cwd = cwd
        self.environment = environment
        self.workers = workers
        self.stopTimeoutMilliseconds = stopTimeoutMilliseconds
        self.startTimeoutMilliseconds = startTimeoutMilliseconds
        self.reload = reload
    }

    public static let socketPlaceholder = "{socket}"
    public static let portPlaceholder = "{port}"
    public static let workersPlaceholder = "{workers}"

    /// Which placeholder the command uses (validation guarantees exactly one).
    public var listen: Listen {
        command.contains { $0.contains(Self.socketPlaceholder) } ? .unixSocket : .loopbackPort
    }

    /// The command with the placeholders filled in for one instance.
    public func resolvedCommand(address: String) -> [String] { command.map { resolve($0, address: address) } }

    public func resolvedEnvironment(address: String) -> [(name: String, value: String)] {
        environment.map { ($0.name, resolve($0.value, address: address)) }
    }

    /// `address` is the socket path or the port number, for the placeholder the command uses (the
    /// other one is left as written).
    private func resolve(_ text: String, address: String) -> String {
        guard text.contains("{") else { return text }
        let placeholder = listen == .unixSocket ? Self.socketPlaceholder : Self.portPlaceholder
        return text.replacing(placeholder, with: address).replacing(Self.workersPlaceholder, with: String(workers))
    }

    public static func == (lhs: RunConfig, rhs: RunConfig) -> Bool {
        lhs.command == rhs.command && lhs.instances == rhs.instances && lhs.cwd == rhs.cwd
            && lhs.environment.map(\.name) == rhs.environment.map(\.name)
            && lhs.environment.map(\.value) == rhs.environment.map(\.value)
            && lhs.workers == rhs.workers && lhs.stopTimeoutMilliseconds == rhs.stopTimeoutMilliseconds
            && lhs.startTimeoutMilliseconds == rhs.startTimeoutMilliseconds && lhs.reload == rhs.reload
    }
}
