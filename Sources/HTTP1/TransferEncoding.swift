/// Interpretation of the Transfer-Encoding fields of a head (RFC 9112 §6.1, §6.3).
///
/// All Transfer-Encoding field lines form one list, in order. The only coding this codec
/// decodes is `chunked` (case-insensitive, without parameters), which must come last and
/// appear once (RFC 9112 §6.1: a sender must not apply chunked more than once).
enum TransferEncoding {
    enum Summary: Equatable {
        case absent
        /// Exactly `chunked`.
        case chunked
        /// The final coding is not chunked: the message length is not self-delimited.
        case finalNotChunked
        /// Chunked is final, but other codings precede it, which we would have to undo.
        case unsupportedCoding
        /// Chunked appears more than once.
        case chunkedTwice
        /// Empty list or an element that is not `token [params]`.
        case malformed
    }

    static func summarize(_ fields: [HeaderField], in buffer: UnsafeRawBufferPointer) -> Summary {
        var present = false
        var elements = 0
        var chunkedCount = 0
        var otherCount = 0
        var lastIsChunked = false
        for field in fields where field.token == .transferEncoding {
            present = true
            for element in CommaList(field.value, in: buffer) {
                var nameEnd = element.lowerBound
                while nameEnd < element.upperBound, ByteClass.isToken(buffer[nameEnd]) { nameEnd += 1 }
                let name = element.lowerBound..<nameEnd
                let params = buffer.trimmingOWS(nameEnd..<element.upperBound)
                guard !name.isEmpty else { return .malformed }
                // Parameters are only tolerated on codings we reject anyway; their syntax is
                // not worth validating further, but they must at least start with ";".
                guard params.isEmpty || buffer[params.lowerBound] == .semicolon else { return .malformed }
                elements += 1
                lastIsChunked = buffer.equalsIgnoringCase(name, "chunked")
                if lastIsChunked {
                    guard params.isEmpty else { return .malformed }
                    chunkedCount += 1
                } else {
                    otherCount += 1
                }
            }
        }
        guard present else { return .absent }
        guard elements > 0 else { return .malformed }
        guard lastIsChunked else { return .finalNotChunked }
        guard chunkedCount == 1 else { return .chunkedTwice }
        guard otherCount == 0 else { return .unsupportedCoding }
        return .chunked
    }
}
