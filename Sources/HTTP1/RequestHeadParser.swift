/// Incremental request-head parser. Call `parse` with the whole buffer received so far (same
/// start each time, longer each call); it resumes where it stopped, so total work is O(n).
/// Call `reset()` before the next message, passing a buffer that starts at that message.
///
/// Allocation: one `fields` array per head (capacity reserved once); no Strings.
/// A `.failure` is sticky until `reset()`. After `.complete` the parser has already reset
/// itself (so calling `reset()` is harmless), and parsing the same buffer again yields the same
/// head.
///
/// Up to `maxLeadingEmptyLines` CRLFs before the request line are skipped (RFC 9112 §2.2:
/// a server SHOULD ignore at least one); more is 400, so the skipping stays bounded.
public struct RequestHeadParser: Sendable {
    /// Bound on ignored CRLFs before the request line.
    public static let maxLeadingEmptyLines = 8

    public let limits: HTTPLimits
    /// Set once the request line is parsed; nil while still looking for it.
    private var requestLine: RequestLine?
    /// Sticky: once set, every `parse` returns it until `reset()`.
    private var failure: HTTPParseError?
    private var scanner = LineScanner()
    private var accumulator = FieldAccumulator()
    private var leadingEmptyLines = 0

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    public mutating func reset() {
        requestLine = nil
        failure = nil
        scanner.reset()
        accumulator.reset()
        leadingEmptyLines = 0
    }

    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> HeadParseResult<RequestHead> {
        if let failure { return .failure(failure) }
        // Ranges already recorded point into the earlier bytes; a shorter buffer would make
        // them dangle, so fail loudly instead of reading out of bounds.
        precondition(buffer.count >= scanner.examined, "parse called with a buffer shorter than before")
        while true {
            let inRequestLine = requestLine == nil
            let step = scanner.nextLine(
                buffer, maxLineBytes: inRequestLine ? limits.maxRequestLineBytes : limits.maxFieldLineBytes,
                maxHeadBytes: limits.maxHeadBytes)
            let error: HTTPParseError
            switch step {
            case .needMore:
                return .incomplete
            case .bareCR:
                error = HTTPParseError(status: 400, reason: "bare CR")
            case .bareLF:
                error = HTTPParseError(status: 400, reason: "bare LF line terminator")
            case .lineTooLong:
                error = inRequestLine
                    ? HTTPParseError(status: 414, reason: "request line too long")
                    : HTTPParseError(status: 431, reason: "field line too long")
            case .headTooLarge:
                error = HTTPParseError(status: 431, reason: "request head too large")
            case .line(let line):
                guard let requestLine else {
                    guard let lineError = startLine(line, in: buffer) else { continue }
                    error = lineError
                    break
                }
                if line.isEmpty {
                    // The head is complete. Reset first, so that a repeated call re-parses to
                    // the same head without this parser storing (and copying) it.
                    let fields = accumulator.take()
                    let headLength = scanner.consumed
                    reset()
                    let result = RequestHeadBuilder.build(requestLine, fields: fields, headLength: headLength, in: buffer)
                    if case .failure(let buildError) = result { failure = buildError }
                    return result
                }
                guard let fieldError = accumulator.add(line, in: buffer, limits: limits, policy: .request,
                                                       dropUnderscore: limits.dropUnderscoreFields) else { continue }
                error = fieldError
            }
            failure = error
            return .failure(error)
        }
    }

    /// Handles a line before the request line is known: skips a bounded number of empty
    /// lines, else parses the request line. Returns an error, or nil to go on.
    private mutating func startLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> HTTPParseError? {
        if line.isEmpty {
            leadingEmptyLines += 1
            return leadingEmptyLines > Self.maxLeadingEmptyLines
                ? HTTPParseError(status: 400, reason: "too many empty lines before request line")
                : nil
        }
        switch RequestLine.parse(line, in: buffer) {
        case .line(let parsed):
            requestLine = parsed
            return nil
        case .invalid(let error):
            return error
        }
    }
}
