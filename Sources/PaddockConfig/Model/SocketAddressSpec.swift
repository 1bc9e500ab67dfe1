/// An address to listen on or connect to, exactly as the config can express it.
///
/// Invariants (guaranteed for values produced by `parse`):
/// - `ipv4.host` is a canonical dotted quad ("localhost" is normalized to "127.0.0.1").
/// - `ipv6.host` is the canonical textual form (as printed by `inet_ntop`), without brackets.
/// - ports are in 1...65535.
/// - `unix.path` is absolute and fits in `sockaddr_un.sun_path`.
/// Because of that normalization, two specs that denote the same socket compare equal.
public enum SocketAddressSpec: Sendable, Hashable, CustomStringConvertible {
    case ipv4(host: String, port: UInt16)
    case ipv6(host: String, port: UInt16)
    case unix(path: String)

    /// Parses "a.b.c.d:port", "[v6]:port", "localhost:port" or "unix:/absolute/path"; nil if invalid.
    public static func parse(_ text: String) -> SocketAddressSpec? {
        try? AddressParser.parse(text).get()
    }

    /// The config syntax for this address: "127.0.0.1:8001", "[::1]:8001", "unix:/path".
    public var description: String {
        switch self {
        case .ipv4(let host, let port): "\(host):\(port)"
        case .ipv6(let host, let port): "[\(host)]:\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// The TCP port, or nil for unix sockets.
    public var port: UInt16? {
        switch self {
        case .ipv4(_, let port), .ipv6(_, let port): port
        case .unix: nil
        }
    }

    /// True for the "any address" listeners 0.0.0.0 and [::].
    public var isWildcard: Bool {
        switch self {
        case .ipv4(let host, _): host == "0.0.0.0"
        case .ipv6(let host, _): host == "::"
        case .unix: false
        }
    }
}

extension SocketAddressSpec {
    /// An address written as in a config file ("127.0.0.1:9901", "[::1]:9901", "unix:/path"), or nil.
    public init?(parsing text: String) {
        guard case let .success(address) = AddressParser.parse(text) else { return nil }
        self = address
    }
}
