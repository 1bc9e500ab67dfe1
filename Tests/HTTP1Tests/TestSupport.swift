import HTTP1
import Testing

/// What a parse of a whole message head should produce.
enum Verdict: Equatable, Sendable, CustomStringConvertible {
    case ok
    case incomplete
    case error(Int)

    var description: String {
        switch self {
        case .ok: "ok"
        case .incomplete: "incomplete"
        case .error(let status): "error \(status)"
        }
    }
}

/// One row of a rule table: raw message text, expected verdict, and the rule it enforces.
///
/// `reason` pins the error's reason text. Rows set it where another rule would reject the same
/// input with the same status (a bare CR in a value is also an invalid value byte), so that
/// the row still fails when its own rule is removed.
struct Row: Sendable, CustomTestStringConvertible {
    var rule: String
    var raw: String
    var expected: Verdict
    var reason: String?

    init(_ rule: String, _ raw: String, _ expected: Verdict, reason: String? = nil) {
        self.rule = rule
        self.raw = raw
        self.expected = expected
        self.reason = reason
    }

    var testDescription: String { "\(rule) → \(expected)" }

    /// Records an issue unless `status` and `reason` (an error, or nil for ok/incomplete) match.
    func check(_ actual: Verdict, reason actualReason: String?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual == expected, "\(rule)", sourceLocation: sourceLocation)
        if let reason {
            #expect(actualReason == reason, "\(rule)", sourceLocation: sourceLocation)
        }
    }

    /// Parses `raw` as a request and checks the result.
    func checkRequest(limits: HTTPLimits = HTTPLimits(), sourceLocation: SourceLocation = #_sourceLocation) {
        let result = parseRequest(raw, limits: limits)
        check(verdict(result), reason: failureReason(result), sourceLocation: sourceLocation)
    }
}

/// A parsed head together with the bytes its ranges point into.
struct Parsed<Head: Sendable> {
    var head: Head
    var bytes: [UInt8]

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    func text(_ range: Range<Int>?) -> String? {
        range.map { text($0) }
    }
}

extension Parsed where Head == RequestHead {
    /// "name: value" for every field, in order.
    var fieldLines: [String] {
        head.fields.map { text($0.name) + ": " + text($0.value) }
    }
}

func verdict<Head>(_ result: HeadParseResult<Head>) -> Verdict {
    switch result {
    case .complete: .ok
    case .incomplete: .incomplete
    case .failure(let error): .error(error.status)
    }
}

func failureReason<Head>(_ result: HeadParseResult<Head>) -> String? {
    if case .failure(let error) = result { error.reason } else { nil }
}

func parseRequest(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> HeadParseResult<RequestHead> {
    var parser = RequestHeadParser(limits: limits)
    return bytes.withUnsafeBytes { parser.parse($0) }
}

func parseRequest(_ raw: String, limits: HTTPLimits = HTTPLimits()) -> HeadParseResult<RequestHead> {
    parseRequest(Array(raw.utf8), limits: limits)
}

/// Parses a request that must be valid, recording an issue otherwise.
func request(_ raw: String, limits: HTTPLimits = HTTPLimits(),
             sourceLocation: SourceLocation = #_sourceLocation) -> Parsed<RequestHead>? {
    let bytes = Array(raw.utf8)
    switch parseRequest(bytes, limits: limits) {
    case .complete(let head):
        return Parsed(head: head, bytes: bytes)
    case let other:
        Issue.record("expected a complete request, got \(verdict(other))", sourceLocation: sourceLocation)
        return nil
    }
}

func parseResponse(_ raw: String, method: Method = .get,
                   limits: HTTPLimits = HTTPLimits()) -> HeadParseResult<ResponseHead> {
    var parser = ResponseHeadParser(limits: limits)
    return Array(raw.utf8).withUnsafeBytes { parser.parse($0, requestMethod: method) }
}

func response(_ raw: String, method: Method = .get,
              sourceLocation: SourceLocation = #_sourceLocation) -> Parsed<ResponseHead>? {
    switch parseResponse(raw, method: method) {
    case .complete(let head):
        return Parsed(head: head, bytes: Array(raw.utf8))
    case let other:
        Issue.record("expected a complete response, got \(verdict(other))", sourceLocation: sourceLocation)
        return nil
    }
}

extension String {
    /// Repeats `self` `count` times.
    func times(_ count: Int) -> String { String(repeating: self, count: count) }
}
