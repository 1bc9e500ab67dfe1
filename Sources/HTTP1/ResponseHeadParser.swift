/// Incremental response-head parser, the mirror of `RequestHeadParser`: call `parse` with the
/// whole buffer received so far (same start, growing), O(n) overall, `reset()` between
/// messages (including after each 1xx; after `.complete` it has reset itself, and a
/// `.failure` is sticky until `reset()`). No leading empty lines are skipped: RFC 9112 §2.2
/// grants that leniency to servers only. Every error is 502 (the upstream is at fault).
/// The status line is bounded by `maxFieldLineBytes`.
public struct ResponseHeadParser: Sendable {
    public let limits: HTTPLimits
    /// Set once the status line is parsed.
    private var statusLine: StatusLine?
    /// Sticky: once set, every `parse` returns it until `reset()`.
    private var failure: HTTPParseError?
    private var scanner = LineScanner()
    private var accumulator = FieldAccumulator()

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    public mutating func reset() {
        statusLine = nil
        failure = nil
        scanner.reset()
        accumulator.reset()
    }

    /// `requestMethod` decides framing for HEAD and CONNECT (RFC 9112 §6.3); pass the same
    /// value on every call for one response.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, requestMethod: Method) -> HeadParseResult<ResponseHead> {
        if let failure { return .failure(failure) }
        // Ranges already recorded point into the earlier bytes; a shorter buffer would make
        // them dangle, so fail loudly instead of reading out of bounds.
        precondition(buffer.count >= scanner.examined, "parse called with a buffer shorter than before")
        while true {
            let step = scanner.nextLine(buffer, maxLineBytes: limits.maxFieldLineBytes, maxHeadBytes: limits.maxHeadBytes)
            let error: HTTPParseError
            switch step {
            case .needMore:
                return .incomplete
            case .bareCR:
                error = HTTPParseError(status: 502, reason: "bare CR in response head")
            case .bareLF:
                error = HTTPParseError(status: 502, reason: "bare LF in response head")
            case .lineTooLong:
                error = HTTPParseError(status: 502, reason: "response head line too long")
            case .headTooLarge:
                error = HTTPParseError(status: 502, reason: "response head too large")
            case .line(let line):
                guard let statusLine else {
                    switch StatusLine.parse(line, in: buffer) {
                    case .success(let parsed):
                        self.statusLine = parsed
                        continue
                    case .failure(let lineError):
                        error = lineError
                    }
                    break
                }
                if line.isEmpty {
                    // Reset first, so that a repeated call re-parses to the same head.
                    let fields = accumulator.take()
                    let headLength = scanner.consumed
                    reset()
                    let result = ResponseHeadBuilder.build(
                        statusLine, fields: fields, headLength: headLength, requestMethod: requestMethod, in: buffer)
                    if case .failure(let buildError) = result { failure = buildError }
                    return result
                }
                guard let fieldError = accumulator.add(line, in: buffer, limits: limits, policy: .response,
                                                       dropUnderscore: false) else { continue }
                error = fieldError
            }
            failure = error
            return .failure(error)
        }
    }
}
