/// Byte-at-a-time state machine for the chunked transfer coding (RFC 9112 §7.1):
///
///     chunked-body = *chunk last-chunk trailer-section CRLF
///     chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
///     last-chunk   = 1*("0") [ chunk-ext ] CRLF
///
///     chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
///     chunk-ext-name = token
///     chunk-ext-val  = token / quoted-string
///
/// Framing state lives here, so input may be split anywhere (see `BodyDecoder`).
/// Strictness: chunk-size is 1*HEXDIG fitting in UInt64; extensions follow the grammar above
/// exactly (§7.1.1; BWS only where it allows, so no whitespace before the CRLF) and are then
/// ignored; the CRLF after chunk data must be exactly there, which catches data longer or
/// shorter than announced; every line ends in CRLF.
struct ChunkedDecoder: Sendable {
    private enum Phase: Sendable, Equatable {
        case sizeFirstDigit
        case sizeDigits
        /// Whitespace after the size: only more whitespace or ";" may follow.
        case sizeWhitespace
        /// After ";": BWS, then the first byte of an extension name.
        case extNameStart
        case extName
        /// BWS after a name: only more whitespace, "=" or ";" may follow.
        case extNameEnd
        /// After "=": BWS, then a token or a quoted string.
        case extValueStart
        case extToken
        case extQuoted
        case extQuotedPair
        /// After a closing quote: ";", BWS or the CR ending the line.
        case extQuotedEnd
        /// BWS after a value: only more whitespace or ";" may follow.
        case extValueEnd
        case sizeLineLF
        case data
        case dataCR
        case dataLF
        /// Start of a trailer field line, or of the empty line ending the body.
        case trailerStart
        case trailerName
        case trailerValue
        case trailerLF
        case finalLF
        case done
    }

    private let limits: HTTPLimits
    private var phase = Phase.sizeFirstDigit
    /// The chunk size while parsing the size line, then the data bytes still expected.
    private var remaining: UInt64 = 0
    /// Bytes of the current size or trailer line so far, CRLF excluded.
    private var lineBytes = 0
    private var trailerLines = 0
    private var trailerBytes = 0

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    var isFinished: Bool { phase == .done }

    mutating func decode(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> BodyDecodeStep {
        var i = 0
        var data = 0..<0
        let end = input.count
        while i < end && phase != .done {
            if phase == .data {
                // One data run per call: the caller forwards it before we look further.
                if !data.isEmpty { break }
                let n = Int(min(remaining, UInt64(end - i)))
                data = i..<(i + n)
                remaining -= UInt64(n)
                i += n
                if remaining == 0 { phase = .dataCR }
                continue
            }
            try step(input[i])
            i += 1
        }
        return BodyDecodeStep(consumed: i, data: data, finished: phase == .done)
    }

    private func fail(_ reason: String) -> HTTPParseError {
        HTTPParseError(status: 400, reason: reason)
    }

    /// Advances the state machine by one framing byte.
    private mutating func step(_ b: UInt8) throws(HTTPParseError) {
        switch phase {
        case .sizeFirstDigit, .sizeDigits:
            if let digit = ByteClass.hexValue(b) {
                guard remaining <= UInt64.max >> 4 else { throw fail("chunk size overflow") }
                remaining = remaining << 4 | UInt64(digit)
                phase = .sizeDigits
                try countSizeLineByte()
            } else if phase == .sizeFirstDigit {
                throw fail("invalid chunk size")
            } else if b == .cr {
                phase = .sizeLineLF
            } else if b == .semicolon {
                phase = .extNameStart
                try countSizeLineByte()
            } else if ByteClass.isOWS(b) {
                phase = .sizeWhitespace
                try countSizeLineByte()
            } else {
                throw fail(b == .lf ? "bare LF in chunk framing" : "invalid chunk size")
            }
        case .sizeWhitespace:
            if b == .semicolon {
                phase = .extNameStart
            } else if !ByteClass.isOWS(b) {
                throw fail("invalid chunk size")
            }
            try countSizeLineByte()
        case .extNameStart, .extName, .extNameEnd, .extValueStart, .extToken, .extQuoted, .extQuotedPair,
             .extQuotedEnd, .extValueEnd:
            if b == .cr, phase == .extName || phase == .extToken || phase == .extQuotedEnd {
                phase = .sizeLineLF
                return
            }
            try countSizeLineByte()
            try extensionStep(b)
        case .sizeLineLF:
            guard b == .lf else { throw fail("bare CR in chunk framing") }
            lineBytes = 0
            phase = remaining == 0 ? .trailerStart : .data
        case .dataCR:
            guard b == .cr else { throw fail("chunk data does not match chunk size") }
            phase = .dataLF
        case .dataLF:
            guard b == .lf else { throw fail("chunk data does not match chunk size") }
            phase = .sizeFirstDigit
        case .trailerStart:
            try countTrailerByte()
            if b == .cr {
                phase = .finalLF
            } else if ByteClass.isToken(b) {
                trailerLines += 1
                guard trailerLines <= limits.maxFieldCount else { throw fail("too many trailer fields") }
                phase = .trailerName
                try countTrailerLineByte()
            } else if ByteClass.isOWS(b) {
                throw fail("obsolete line folding in trailer")
            } else {
                throw fail(b == .lf ? "bare LF in trailer" : "invalid trailer field name")
            }
        case .trailerName:
            try countTrailerByte()
            try countTrailerLineByte()
            if b == .colon {
                phase = .trailerValue
            } else if !ByteClass.isToken(b) {
                if ByteClass.isOWS(b) { throw fail("whitespace between trailer field name and colon") }
                throw fail(b == .cr || b == .lf ? "trailer line without colon" : "invalid trailer field name")
            }
        case .trailerValue:
            try countTrailerByte()
            if b == .cr {
                phase = .trailerLF
            } else if ByteClass.isFieldValue(b) {
                try countTrailerLineByte()
            } else {
                throw fail(b == .lf ? "bare LF in trailer" : "invalid character in trailer value")
            }
        case .trailerLF:
            try countTrailerByte()
            guard b == .lf else { throw fail("bare CR in trailer") }
            lineBytes = 0
            phase = .trailerStart
        case .finalLF:
            guard b == .lf else { throw fail("bare CR in trailer") }
            phase = .done
        case .data, .done:
            // `decode` never steps in these phases.
            break
        }
    }

    /// One byte of a chunk extension (not the CR that may end it). The extension is validated,
    /// then ignored: nothing of it is kept or forwarded.
    private mutating func extensionStep(_ b: UInt8) throws(HTTPParseError) {
        let isToken = ByteClass.isToken(b), isOWS = ByteClass.isOWS(b)
        switch phase {
        case .extNameStart where isOWS, .extNameEnd where isOWS, .extValueStart where isOWS, .extValueEnd where isOWS:
            break
        case .extNameStart where isToken, .extName where isToken:
            phase = .extName
        case .extName where isOWS:
            phase = .extNameEnd
        case .extName where b == UInt8(ascii: "="), .extNameEnd where b == UInt8(ascii: "="):
            phase = .extValueStart
        case .extValueStart where b == UInt8(ascii: "\""):
            phase = .extQuoted
        case .extValueStart where isToken, .extToken where isToken:
            phase = .extToken
        case .extQuoted where b == UInt8(ascii: "\""):
            phase = .extQuotedEnd
        case .extQuoted where b == UInt8(ascii: "\\"):
            phase = .extQuotedPair
        case .extQuoted where ByteClass.isFieldValue(b):
            break
        case .extQuotedPair where ByteClass.isFieldValue(b):
            phase = .extQuoted
        case .extToken where isOWS, .extQuotedEnd where isOWS:
            phase = .extValueEnd
        case .extName where b == .semicolon, .extNameEnd where b == .semicolon, .extToken where b == .semicolon,
             .extQuotedEnd where b == .semicolon, .extValueEnd where b == .semicolon:
            phase = .extNameStart
        default:
            if b == .lf { throw fail("bare LF in chunk extension") }
            if b == .cr { throw fail(phase == .extQuoted ? "bare CR in chunk extension" : "invalid chunk extension") }
            throw fail("invalid chunk extension")
        }
    }

    private mutating func countSizeLineByte() throws(HTTPParseError) {
        lineBytes += 1
        guard lineBytes <= limits.maxChunkLineBytes else { throw fail("chunk size line too long") }
    }

    private mutating func countTrailerLineByte() throws(HTTPParseError) {
        lineBytes += 1
        guard lineBytes <= limits.maxFieldLineBytes else { throw fail("trailer line too long") }
    }

    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes += 1
        guard trailerBytes <= limits.maxHeadBytes else { throw fail("trailer section too large") }
    }
}
