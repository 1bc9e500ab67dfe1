/// Splits a growing buffer into CRLF-terminated lines, resuming where it stopped so that
/// each byte is examined once however many times the caller re-presents the buffer.
///
/// Enforces, as soon as a violating byte is seen (even before the line is complete):
/// - every line ends in CRLF: a bare LF, or a CR not followed by LF, is an error (RFC 9112 §2.2
///   allows rejecting them, and accepting them is a classic smuggling vector);
/// - a line's content (CRLF excluded) is at most `maxLineBytes`;
/// - the head, counted from buffer offset 0 through the CRLF ending the last line, is at most
///   `maxHeadBytes`.
///
/// Invariant: `lineStart <= cursor`; bytes in `lineStart..<cursor` were examined and are neither
/// CR nor LF, except possibly a CR at `cursor` itself, whose LF has not arrived yet.
struct LineScanner: Sendable {
    /// Offset of the first byte of the line being scanned.
    private(set) var lineStart = 0
    /// Next offset to examine.
    private var cursor = 0

    enum Step {
        /// A complete line, CRLF excluded. The scanner has moved past its CRLF.
        case line(Range<Int>)
        /// The buffer ends inside a line; call again with more bytes.
        case needMore
        case bareCR, bareLF, lineTooLong, headTooLarge
    }

    /// Offset just past the last complete line's CRLF.
    var consumed: Int { lineStart }

    /// Bytes already examined; a later buffer must be at least this long.
    var examined: Int { cursor }

    mutating func reset() {
        lineStart = 0
        cursor = 0
    }

    mutating func nextLine(_ buffer: UnsafeRawBufferPointer, maxLineBytes: Int, maxHeadBytes: Int) -> Step {
        var i = cursor
        let end = buffer.count
        // A line longer than this has already broken the limit: the limit applies to content.
        let lastAllowedContent = lineStart + maxLineBytes
        // Below this offset every byte other than CR/LF is legal content, so whole words
        // without CR or LF can be skipped without checking the limits byte by byte.
        let fastEnd = Swift.min(end, lastAllowedContent, maxHeadBytes)
        while i < end {
            while i + 8 <= fastEnd, !Self.mayContainLineBreak(buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
            }
            guard i < end else { break }
            let b = buffer[i]
            if b == .cr {
                guard i + 1 < end else { break }
                guard buffer[i + 1] == .lf else { return .bareCR }
                guard i + 2 <= maxHeadBytes else { return .headTooLarge }
                let line = lineStart..<i
                lineStart = i + 2
                cursor = i + 2
                return .line(line)
            }
            // An LF reached here was not preceded by CR: the CR case consumes its LF.
            if b == .lf { return .bareLF }
            if i >= lastAllowedContent { return .lineTooLong }
            if i >= maxHeadBytes { return .headTooLarge }
            i += 1
        }
        cursor = i
        return .needMore
    }

    /// False only if none of the 8 bytes in `word` is below 0x0E, hence none is CR (0x0D) or LF
    /// (0x0A). The classic "has byte less than n" bit trick: exact about absence, while a true
    /// result (some byte < 0x0E, e.g. HTAB) just sends the caller to the byte-wise path.
    @inline(__always)
    static func mayContainLineBreak(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        return (word &- ones &* 0x0E) & ~word & highs != 0
    }
}
