/// Parses the address syntax of the config, explaining what is wrong when it fails.
enum AddressParser {
    /// Longest unix socket path that fits in `sockaddr_un.sun_path` (108 bytes on Linux, including the NUL).
    static let maxUnixPathBytes = 107

    /// Why a string is not an address; `reason` is a short phrase for messages.
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// The forms accepted, for "expected ..." parts of messages.
    static let expectedForms = #""IPv4:port", "[IPv6]:port", "localhost:port" or "unix:/absolute/path""#

    static func parse(_ text: String) -> Result<SocketAddressSpec, Failure> {
        if text.isEmpty { return .failure(Failure(reason: "empty")) }
        if text.hasPrefix("unix:") { return parseUnix(text.dropFirst(5)) }
        if text.hasPrefix("[") { return parseBracketed(text[...]) }
        return parseHostPort(text[...])
    }

    private static func parseUnix(_ path: Substring) -> Result<SocketAddressSpec, Failure> {
        if path.isEmpty { return .failure(Failure(reason: "empty unix socket path")) }
        if !path.hasPrefix("/") { return .failure(Failure(reason: "unix socket path must be absolute")) }
        if path.utf8.contains(0) { return .failure(Failure(reason: "unix socket path contains a NUL byte")) }
        if path.utf8.count > maxUnixPathBytes {
            return .failure(Failure(reason: "unix socket path is longer than \(maxUnixPathBytes) bytes"))
        }
        return .success(.unix(path: String(path)))
    }

    private static func parseBracketed(_ text: Substring) -> Result<SocketAddressSpec, Failure> {
        guard let close = text.firstIndex(of: "]") else {
            return .failure(Failure(reason: #"missing "]""#))
        }
        let inner = text[text.index(after: text.startIndex)..<close]
        let rest = text[text.index(after: close)...]
        guard let host = IPv6Literal.canonical(inner) else {
            return .failure(Failure(reason: "\(quoted(inner)) is not a valid IPv6 address"))
        }
        guard rest.hasPrefix(":") else {
            return .failure(Failure(reason: rest.isEmpty ? #"missing ":port""# : #"expected ":port" after "]""#))
        }
        return parsePort(rest.dropFirst()).map { .ipv6(host: host, port: $0) }
    }

    private static func parseHostPort(_ text: Substring) -> Result<SocketAddressSpec, Failure> {
        let colons = text.count { $0 == ":" }
        if colons > 1 {
            return .failure(Failure(reason: #"IPv6 addresses must be in brackets, e.g. "[::1]:8080""#))
        }
        guard let colon = text.firstIndex(of: ":") else {
            return .failure(Failure(reason: #"missing ":port""#))
        }
        let hostText = text[..<colon]
        let port: UInt16
        switch parsePort(text[text.index(after: colon)...]) {
        case .success(let value): port = value
        case .failure(let failure): return .failure(failure)
        }
        if hostText == "localhost" { return .success(.ipv4(host: "127.0.0.1", port: port)) }
        if let host = IPv4Literal.canonical(hostText) { return .success(.ipv4(host: host, port: port)) }
        if hostText.isEmpty { return .failure(Failure(reason: "missing host")) }
        if hostText.allSatisfy({ $0.isNumber || $0 == "." }) {
            return .failure(Failure(reason: "\(quoted(hostText)) is not a valid IPv4 address"))
        }
        return .failure(Failure(reason: #"host names other than "localhost" are not supported; use an IP address"#))
    }

    private static func parsePort(_ text: Substring) -> Result<UInt16, Failure> {
        guard !text.isEmpty else { return .failure(Failure(reason: "missing port number")) }
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .failure(Failure(reason: "\(quoted(text)) is not a port number"))
        }
        guard text.utf8.count <= 5, let value = Int(text), (1...65535).contains(value) else {
            return .failure(Failure(reason: "port \(text) is out of range 1-65535"))
        }
        return .success(UInt16(value))
    }
}
