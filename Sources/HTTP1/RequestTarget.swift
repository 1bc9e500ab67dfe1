/// The request-target of a request line, in one of the forms a reverse proxy accepts
/// (RFC 9112 §3.2).
///
/// - origin-form `/path?query`;
/// - asterisk-form `*`, only for OPTIONS (§3.2.4);
/// - absolute-form `http://authority/path?query` (or https), which servers MUST accept
///   (§3.2.2). Its authority must be non-empty (RFC 9110 §4.2.1), without userinfo
///   (RFC 9110 §4.2.4), and plausible per `Authority.isPlausible`.
///
/// authority-form is only valid for CONNECT, which `RequestLine` rejects before we get here,
/// so it is always 400. A `#` fragment is not part of any request-target and is 400.
///
/// Invariant: `target` and `path` share their lower bound; `path` is `target` up to the
/// first `?`. `path` is empty only for an absolute-form target without a path
/// (`http://h` or `http://h?q`), which means "/" (RFC 9112 §3.2.1).
struct RequestTarget: Sendable {
    var target: Range<Int>
    var path: Range<Int>
    /// The authority of an absolute-form target.
    var authority: Range<Int>?

    enum Outcome {
        case target(RequestTarget)
        case invalid(String)
    }

    static func parse(_ range: Range<Int>, method: Method, in buffer: UnsafeRawBufferPointer) -> Outcome {
        if buffer.firstIndex(of: UInt8(ascii: "#"), in: range) != nil {
            return .invalid("fragment in request target")
        }
        let first = buffer[range.lowerBound]
        if first == .slash {
            return .target(RequestTarget(target: range, path: pathPart(of: range, in: buffer), authority: nil))
        }
        if first == UInt8(ascii: "*") && range.count == 1 {
            guard method == .options else { return .invalid("asterisk-form target requires OPTIONS") }
            return .target(RequestTarget(target: range, path: range, authority: nil))
        }
        return parseAbsolute(range, in: buffer)
    }

    private static func parseAbsolute(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Outcome {
        let lo = range.lowerBound
        let authorityStart: Int
        if range.count > 7, buffer.equalsIgnoringCase(lo..<(lo + 7), "http://") {
            authorityStart = lo + 7
        } else if range.count > 8, buffer.equalsIgnoringCase(lo..<(lo + 8), "https://") {
            authorityStart = lo + 8
        } else {
            return .invalid("unsupported request target form")
        }
        var i = authorityStart
        while i < range.upperBound, buffer[i] != .slash, buffer[i] != .question { i += 1 }
        let authority = authorityStart..<i
        guard !authority.isEmpty else { return .invalid("empty authority in request target") }
        guard buffer.firstIndex(of: UInt8(ascii: "@"), in: authority) == nil else {
            return .invalid("userinfo in request target")
        }
        guard Authority.isPlausible(authority, in: buffer) else { return .invalid("invalid authority in request target") }
        let target = i..<range.upperBound
        return .target(RequestTarget(target: target, path: pathPart(of: target, in: buffer), authority: authority))
    }

    private static func pathPart(of target: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Range<Int> {
        target.lowerBound..<(buffer.firstIndex(of: .question, in: target) ?? target.upperBound)
    }
}
