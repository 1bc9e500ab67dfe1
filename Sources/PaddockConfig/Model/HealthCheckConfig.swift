/// A pool's active health check: a real HTTP GET to each server, on its own connection, every
/// `interval`. A server is marked down after `fall` failures in a row and up after `rise`
/// successes in a row; failed connects, resets before a response and response timeouts of real
/// requests count as failures too.
///
/// Invariants (after validation): `path` starts with "/" and holds no space or control byte;
/// `host` is non-empty with no space or control byte; `timeout <= interval`; `rise`, `fall` in 1...100.
public struct HealthCheckConfig: Sendable, Equatable {
    public var path: String
    /// The Host header of the check request.
    public var host: String
    public var intervalMilliseconds: Int64
    /// For the connect and the response head together.
    public var timeoutMilliseconds: Int64
    public var rise: Int
    public var fall: Int
    public var expectStatus: StatusMatcher

    public init(path: String = ConfigDefaults.healthPath, host: String = ConfigDefaults.healthHost,
                intervalMilliseconds: Int64 = ConfigDefaults.healthIntervalMilliseconds,
                timeoutMilliseconds: Int64 = ConfigDefaults.healthTimeoutMilliseconds,
                rise: Int = ConfigDefaults.healthRise, fall: Int = ConfigDefaults.healthFall,
                expectStatus: StatusMatcher = ConfigDefaults.healthExpectStatus) {
        self.path = path
        self.host = host
        self.intervalMilliseconds = intervalMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.rise = rise
        self.fall = fall
        self.expectStatus = expectStatus
    }
}

/// Which response statuses count as healthy: a comma-separated list of codes ("200", "204") and
/// classes ("2xx", "3xx").
public struct StatusMatcher: Sendable, Equatable, CustomStringConvertible {
    public let ranges: [ClosedRange<Int>]
    public let description: String

    /// Nil when `text` is not such a list.
    public init?(_ text: String) {
        var ranges: [ClosedRange<Int>] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingCharacters(in: " ")
            let bytes = Array(item.utf8)
            guard bytes.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(bytes[0]) else { return nil }
            let first = Int(bytes[0] - UInt8(ascii: "0")) * 100
            if bytes[1] == UInt8(ascii: "x") && bytes[2] == UInt8(ascii: "x") {
                ranges.append(first...(first + 99))
            } else if let code = Int(item), code >= 100, code <= 599 {
                ranges.append(code...code)
            } else {
                return nil
            }
        }
        self.ranges = ranges
        description = text
    }

    public func matches(_ status: Int) -> Bool { ranges.contains { $0.contains(status) } }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return text
    }
}
