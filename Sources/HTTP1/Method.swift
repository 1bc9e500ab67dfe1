/// Request methods the proxy treats specially. Methods are case-sensitive
/// (RFC 9110 §9.1), so `get` is `.other`, not `.get`.
public enum Method: Sendable, Equatable {
    case get, head, post, put, delete, options, patch, connect, trace, other

    /// Classifies a method token by length, then exact bytes.
    static func classify(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Method {
        switch range.count {
        case 3:
            if buffer.equalsExactly(range, "GET") { return .get }
            if buffer.equalsExactly(range, "PUT") { return .put }
        case 4:
            if buffer.equalsExactly(range, "POST") { return .post }
            if buffer.equalsExactly(range, "HEAD") { return .head }
        case 5:
            if buffer.equalsExactly(range, "PATCH") { return .patch }
            if buffer.equalsExactly(range, "TRACE") { return .trace }
        case 6:
            if buffer.equalsExactly(range, "DELETE") { return .delete }
        case 7:
            if buffer.equalsExactly(range, "OPTIONS") { return .options }
            if buffer.equalsExactly(range, "CONNECT") { return .connect }
        default:
            break
        }
        return .other
    }
}
