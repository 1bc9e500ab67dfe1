/// The incremental head parser behind `RequestHeadParser` and `ResponseHeadParser`: splits the
/// buffer into lines, hands the start line to `Kind`, collects fields, and lets `Kind` build
/// the head at the empty line. Call `parse` with the whole buffer received so far (same start,
/// longer each call); each byte is examined once, so total work is O(n).
///
/// Invariants:
/// - `failure != nil` ⇒ every `parse` returns it until `reset()`.
/// - `startLine == nil` ⇒ no field line has been seen, and `leadingEmptyLines` empty lines
///   (at most `Kind.maxLeadingEmptyLines`) were skipped; afterwards it stays set until reset.
/// - Recorded ranges (scanner offsets, start line, fields) index into `0..<scanner.examined`
///   of the caller's buffer, which is why that buffer may never shrink.
/// - After `.complete` the loop is already reset, so the same buffer parses to the same head.
///
/// Generic rather than existential so that each public parser gets its own specialised copy.
struct HeadParseLoop<Kind: HeadKind>: Sendable {
    private var startLine: Kind.StartLine?
    private var failure: HTTPParseError?
    private var scanner = LineScanner()
    private var accumulator = FieldAccumulator()
    private var leadingEmptyLines = 0

    mutating func reset() {
        startLine = nil
        failure = nil
        scanner.reset()
        accumulator.reset()
        leadingEmptyLines = 0
    }

    // Each public parser is the only caller of its specialisation; inlining there keeps the
    // wrapper free of a call and of a copy of the returned head.
    @inline(__always)
    mutating func parse(
        _ buffer: UnsafeRawBufferPointer, limits: HTTPLimits, context: Kind.Context
    ) -> HeadParseResult<Kind.Head> {
        if let failure { return .failure(failure) }
        // Ranges already recorded point into the earlier bytes; a shorter buffer would make
        // them dangle, so fail loudly instead of reading out of bounds.
        precondition(buffer.count >= scanner.examined, "parse called with a buffer shorter than before")
        while true {
            let inStartLine = startLine == nil
            let step = scanner.nextLine(
                buffer, maxLineBytes: inStartLine ? Kind.maxStartLineBytes(limits) : limits.maxFieldLineBytes,
                maxHeadBytes: limits.maxHeadBytes)
            let error: HTTPParseError
            switch step {
            case .needMore:
                return .incomplete
            case .bareCR:
                error = Kind.error(.bareCR)
            case .bareLF:
                error = Kind.error(.bareLF)
            case .lineTooLong:
                error = Kind.error(inStartLine ? .startLineTooLong : .fieldLineTooLong)
            case .headTooLarge:
                error = Kind.error(.headTooLarge)
            case .line(let line):
                guard let startLine else {
                    guard let lineError = acceptStartLine(line, in: buffer) else { continue }
                    error = lineError
                    break
                }
                if line.isEmpty { return finish(startLine, context: context, in: buffer) }
                guard let fieldError = accumulator.add(
                    line, in: buffer, limits: limits, policy: Kind.fieldPolicy,
                    dropUnderscore: Kind.dropsUnderscoreFields(limits)) else { continue }
                error = fieldError
            }
            failure = error
            return .failure(error)
        }
    }

    /// A line before the start line is known: skips a bounded number of empty lines, else
    /// parses the start line. Returns an error, or nil to go on.
    private mutating func acceptStartLine(_ line: Range<Int>, in buffer: UnsafeRawBufferPointer) -> HTTPParseError? {
        if line.isEmpty && leadingEmptyLines < Kind.maxLeadingEmptyLines {
            leadingEmptyLines += 1
            return nil
        }
        switch Kind.parseStartLine(line, in: buffer) {
        case .success(let parsed):
            startLine = parsed
            return nil
        case .failure(let lineError):
            return lineError
        }
    }

    /// The empty line ending the head has arrived. Resets first, so that a repeated call
    /// re-parses to the same head without the loop storing (and copying) it; a build failure
    /// is then recorded, sticky like any other.
    private mutating func finish(
        _ line: Kind.StartLine, context: Kind.Context, in buffer: UnsafeRawBufferPointer
    ) -> HeadParseResult<Kind.Head> {
        let fields = accumulator.take()
        let headLength = scanner.consumed
        reset()
        let result = Kind.build(line, fields: fields, headLength: headLength, context: context, in: buffer)
        if case .failure(let buildError) = result { failure = buildError }
        return result
    }
}
