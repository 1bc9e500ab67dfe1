/// One field line of a parsed head. Ranges are byte offsets into the buffer the head was
/// parsed from, so the field is only meaningful together with that buffer.
///
/// Invariants: `name` is a non-empty token; `value` holds only field-value bytes
/// (no CR, LF, NUL or other CTL except HTAB) and has no leading/trailing OWS.
public struct HeaderField: Sendable, Equatable {
    public var name: Range<Int>
    /// Trimmed of leading/trailing OWS.
    public var value: Range<Int>
    public var token: FieldName
    /// True for hop-by-hop fields: Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
    /// Transfer-Encoding, Upgrade, and every field named in a Connection header's value
    /// (except Host, which a proxy always needs). Serializers skip these.
    public var isHopByHop: Bool

    public init(name: Range<Int>, value: Range<Int>, token: FieldName, isHopByHop: Bool) {
        self.name = name
        self.value = value
        self.token = token
        self.isHopByHop = isHopByHop
    }
}

extension Array where Element == HeaderField {
    /// The first field classified as `token`, if any.
    public func first(_ token: FieldName) -> HeaderField? {
        first { $0.token == token }
    }
}
