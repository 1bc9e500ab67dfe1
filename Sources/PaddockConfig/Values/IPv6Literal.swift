#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IPv6 parsing via the platform's `inet_pton`, normalized with `inet_ntop`.
enum IPv6Literal {
    /// The canonical form of an IPv6 address written without brackets (e.g. "0:0::1" → "::1"),
    /// or nil if `text` is not one. Zone ids ("%eth0") are rejected.
    static func canonical(_ text: Substring) -> String? {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var address = in6_addr()
        let parsed = String(text).withCString { inet_pton(AF_INET6, $0, &address) }
        guard parsed == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = buffer.withUnsafeMutableBufferPointer { out in
            inet_ntop(AF_INET6, &address, out.baseAddress, socklen_t(out.count))
        }
        guard written != nil else { return nil }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
