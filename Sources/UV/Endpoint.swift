import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// Where a socket connects or listens: an IP literal and port, or a unix socket path.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case ip(host: String, port: UInt16)
    case unix(path: String)

    public var description: String {
        switch self {
        case let .ip(host, port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case let .unix(path): "unix:\(path)"
        }
    }

    /// Fills a `sockaddr_storage` for an `.ip` endpoint.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>) throws(UVError) -> R) throws(UVError) -> R {
        guard case let .ip(host, port) = self else { preconditionFailure("not an IP endpoint") }
        var storage = sockaddr_storage()
        let rc: Int32 = withUnsafeMutableBytes(of: &storage) { raw in
            if host.contains(":") {
                return uv_ip6_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            }
            return uv_ip4_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
        }
        try UVError.check(rc)
        return try withUnsafeBytes(of: &storage) { raw throws(UVError) in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self))
        }
    }

    /// Formats a socket address as an IP string ("127.0.0.1", "::1"); IPv4-mapped IPv6 is shown as IPv4.
    static func ipString(_ storage: UnsafePointer<sockaddr_storage>) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        func text() -> String {
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let rc = storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { uv_ip4_name($0, &buffer, 64) }
            return rc == 0 ? text() : nil
        case AF_INET6:
            let rc = storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { uv_ip6_name($0, &buffer, 64) }
            guard rc == 0 else { return nil }
            let text = text()
            return text.hasPrefix("::ffff:") && text.contains(".") ? String(text.dropFirst(7)) : text
        default:
            return nil
        }
    }

    static func port(_ storage: UnsafePointer<sockaddr_storage>) -> UInt16? {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
        default:
            return nil
        }
    }
}

extension Endpoint {
    /// A TCP port on 127.0.0.1 that is free now: bound to port 0 and closed again, so the kernel
    /// picked one nobody uses (another process could still take it before it is used).
    public static func freeLoopbackPort() throws(UVError) -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UVError(-errno) }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw UVError(-errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw UVError(-errno) }
        return UInt16(bigEndian: address.sin_port)
    }
}
