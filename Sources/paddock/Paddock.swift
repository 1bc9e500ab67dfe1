import ArgumentParser
import Logging
import PaddockConfig
import PaddockCore
import TLS
import UV
#if canImport(Glibc)
import Glibc
#endif

let paddockVersion = "0.1.0"

@main
struct Paddock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paddock",
        abstract: "A reverse proxy for gunicorn (sync) and uvicorn (async) Python app servers.",
        subcommands: [Run.self, Check.self, Reload.self, Restart.self, Status.self, Version.self]
    )

    /// A supervised server's process starts as `paddock __supervised-exec ...` (see `ChildProcess`),
    /// which is not a command for people, so it is handled before the argument parser.
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == ChildProcess.execArgument {
            SupervisedExec.run(Array(arguments.dropFirst(2)))
        }
        main(nil)
    }
}

struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "Path to the TOML config file.")
    var config: String

    /// Loads and validates the config, or prints every error (file, key, reason) and exits 1.
    func load() throws -> Config { try loadConfig(path: config) }
}

/// Loads and validates a config file, or prints every error (file, key, reason) and exits 1.
/// `[tls]` files are loaded too: each must parse, the key must match, the certificate must not have
/// expired (one that expires within 14 days is a warning).
func loadConfig(path: String) throws -> Config {
    let config: Config
    do {
        config = try ConfigLoader.load(path: path)
    } catch {
        printToStandardError(error.description)
        throw ExitCode(1)
    }
    let problems = config.tls.map(TLSContext.check) ?? []
    for problem in problems {
        printToStandardError("\(problem.isWarning ? "warning: " : "")\(path): tls.certificates: \(problem)")
    }
    if problems.contains(where: { !$0.isWarning }) { throw ExitCode(1) }
    return config
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file and print a summary.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        print(try options.load().summary)
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("paddock \(paddockVersion)")
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the proxy in the foreground, logging to stderr.")

    @OptionGroup var options: ConfigOption

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Write the process id to this file once listening (for `paddock reload`); removed at exit.")
    var pidFile: String?

    @Flag(help: "Development: restart a pool's supervised servers (run = { ... }) when a *.py file under its cwd changes.")
    var reload = false

    func run() throws {
        let config = try options.load()
        guard let level = Logger.Level(rawValue: logLevel) else {
            printToStandardError("--log-level: \"\(logLevel)\" is not a level; expected trace, debug, info, notice, warning, error or critical")
            throw ExitCode(1)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "paddock")

        // Writes to a socket the peer closed must fail with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let fileLimit = OpenFileLimit.raiseToHardLimit()
        let maxConnections = config.limits.maxConnections
        let needed = OpenFileLimit.needed(maxConnections: maxConnections)
        if fileLimit < needed {
            // Below one descriptor per client, clients are refused; below two, only busy ones hit it.
            let level: Logger.Level = fileLimit < UInt64(maxConnections) + 64 ? .warning : .notice
            logger.log(level: level, "the open-file limit is \(fileLimit), but max_connections = \(maxConnections) may need \(needed); raise LimitNOFILE or lower [limits] max_connections")
        }

        let loop = try EventLoop()
        let proxy = Proxy(loop: loop, config: config, logger: logger)
        proxy.watchesFiles = reload
        do {
            try proxy.start()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        let pidFile = self.pidFile.map(PidFile.init)
        do {
            try pidFile?.write()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        defer { pidFile?.remove() }
        logger.info("paddock \(paddockVersion) started: \(config.summary)")

        var watchers: [SignalWatcher] = []
        for signum in [SIGINT, SIGTERM] {
            let watcher = try SignalWatcher(loop: loop, signal: signum) { signum in
                logger.info("received signal \(signum); finishing requests in progress, then stopping")
                proxy.stop()
            }
            // Signal watchers must not keep the loop alive once the proxy has drained.
            watcher.unref()
            watchers.append(watcher)
        }
        let path = options.config
        let reloader = try SignalWatcher(loop: loop, signal: SIGHUP) { _ in
            Self.reload(proxy, from: path, logger: logger)
        }
        reloader.unref()
        watchers.append(reloader)
        let reopener = try SignalWatcher(loop: loop, signal: SIGUSR1) { _ in
            logger.info("received SIGUSR1; reopening the access log")
            proxy.reopenLogs()
        }
        reopener.unref()
        watchers.append(reopener)

        loop.run()
        for watcher in watchers { watcher.close() }
        if !loop.close() {
            logger.warning("event loop closed with \(loop.openHandleCount) handles still open")
        }
        logger.info("stopped")
    }
}

extension Run {
    /// SIGHUP: reads and validates the config file again and applies it. A config that does not
    /// validate is logged with the same messages as `paddock check`, and the running one stays.
    static func reload(_ proxy: Proxy, from path: String, logger: Logger) {
        logger.info("received SIGHUP; reloading \(path)")
        let config: Config
        do {
            config = try ConfigLoader.load(path: path)
        } catch {
            for line in error.errors { logger.error("reload rejected: \(line)") }
            logger.error("reload rejected; config generation \(proxy.generation) stays in use")
            return
        }
        do {
            try proxy.reload(config)
        } catch {
            logger.error("reload rejected: \(error); config generation \(proxy.generation) stays in use")
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a running paddock to reload its config file (sends it SIGHUP).",
        discussion: """
            The running process re-reads the config file it was started with. With --config, that file \
            is validated first and nothing is sent if it has errors.
            """
    )

    @Option(help: "The pid file the running paddock was started with (`run --pid-file`).")
    var pidFile: String

    @Option(name: [.customShort("c"), .long], help: "Validate this config file before signalling.")
    var config: String?

    func run() throws {
        if let config {
            _ = try loadConfig(path: config)
        }
        let pid: pid_t
        do {
            pid = try PidFile(path: pidFile).read()
        } catch {
            printToStandardError("paddock reload: \(error)")
            throw ExitCode(1)
        }
        guard kill(pid, SIGHUP) == 0 else {
            printToStandardError("paddock reload: cannot signal pid \(pid) (from \(pidFile)): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        print("paddock reload: sent SIGHUP to pid \(pid)")
    }
}

func printToStandardError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    var bytes = Array(line.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}
