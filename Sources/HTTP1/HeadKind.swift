/// What differs between parsing a request head and a response head; everything else is
/// `HeadParseLoop`. Conformers are caseless enums with static requirements only, so the loop
/// is specialised per kind and nothing is dispatched dynamically on the per-line path.
///
/// Every requirement must be a pure function of its arguments: the loop may call them in any
/// order and as often as it needs.
protocol HeadKind {
    associatedtype StartLine: Sendable
    associatedtype Head: Sendable
    /// What `build` needs besides the lines, passed on every `parse` call: the request method
    /// for a response (it decides framing), nothing for a request.
    associatedtype Context

    /// Empty lines skipped before the start line; a further one goes to `parseStartLine`.
    static var maxLeadingEmptyLines: Int { get }

    /// Bound on the start line's content (leading empty lines are bounded by it too).
    static func maxStartLineBytes(_ limits: HTTPLimits) -> Int

    /// Whether field names containing `_` are dropped under `limits`.
    static func dropsUnderscoreFields(_ limits: HTTPLimits) -> Bool

    /// Statuses for the field-line errors that `FieldAccumulator` detects.
    static var fieldPolicy: ErrorPolicy { get }

    /// The error answering a fault the loop itself detects.
    static func error(_ fault: HeadLineFault) -> HTTPParseError

    /// Parses the first line that is not a skipped empty line. It is handed an empty line only
    /// after `maxLeadingEmptyLines` have already been skipped.
    static func parseStartLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> Result<StartLine, HTTPParseError>

    /// Applies the message-level rules once the empty line ending the head has arrived.
    /// `headLength` counts every byte of the head, leading empty lines and final CRLF included.
    static func build(
        _ line: StartLine, fields: [HeaderField], headLength: Int, context: Context, in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<Head>
}

/// A fault found by `HeadParseLoop` before a line reaches the start-line or field parsers.
enum HeadLineFault {
    /// A CR not followed by LF.
    case bareCR
    /// An LF not preceded by CR.
    case bareLF
    /// The start line (or a leading empty line) exceeds `maxStartLineBytes`.
    case startLineTooLong
    /// A field line exceeds `maxFieldLineBytes`.
    case fieldLineTooLong
    /// The head exceeds `maxHeadBytes`.
    case headTooLarge
}
