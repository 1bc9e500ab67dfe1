/// An independent reading of the chunked coding (RFC 9112 §7.1) over a whole buffer, line by line,
/// to cross-check the incremental `ChunkedDecoder` state machine: both must agree on where the body
/// ends, what it holds, and which inputs are invalid (limits included).
enum ReferenceChunked {
    enum Outcome: Equatable {
        /// The body ended after `consumed` bytes.
        case complete(body: [UInt8], consumed: Int)
        /// Everything so far is valid; the body needs more bytes.
        case incomplete
        /// A complete line or the bytes after chunk data break the grammar or a limit.
        case invalid
        /// The input ends inside a line: whether that line will be valid is not decided here.
        case undecided
    }

    static func decode(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits) -> Outcome {
        var body: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = crlf(in: buffer, from: i) else { return i == buffer.count ? .incomplete : .undecided }
            guard let size = chunkSize(buffer[i..<lineEnd], limits: limits) else { return .invalid }
            i = lineEnd + 2
            if size == 0 { break }
            guard UInt64(buffer.count - i) >= size else { return .incomplete }
            let dataEnd = i + Int(size)
            body += buffer[i..<dataEnd]
            // The chunk data must be followed by exactly CRLF.
            for (offset, expected) in [UInt8.cr, .lf].enumerated() {
                guard dataEnd + offset < buffer.count else { return .incomplete }
                guard buffer[dataEnd + offset] == expected else { return .invalid }
            }
            i = dataEnd + 2
        }
        return trailerSection(buffer, from: i, limits: limits, body: body)
    }

    /// Trailer field lines up to the empty line; each must be a field line within the limits.
    private static func trailerSection(
        _ buffer: UnsafeRawBufferPointer, from start: Int, limits: HTTPLimits, body: [UInt8]
    ) -> Outcome {
        var i = start
        var lines = 0
        while true {
            guard let lineEnd = crlf(in: buffer, from: i) else { return i == buffer.count ? .incomplete : .undecided }
            // Section size as the decoder counts it: every byte through each line's LF, plus the
            // final empty line's CR.
            guard lineEnd + 1 - start <= limits.maxHeadBytes else { return .invalid }
            if lineEnd == i { return .complete(body: body, consumed: lineEnd + 2) }
            lines += 1
            guard lines <= limits.maxFieldCount, lineEnd - i <= limits.maxFieldLineBytes,
                  isFieldLine(buffer[i..<lineEnd]) else { return .invalid }
            i = lineEnd + 2
        }
    }

    /// Offset of the next CR, if it is followed by LF and no bare LF comes first; nil if the
    /// buffer ends before a line end. A bare CR or LF makes the line invalid, which callers see
    /// as a line that fails its grammar (CR and LF are in no line grammar).
    private static func crlf(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        while i < buffer.count {
            if buffer[i] == .cr, i + 1 < buffer.count, buffer[i + 1] == .lf { return i }
            if buffer[i] == .cr && i + 1 == buffer.count { return nil }
            i += 1
        }
        return nil
    }

    /// `chunk-size [ chunk-ext ]` within the line limit; the size, or nil.
    private static func chunkSize(_ line: Slice<UnsafeRawBufferPointer>, limits: HTTPLimits) -> UInt64? {
        guard line.count <= limits.maxChunkLineBytes else { return nil }
        let bytes = Array(line)
        var i = 0
        var size: UInt64 = 0
        while i < bytes.count, let digit = ByteClass.hexValue(bytes[i]) {
            if size > UInt64.max >> 4 { return nil }
            size = size << 4 | UInt64(digit)
            i += 1
        }
        guard i > 0, extensions(bytes[i...]) else { return nil }
        return size
    }

    /// `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )`, covering all of `rest`.
    private static func extensions(_ rest: ArraySlice<UInt8>) -> Bool {
        var bytes = rest
        func skipBWS() { while let b = bytes.first, ByteClass.isOWS(b) { bytes.removeFirst() } }
        func token() -> Bool {
            let before = bytes.count
            while let b = bytes.first, ByteClass.isToken(b) { bytes.removeFirst() }
            return bytes.count < before
        }
        while !bytes.isEmpty {
            skipBWS()
            guard bytes.popFirst() == .semicolon else { return false }
            skipBWS()
            guard token() else { return false }
            let afterName = bytes
            skipBWS()
            guard bytes.first == UInt8(ascii: "=") else {
                bytes = afterName
                continue
            }
            bytes.removeFirst()
            skipBWS()
            if bytes.first == UInt8(ascii: "\"") {
                guard quotedString(&bytes) else { return false }
            } else if !token() {
                return false
            }
        }
        return true
    }

    /// Consumes `DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 §5.6.4).
    private static func quotedString(_ bytes: inout ArraySlice<UInt8>) -> Bool {
        bytes.removeFirst()
        while let b = bytes.popFirst() {
            switch b {
            case UInt8(ascii: "\""): return true
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.popFirst(), ByteClass.isFieldValue(escaped) else { return false }
            default:
                guard ByteClass.isFieldValue(b) else { return false }
            }
        }
        return false
    }

    /// `token ":" *field-value-byte` (OWS is among the value bytes).
    private static func isFieldLine(_ line: Slice<UnsafeRawBufferPointer>) -> Bool {
        guard let colon = line.firstIndex(of: .colon), colon > line.startIndex else { return false }
        return line[line.startIndex..<colon].allSatisfy(ByteClass.isToken)
            && line[(colon + 1)...].allSatisfy(ByteClass.isFieldValue)
    }
}
