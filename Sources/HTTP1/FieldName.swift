/// Well-known field names, classified once by the parser so later code switches on an
/// enum instead of comparing strings. Everything else is `.other`.
public enum FieldName: UInt8, Sendable {
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case proxyConnection
    case te
    case trailer
    case upgrade
    case expect
    case xForwardedFor
    case xForwardedProto
    case xForwardedHost
    case xRequestID
    case forwarded
    case date
    case server

    /// True for the fields RFC 9110 §7.6.1 and RFC 9112 name as connection-specific,
    /// plus the legacy Keep-Alive and Proxy-Connection. A proxy must not forward them.
    public var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .transferEncoding, .upgrade: true
        default: false
        }
    }

    /// Classifies a field name (already validated as a token) by length, then by a
    /// case-insensitive byte compare against the few candidates of that length.
    static func classify(_ name: Range<Int>, in buffer: UnsafeRawBufferPointer) -> FieldName {
        switch name.count {
        case 2:
            return buffer.equalsIgnoringCase(name, "te") ? .te : .other
        case 4:
            if buffer.equalsIgnoringCase(name, "host") { return .host }
            if buffer.equalsIgnoringCase(name, "date") { return .date }
        case 6:
            if buffer.equalsIgnoringCase(name, "expect") { return .expect }
            if buffer.equalsIgnoringCase(name, "server") { return .server }
        case 7:
            if buffer.equalsIgnoringCase(name, "upgrade") { return .upgrade }
            if buffer.equalsIgnoringCase(name, "trailer") { return .trailer }
        case 9:
            if buffer.equalsIgnoringCase(name, "forwarded") { return .forwarded }
        case 10:
            if buffer.equalsIgnoringCase(name, "connection") { return .connection }
            if buffer.equalsIgnoringCase(name, "keep-alive") { return .keepAlive }
        case 12:
            if buffer.equalsIgnoringCase(name, "x-request-id") { return .xRequestID }
        case 14:
            if buffer.equalsIgnoringCase(name, "content-length") { return .contentLength }
        case 15:
            if buffer.equalsIgnoringCase(name, "x-forwarded-for") { return .xForwardedFor }
        case 16:
            if buffer.equalsIgnoringCase(name, "proxy-connection") { return .proxyConnection }
            if buffer.equalsIgnoringCase(name, "x-forwarded-host") { return .xForwardedHost }
        case 17:
            if buffer.equalsIgnoringCase(name, "transfer-encoding") { return .transferEncoding }
            if buffer.equalsIgnoringCase(name, "x-forwarded-proto") { return .xForwardedProto }
        default:
            break
        }
        return .other
    }
}
