/// A parsed status line (RFC 9112 §4): `HTTP-version SP 3DIGIT SP [reason-phrase]`.
///
/// Strict on version and status code (exactly `HTTP/1.1`/`HTTP/1.0`, a status in 100–599),
/// liberal on the reason phrase (any HTAB, SP, VCHAR, obs-text), and the SP before an empty
/// reason may be missing: many servers send `HTTP/1.1 200\r\n`. Every error is 502.
struct StatusLine: Sendable {
    var version: HTTPVersion
    var status: Int
    var reason: Range<Int>

    static func parse(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Result<StatusLine, HTTPParseError> {
        let invalid = Result<StatusLine, HTTPParseError>.failure(HTTPParseError(status: 502, reason: "invalid status line"))
        let lo = line.lowerBound
        guard line.count >= 12, buffer[lo + 8] == .space else { return invalid }
        let version: HTTPVersion
        switch RequestLine.parseVersion(lo..<(lo + 8), in: buffer) {
        case .supported(let v): version = v
        case .unsupported, .malformed: return invalid
        }
        var status = 0
        for i in (lo + 9)..<(lo + 12) {
            guard ByteClass.isDigit(buffer[i]) else { return invalid }
            status = status * 10 + Int(buffer[i] &- UInt8(ascii: "0"))
        }
        guard (100...599).contains(status) else { return invalid }
        var reason = line.upperBound..<line.upperBound
        if line.count > 12 {
            guard buffer[lo + 12] == .space else { return invalid }
            reason = (lo + 13)..<line.upperBound
            for i in reason where !ByteClass.isFieldValue(buffer[i]) { return invalid }
        }
        return .success(StatusLine(version: version, status: status, reason: reason))
    }
}
