import Logging
import PaddockConfig
import UV
#if canImport(Glibc)
import Glibc
#endif

/// Runs one pool's `run`: carries out what its `SupervisorMachine` decides (start a process, signal
/// it), and tells the machine what happened (a check passed, a process exited, time passed). The
/// instances that serve are the pool's supervised servers (`SharedPool.setInstances`). Loop-confined.
final class PoolSupervisor {
    /// One started process.
    private struct Running {
        let address: SocketAddressSpec
        /// Sync pools: its capacity.
        let workers: Int
        var process: ChildProcess?
        var pid: Int32 { process?.pid ?? 0 }
        /// While starting: the check under way, and when the next one may begin.
        var check: HealthCheck?
        var nextCheckAt: UInt64 = 0
    }

    let name: String
    private var machine: SupervisorMachine
    private var shared: SharedPool
    private var healthCheck: HealthCheckConfig?
    private let context: ProxyContext
    private let socketDirectory: String
    /// Names this supervisor's sockets apart from those of an earlier one of the same pool that
    /// may still be stopping (instance numbers start at 1 in each).
    private let serial: Int
    /// `paddock run --reload`.
    private let watchesAllFiles: Bool
    private var isWatching: Bool { watchesAllFiles || specs[latest]?.reload == true }
    /// The run of each revision; `latest` is what the config says now.
    private var specs: [Int: RunConfig] = [:]
    private var latest: Int
    private var running: [Int: Running] = [:]
    private var routed: [Int] = []
    private let ticker: LoopTimer
    private var watchers: [FileWatcher] = []
    private var debounce: LoopTimer?
    /// The servers that take requests changed (so the proxy can check them).
    var onRoutingChanged: (() -> Void)?
    /// Stopped, and every process has exited.
    var onFinished: (() -> Void)?

    private static let tickMilliseconds: UInt64 = 100
    private static let checkEveryMilliseconds: UInt64 = 250

    init(pool: UpstreamPool, run: RunConfig, context: ProxyContext, socketDirectory: String, serial: Int, watchFiles: Bool) {
        name = pool.name
        shared = pool.shared
        healthCheck = pool.config.health
        self.context = context
        self.socketDirectory = socketDirectory
        self.serial = serial
        watchesAllFiles = watchFiles
        latest = 1
        specs[1] = run
        machine = SupervisorMachine(pool: pool.name, revision: 1, instances: run.instances, settings: Self.settings(run))
        ticker = LoopTimer(loop: context.loop)
    }

    private static func settings(_ run: RunConfig) -> SupervisorMachine.Settings {
        SupervisorMachine.Settings(startTimeout: UInt64(run.startTimeoutMilliseconds), stopTimeout: UInt64(run.stopTimeoutMilliseconds))
    }

    func start() {
        ticker.start(milliseconds: Self.tickMilliseconds, repeat: Self.tickMilliseconds) { [unowned self] in self.tick() }
        apply(machine.start(now: context.loop.now))
        watch()
    }

    /// A rolling restart to `run` (a reload), or to the current run again (`paddock restart`, a
    /// changed file). `pool` is the new snapshot's view of the pool.
    func restart(_ run: RunConfig? = nil, pool: UpstreamPool? = nil, reason: String) {
        guard !machine.isStopping else { return }
        if let pool {
            shared = pool.shared
            healthCheck = pool.config.health
        }
        let spec = run ?? specs[latest]!
        latest += 1
        specs[latest] = spec
        // Revisions no instance runs any more are forgotten (a --reload session makes many).
        let inUse = Set(machine.instances.map(\.revision) + [machine.revision, latest])
        specs = specs.filter { inUse.contains($0.key) }
        machine.settings = Self.settings(spec)
        if run != nil { watch() }
        handle(.restart(revision: latest, instances: spec.instances, reason: reason, now: context.loop.now))
    }

    /// Stops every instance: no new requests, those in flight finish, then SIGTERM and SIGKILL.
    func stop() {
        stopWatching()
        handle(.stop(now: context.loop.now))
    }

    /// No more restarts for changed files (the proxy is stopping, or the pool is going away).
    func stopWatching() {
        for watcher in watchers { watcher.close() }
        watchers.removeAll()
        debounce?.close()
        debounce = nil
    }

    var report: HealthReport.Supervision {
        HealthReport.Supervision(
            instances: machine.instances.map { instance in
                let process = running[instance.id]
                return HealthReport.Supervision.Instance(name: machine.name(instance.id), pid: process?.pid ?? 0,
                                                         state: instance.phase.name, address: process?.address.description ?? "")
            },
            restarts: machine.restarts, crashLoop: machine.isCrashLooping, rolling: machine.isRolling, lastFailure: machine.lastFailure)
    }

    // MARK: - Events

    private func handle(_ event: SupervisorMachine.Event) {
        apply(machine.event(event))
    }

    private func tick() {
        let now = context.loop.now
        for id in machine.starting {
            guard var process = running[id], process.check == nil, now >= process.nextCheckAt else { continue }
            process.check = HealthCheck(process.address.endpoint, request: readinessRequest, dialer: context.dialer, loop: context.loop) {
                [unowned self] result in self.checked(id, result)
            }
            running[id] = process
        }
        let idle = Set(machine.draining.filter { id in running[id].map { shared.inFlight(at: $0.address) == 0 } ?? true })
        handle(.tick(now: now, idle: idle))
    }

    private func checked(_ id: Int, _ result: ServerHealth.CheckResult) {
        guard var process = running[id] else { return }
        process.check = nil
        process.nextCheckAt = context.loop.now + Self.checkEveryMilliseconds
        running[id] = process
        if result.passed { handle(.passedCheck(id: id, now: context.loop.now)) }
    }

    /// Until an instance first passes: the pool's own check, else any answer below 500 to `GET /`
    /// (an app that imports and answers at all).
    private var readinessRequest: HealthCheck.Request {
        if let healthCheck { return HealthCheck.Request(healthCheck) }
        return HealthCheck.Request(path: "/", host: "localhost", timeoutMilliseconds: 1_000, accepts: { $0 < 500 },
                                   expected: "a status below 500")
    }

    private func exited(_ id: Int, status: Int64, signal: Int32) {
        guard let process = running.removeValue(forKey: id) else { return }
        process.check?.cancel()
        // A process group outlives its leader when the leader is killed (a gunicorn master's
        // workers): nothing of the instance may be left serving its old socket.
        killGroup(of: process)
        if case let .unix(path) = process.address { unlink(path) }
        handle(.exited(id: id, SupervisorMachine.Exit(status: status, signal: signal), now: context.loop.now))
    }

    // MARK: - Actions

    private func apply(_ actions: [SupervisorMachine.Action]) {
        for action in actions {
            switch action {
            case let .spawn(id, revision): spawn(id, revision: revision)
            case let .signal(id, .terminate):
                running[id]?.process?.signal(SIGTERM)
            case let .signal(id, .kill):
                if let process = running[id] { killGroup(of: process) }
                running[id]?.process?.signal(SIGKILL)
            case let .log(level, message):
                context.logger.log(level: level, "\(message)", metadata: ["pool": "\(name)"])
            }
        }
        syncRouting()
        for (id, process) in running where process.check != nil && !machine.starting.contains(id) {
            process.check?.cancel()
            running[id]?.check = nil
        }
        if machine.isFinished {
            ticker.close()
            let callback = onFinished
            onFinished = nil
            callback?()
        }
    }

    /// SIGKILL to the instance's process group (its leader made it with `setpgid`).
    private func killGroup(of process: Running) {
        if process.pid > 0 { kill(-process.pid, SIGKILL) }
    }

    private func spawn(_ id: Int, revision: Int) {
        let spec = specs[revision]!
        let label = machine.name(id)
        let address: SocketAddressSpec
        let placeholder: String
        switch spec.listen {
        case .unixSocket:
            let path = "\(socketDirectory)/\(name)-\(serial).\(id).sock"
            guard path.utf8.count < 108 else {
                return handle(.spawnFailed(id: id, reason: "socket path \(path) is longer than 107 bytes; set [proxy] temp_dir to a shorter folder",
                                           now: context.loop.now))
            }
            unlink(path)
            address = .unix(path: path)
            placeholder = path
        case .loopbackPort:
            do {
                let port = try Endpoint.freeLoopbackPort()
                address = .ipv4(host: "127.0.0.1", port: port)
                placeholder = String(port)
            } catch {
                return handle(.spawnFailed(id: id, reason: "no free loopback port: \(error)", now: context.loop.now))
            }
        }
        let command = spec.resolvedCommand(address: placeholder)
        var environment = ChildProcess.inheritedEnvironment
        for (key, value) in spec.resolvedEnvironment(address: placeholder) {
            environment.removeAll { $0.hasPrefix(key + "=") }
            environment.append("\(key)=\(value)")
        }
        let logger = context.logger
        // stdout and stderr alike, at notice, so that a traceback is in the log at the default
        // levels and at notice.
        let log: (String) -> Void = { line in logger.notice("[\(label)] \(line)") }
        let output = OutputPipe(loop: context.loop, onLine: log)
        let errors = OutputPipe(loop: context.loop, onLine: log)
        running[id] = Running(address: address, workers: spec.workers)
        do {
            let process = try ChildProcess(
                loop: context.loop,
                options: ChildProcess.Options(program: command[0], arguments: Array(command.dropFirst()),
                                              environment: environment, directory: spec.cwd),
                output: output, errors: errors) { [weak self] status, signal in self?.exited(id, status: status, signal: signal) }
            running[id]?.process = process
            logger.info("started \(label) (pid \(process.pid)): \(command.joined(separator: " "))", metadata: ["pool": "\(name)"])
        } catch {
            running[id] = nil
            handle(.spawnFailed(id: id, reason: "\(error)", now: context.loop.now))
        }
    }

    /// The instances that serve become the pool's supervised servers.
    private func syncRouting() {
        let serving = machine.serving
        guard serving != routed else { return }
        routed = serving
        shared.setInstances(serving.compactMap { id in
            running[id].map { ServerConfig(address: $0.address, workers: $0.workers) }
        }, now: context.loop.now)
        onRoutingChanged?()
    }

    // MARK: - Development reload

    /// With `reload`: watches `cwd` and the folders under it (not hidden ones, caches or
    /// virtualenvs) for `*.py` changes, which restart the pool after a quiet 300 ms.
    private func watch() {
        for watcher in watchers { watcher.close() }
        watchers.removeAll()
        guard isWatching, !machine.isStopping, let spec = specs[latest] else { return }
        for directory in Self.sourceDirectories(under: spec.cwd) {
            do {
                watchers.append(try FileWatcher(loop: context.loop, path: directory) { [unowned self] file in
                    self.changed(file)
                })
            } catch {
                context.logger.warning("cannot watch \(directory) for changes: \(error)", metadata: ["pool": "\(name)"])
            }
        }
        for watcher in watchers { watcher.unref() }
        context.logger.info("watching \(watchers.count) folder\(watchers.count == 1 ? "" : "s") under \(spec.cwd) for *.py changes",
                            metadata: ["pool": "\(name)"])
    }

    private func changed(_ file: String) {
        guard file.hasSuffix(".py"), !watchers.isEmpty else { return }
        let timer = debounce ?? LoopTimer(loop: context.loop)
        debounce = timer
        timer.start(milliseconds: 300) { [unowned self] in self.restart(reason: "\(file) changed") }
    }

    /// `root` and the folders under it, breadth first, at most 256.
    static func sourceDirectories(under root: String) -> [String] {
        let skipped: Set<String> = ["__pycache__", "node_modules", "venv", "site-packages"]
        var found = [root]
        var index = 0
        while index < found.count, found.count < 256 {
            let directory = found[index]
            index += 1
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard entry.pointee.d_type == UInt8(DT_DIR), !name.hasPrefix("."), !skipped.contains(name) else { continue }
                found.append(directory + "/" + name)
            }
        }
        return Array(found.prefix(256))
    }
}
