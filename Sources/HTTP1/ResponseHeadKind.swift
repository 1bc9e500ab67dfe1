/// Response heads for `HeadParseLoop`: the upstream is at fault, so every error is 502; the
/// status line shares the field-line limit; no empty line is skipped before it (RFC 9112 §2.2
/// grants that leniency to servers only), so an empty first line is an invalid status line.
enum ResponseHeadKind: HeadKind {
    /// The method of the request being answered: it decides framing (RFC 9112 §6.3).
    typealias Context = Method

    static var maxLeadingEmptyLines: Int { 0 }

    static func maxStartLineBytes(_ limits: HTTPLimits) -> Int { limits.maxFieldLineBytes }

    /// `dropUnderscoreFields` protects WSGI applications from forged request fields; responses keep theirs.
    static func dropsUnderscoreFields(_ limits: HTTPLimits) -> Bool { false }

    static var fieldPolicy: ErrorPolicy { .response }

    static func error(_ fault: HeadLineFault) -> HTTPParseError {
        switch fault {
        case .bareCR: HTTPParseError(status: 502, reason: "bare CR in response head")
        case .bareLF: HTTPParseError(status: 502, reason: "bare LF in response head")
        case .startLineTooLong, .fieldLineTooLong: HTTPParseError(status: 502, reason: "response head line too long")
        case .headTooLarge: HTTPParseError(status: 502, reason: "response head too large")
        }
    }

    static func parseStartLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Result<StatusLine, HTTPParseError> {
        StatusLine.parse(line, in: buffer)
    }

    static func build(
        _ line: StatusLine, fields: [HeaderField], headLength: Int, context: Method, in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<ResponseHead> {
        ResponseHeadBuilder.build(line, fields: fields, headLength: headLength, requestMethod: context, in: buffer)
    }
}
