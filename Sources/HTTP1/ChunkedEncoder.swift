/// Chunked transfer coding output (RFC 9112 §7.1): for each chunk write
/// `appendChunkHeader(size:)`, the data, then `chunkTrailerCRLF`; end with `lastChunk`.
/// Never write a zero-size chunk header for data: a 0 size ends the body.
public enum ChunkedEncoder {
    /// Appends "<lowercase hex size>\r\n". `size` must be positive.
    public static func appendChunkHeader(size: Int, into out: inout [UInt8]) {
        precondition(size > 0, "a zero-size chunk would end the body")
        out.appendHex(UInt64(size))
        out.append("\r\n")
    }

    /// "\r\n", written after each chunk's data.
    public static let chunkTrailerCRLF: [UInt8] = [.cr, .lf]

    /// "0\r\n\r\n": the last chunk and an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
