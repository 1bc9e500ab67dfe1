/// A parsed request line (RFC 9112 §3): `method SP request-target SP HTTP-version`.
///
/// Strict: exactly one SP between the three parts and none elsewhere (§3 permits lenient
/// whitespace parsing but it breaks agreement with the next hop); method a token; target
/// visible ASCII; version exactly `HTTP/1.1` or `HTTP/1.0` (case-sensitive, §2.3).
/// A well-formed but different version (`HTTP/2.0`, `HTTP/1.2`) is 505: we would have to
/// downgrade it to 1.1 upstream, and no real 1.x client sends anything but 1.0 or 1.1.
/// HTTP/0.9 (no version) is 400.
struct RequestLine: Sendable {
    var method: Range<Int>
    var methodKind: Method
    var target: RequestTarget
    var version: HTTPVersion

    static func parse(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Result<RequestLine, HTTPParseError> {
        ByteClass.withView { parse(line, in: buffer, classes: $0) }
    }

    private static func parse(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer, classes: ByteClass.View) -> Result<RequestLine, HTTPParseError> {
        let end = line.upperBound
        var i = line.lowerBound
        while i < end, classes.isToken(buffer[i]) { i += 1 }
        let method = line.lowerBound..<i
        guard !method.isEmpty, i < end, buffer[i] == .space else {
            return .failure(HTTPParseError(status: 400, reason: "invalid method"))
        }
        i += 1
        let targetStart = i
        while i < end, classes.isTarget(buffer[i]) { i += 1 }
        let target = targetStart..<i
        if target.isEmpty {
            return .failure(HTTPParseError(status: 400, reason: "invalid request target"))
        }
        guard i < end else {
            return .failure(HTTPParseError(status: 400, reason: "missing HTTP version"))
        }
        guard buffer[i] == .space else {
            return .failure(HTTPParseError(status: 400, reason: "invalid character in request target"))
        }
        let versionRange = (i + 1)..<end
        let version: HTTPVersion
        switch parseVersion(versionRange, in: buffer) {
        case .supported(let v): version = v
        case .unsupported: return .failure(HTTPParseError(status: 505, reason: "HTTP version not supported"))
        case .malformed: return .failure(HTTPParseError(status: 400, reason: "invalid HTTP version"))
        }
        let methodKind = Method.classify(method, in: buffer)
        if methodKind == .connect {
            // A reverse proxy for app servers has no use for tunnels; 501 says "not implemented"
            // without promising an Allow list the way 405 would.
            return .failure(HTTPParseError(status: 501, reason: "CONNECT not supported"))
        }
        switch RequestTarget.parse(target, method: methodKind, in: buffer) {
        case .target(let t):
            return .success(RequestLine(method: method, methodKind: methodKind, target: t, version: version))
        case .invalid(let reason):
            return .failure(HTTPParseError(status: 400, reason: reason))
        }
    }

    enum VersionParse: Equatable {
        case supported(HTTPVersion)
        case unsupported
        case malformed
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3), case-sensitive.
    static func parseVersion(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> VersionParse {
        if buffer.equalsExactly(range, "HTTP/1.1") { return .supported(.http1_1) }
        if buffer.equalsExactly(range, "HTTP/1.0") { return .supported(.http1_0) }
        guard range.count == 8, buffer.equalsExactly(range.lowerBound..<(range.lowerBound + 5), "HTTP/"),
              ByteClass.isDigit(buffer[range.lowerBound + 5]),
              buffer[range.lowerBound + 6] == UInt8(ascii: "."),
              ByteClass.isDigit(buffer[range.lowerBound + 7])
        else { return .malformed }
        return .unsupported
    }
}
