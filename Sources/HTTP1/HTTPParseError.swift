/// A codec error already mapped to the HTTP status the proxy should answer with.
///
/// Request-side errors carry 4xx/5xx statuses (400, 414, 417, 431, 501, 505);
/// response-side errors carry 502 because the fault lies with the upstream.
/// `reason` is short, fixed ASCII text meant for logs; it never contains message bytes,
/// so it is safe to log without escaping.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }
}
