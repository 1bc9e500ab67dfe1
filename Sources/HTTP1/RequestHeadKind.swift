/// Request heads for `HeadParseLoop`: the client is at fault, so errors are 4xx; the request
/// line has its own limit (414); a few empty lines before it are tolerated (RFC 9112 §2.2).
enum RequestHeadKind: HeadKind {
    typealias Context = Void

    static var maxLeadingEmptyLines: Int { RequestHeadParser.maxLeadingEmptyLines }

    static func maxStartLineBytes(_ limits: HTTPLimits) -> Int { limits.maxRequestLineBytes }

    static func dropsUnderscoreFields(_ limits: HTTPLimits) -> Bool { limits.dropUnderscoreFields }

    static var fieldPolicy: ErrorPolicy { .request }

    static func error(_ fault: HeadLineFault) -> HTTPParseError {
        switch fault {
        case .bareCR: HTTPParseError(status: 400, reason: "bare CR")
        case .bareLF: HTTPParseError(status: 400, reason: "bare LF line terminator")
        case .startLineTooLong: HTTPParseError(status: 414, reason: "request line too long")
        case .fieldLineTooLong: HTTPParseError(status: 431, reason: "field line too long")
        case .headTooLarge: HTTPParseError(status: 431, reason: "request head too large")
        }
    }

    static func parseStartLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Result<RequestLine, HTTPParseError> {
        // Only reached once the tolerated empty lines are used up, so this one is too many.
        if line.isEmpty { return .failure(HTTPParseError(status: 400, reason: "too many empty lines before request line")) }
        return RequestLine.parse(line, in: buffer)
    }

    static func build(
        _ line: RequestLine, fields: [HeaderField], headLength: Int, context: Void, in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<RequestHead> {
        RequestHeadBuilder.build(line, fields: fields, headLength: headLength, in: buffer)
    }
}
