import ArgumentParser
import PaddockConfig
import PaddockCore
import UV
#if canImport(Glibc)
import Glibc
#endif

/// `--config FILE` or `--admin ADDRESS`: which running paddock's admin listener to ask.
struct AdminOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "The config file whose [admin] listen to ask.")
    var config: String?

    @Option(help: "The admin listener to ask, e.g. 127.0.0.1:9901 or unix:/run/paddock/admin.sock.")
    var admin: String?

    /// The address, or an error printed (prefixed with `command`) and exit 1.
    func address(for command: String) throws -> SocketAddressSpec {
        if let admin {
            guard let parsed = SocketAddressSpec(parsing: admin) else {
                printToStandardError("paddock \(command): --admin: \"\(admin)\" is not an address; expected e.g. 127.0.0.1:9901")
                throw ExitCode(1)
            }
            return parsed
        }
        if let config {
            guard let listen = try loadConfig(path: config).admin?.listen else {
                printToStandardError("paddock \(command): \(config) has no [admin] listener to ask")
                throw ExitCode(1)
            }
            return listen
        }
        printToStandardError("paddock \(command): pass --config FILE or --admin ADDRESS")
        throw ExitCode(1)
    }

    /// Sends the request; prints the answer's body (to stderr for an error status) and returns its
    /// status, or prints why it could not ask and exits 1.
    func ask(_ method: String, _ path: String, for command: String) throws -> Int {
        let address = try address(for: command)
        switch AdminFetch.request(method, path, from: address.endpoint) {
        case let .success((status, body)):
            if status >= 400 {
                printToStandardError("paddock \(command): \(body)")
            } else {
                print(body, terminator: "")
            }
            return status
        case let .failure(reason):
            printToStandardError("paddock \(command): cannot ask \(address): \(reason)")
            throw ExitCode(1)
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print pools, servers, instances, health, in-flight and queued counts of a running paddock.",
        discussion: "Reads GET /status from the admin listener named by --admin, or by the [admin] table of --config.")

    @OptionGroup var options: AdminOption

    func run() throws {
        // Like /health: 503 when a pool has no server up.
        if try options.ask("GET", "/status", for: "status") != 200 { throw ExitCode(2) }
    }
}

struct Restart: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rolling restart of the servers a running paddock runs for POOL (its run = { ... }).",
        discussion: """
            One instance at a time: a new one starts, takes requests once it passes its check, and then an \
            old one stops taking requests, finishes those in flight and is stopped. If a new instance does \
            not come up, the old ones keep serving (see paddock status). Asks POST /pools/POOL/restart of \
            the admin listener named by --admin, or by the [admin] table of --config.
            """)

    @Argument(help: "The pool to restart.")
    var pool: String

    @OptionGroup var options: AdminOption

    func run() throws {
        if try options.ask("POST", "/pools/\(pool)/restart", for: "restart") >= 400 { throw ExitCode(1) }
    }
}

/// One blocking request to the admin listener, for the CLI (never used by the proxy itself).
enum AdminFetch {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
        static func errno() -> Failure { Failure(String(cString: strerror(Glibc.errno))) }
    }

    static func request(_ method: String, _ path: String, from endpoint: Endpoint, timeoutSeconds: Int = 5) -> Result<(Int, String), AdminFetch.Failure> {
        let fd: Int32
        switch endpoint {
        case let .ip(host, _):
            fd = socket(host.contains(":") ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        case .unix:
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        guard fd >= 0 else { return .failure(.errno()) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        switch endpoint {
        case .ip:
            connected = (try? endpoint.withSockAddr { address in
                connect(fd, address, socklen_t(address.pointee.sa_family == sa_family_t(AF_INET6)
                    ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size))
            }) ?? -1
        case let .unix(socketPath):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(socketPath.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .failure(Failure("socket path too long")) }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard connected == 0 else { return .failure(.errno()) }
        // A POST says it has no body; a GET has none to announce.
        let length = method == "GET" ? "" : "Content-Length: 0\r\n"
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: paddock\r\n\(length)Connection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            return .failure(.errno())
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 { return .failure(.errno()) }
            if count == 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            return .failure(Failure("not an HTTP answer"))
        }
        return .success((status, String(text[split.upperBound...])))
    }
}
