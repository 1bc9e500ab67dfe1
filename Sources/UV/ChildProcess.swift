import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with libuv's process API, with its stdout and stderr read as lines.
///
/// The child does not run the program directly: Paddock starts itself with `execArgument` (see
/// `SupervisedExec`), which makes the child its own process group leader and asks the kernel to
/// send it SIGTERM when Paddock dies, even by SIGKILL, then executes the program. So a child never
/// outlives Paddock, and the group can be signalled whole (a gunicorn master and its workers).
public final class ChildProcess: HandleOwner {
    public struct Options: Sendable {
        /// The program, looked up in the child's PATH when it has no "/".
        public var program: String
        /// Its arguments, without the program.
        public var arguments: [String]
        /// The whole environment, as `NAME=value`.
        public var environment: [String]
        public var directory: String

        public init(program: String, arguments: [String], environment: [String], directory: String) {
            self.program = program
            self.arguments = arguments
            self.environment = environment
            self.directory = directory
        }
    }

    /// The hidden first argument that makes `paddock` act as `SupervisedExec`.
    public static let execArgument = "__supervised-exec"

    public private(set) var pid: Int32 = 0
    private var onExit: ((_ status: Int64, _ signal: Int32) -> Void)?

    /// Starts the child; `onExit` runs once when it exits (the handle closes after it). Output lines
    /// go to `output` (stdout) and `errors` (stderr), which close themselves at EOF.
    public init(loop: EventLoop, options: Options, output: OutputPipe, errors: OutputPipe,
                onExit: @escaping (_ status: Int64, _ signal: Int32) -> Void) throws(UVError) {
        super.init(loop: loop, byteCount: uv_handle_size(UV_PROCESS))
        let process = handle.assumingMemoryBound(to: uv_process_t.self)
        self.onExit = onExit
        // The running image, even after the file was replaced or removed (an upgrade): in the
        // forked child, /proc/self/exe still names it. argv[0] is its path, for ps.
        let executable = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : Self.currentExecutable
        let argv = [Self.currentExecutable, Self.execArgument, String(getpid()), options.program] + options.arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = options.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArgs { free(pointer) }
            for pointer in cEnv { free(pointer) }
        }
        var stdio = [uv_stdio_container_t](repeating: uv_stdio_container_t(), count: 3)
        stdio[0].flags = UV_IGNORE
        stdio[1].flags = uv_stdio_flags(UV_CREATE_PIPE.rawValue | UV_WRITABLE_PIPE.rawValue)
        stdio[1].data.stream = output.stream
        stdio[2].flags = uv_stdio_flags(UV_CREATE_PIPE.rawValue | UV_WRITABLE_PIPE.rawValue)
        stdio[2].data.stream = errors.stream
        let rc: Int32 = executable.withCString { file in
            options.directory.withCString { cwd in
                cArgs.withUnsafeMutableBufferPointer { args in
                    cEnv.withUnsafeMutableBufferPointer { env in
                        stdio.withUnsafeMutableBufferPointer { stdio in
                            var spawn = uv_process_options_t()
                            spawn.exit_cb = { p, status, signal in
                                let me = HandleOwner.owner(UnsafeMutableRawPointer(p), as: ChildProcess.self)
                                let callback = me.onExit
                                me.onExit = nil
                                me.close()
                                callback?(status, signal)
                            }
                            spawn.file = file
                            spawn.args = args.baseAddress
                            spawn.env = env.baseAddress
                            spawn.cwd = cwd
                            spawn.stdio_count = 3
                            spawn.stdio = stdio.baseAddress
                            return uv_spawn(loop.raw, process, &spawn)
                        }
                    }
                }
            }
        }
        // uv_spawn initialises the handle before anything can fail, so it is closed either way.
        adoptHandle()
        if rc < 0 {
            self.onExit = nil
            close()
            output.close()
            errors.close()
            throw UVError(rc)
        }
        pid = process.pointee.pid
        output.startReading()
        errors.startReading()
    }

    /// Sends `signal` to the child (not its group); nil when sent.
    @discardableResult
    public func signal(_ signal: Int32) -> UVError? {
        guard !isClosing else { return UVError(UV_ESRCH.rawValue) }
        let rc = uv_process_kill(handle.assumingMemoryBound(to: uv_process_t.self), signal)
        return rc < 0 ? UVError(rc) : nil
    }

    override func willClose() { onExit = nil }

    /// This program's own path (libuv's `uv_exepath`).
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        var size = buffer.count
        guard uv_exepath(&buffer, &size) == 0 else { return "/proc/self/exe" }
        return String(decoding: buffer.prefix(size).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Paddock's own environment, as `NAME=value`.
    public static var inheritedEnvironment: [String] {
        var result: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            result.append(String(cString: entry))
            cursor += 1
        }
        return result
    }
}

/// What `paddock __supervised-exec PARENT PROGRAM ARGS...` does in a freshly spawned child: become a
/// process group leader, have the kernel send SIGTERM when the parent dies (checking that it has
/// not already), then execute the program (PATH lookup as a shell does). Never returns.
public enum SupervisedExec {
    public static func run(_ arguments: [String]) -> Never {
        guard arguments.count >= 2, let parent = Int32(arguments[0]) else {
            printError("paddock \(ChildProcess.execArgument): expected PARENT-PID PROGRAM [ARGS...]")
            exit(2)
        }
        _ = setpgid(0, 0)
        _ = paddock_set_parent_death_signal(SIGTERM)
        // The parent may have died between the fork and the line above.
        if getppid() != parent { exit(1) }
        // Paddock ignores SIGPIPE; the program should start with the default.
        signal(SIGPIPE, SIG_DFL)
        var argv = arguments.dropFirst().map { strdup($0) } + [nil]
        execvp(arguments[1], &argv)
        printError("paddock: cannot run \(arguments[1]): \(String(cString: strerror(errno)))")
        exit(127)
    }

    private static func printError(_ text: String) {
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
