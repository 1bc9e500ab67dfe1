import PaddockConfig
import UV

/// A server's identity inside its pool. Stable for the pool's lifetime: a config swap that keeps an
/// address keeps its id, and with it the server's slot count and health.
struct ServerID: Hashable, Sendable, CustomStringConvertible {
    let raw: Int
    var description: String { "#\(raw)" }
}

/// A server as a request sees it: who it is and where to connect.
struct ServerRef: Equatable, Sendable {
    let id: ServerID
    let endpoint: Endpoint
}

extension SocketAddressSpec {
    /// The UV layer's view of a configured address.
    public var endpoint: Endpoint {
        switch self {
        case let .ipv4(host, port): .ip(host: host, port: port)
        case let .ipv6(host, port): .ip(host: host, port: port)
        case let .unix(path): .unix(path: path)
        }
    }
}
