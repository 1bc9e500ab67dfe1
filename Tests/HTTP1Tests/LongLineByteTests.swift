import HTTP1
import Testing

/// Long lines are scanned a word at a time; a forbidden byte must be caught at every offset
/// and alignment, and allowed ones accepted.
@Suite struct LongLineByteTests {
    static func request(value: [UInt8]) -> [UInt8] {
        Array("GET / HTTP/1.1\r\nHost: a\r\nX-Long: ".utf8) + value + Array("\r\n\r\n".utf8)
    }

    static let forbidden: [UInt8] = [0x00, 0x01, 0x0A, 0x0D, 0x1F, 0x7F]
    static let allowed: [UInt8] = [0x09, 0x20, 0x7E, 0x80, 0xFF]

    /// RFC 9110 §5.5 and RFC 9112 §2.2: NUL, CTLs, DEL, bare CR/LF are rejected anywhere in a value.
    @Test(arguments: forbidden)
    func forbiddenByteAtEveryOffset(_ byte: UInt8) {
        for offset in 1..<39 {
            var value = [UInt8](repeating: UInt8(ascii: "v"), count: 40)
            value[offset] = byte
            #expect(verdict(parseRequest(Self.request(value: value))) == .error(400), "offset \(offset)")
        }
    }

    @Test(arguments: allowed)
    func allowedByteAtEveryOffset(_ byte: UInt8) {
        for offset in 1..<39 {
            var value = [UInt8](repeating: UInt8(ascii: "v"), count: 40)
            value[offset] = byte
            #expect(verdict(parseRequest(Self.request(value: value))) == .ok, "offset \(offset)")
        }
    }

    /// A bare CR or LF inside a long request line is found at every offset.
    @Test(arguments: [UInt8(0x0A), 0x0D])
    func bareLineBreakInRequestLine(_ byte: UInt8) {
        for offset in 5..<45 {
            var line = Array(("GET /" + "p".times(40) + " HTTP/1.1").utf8)
            line[offset] = byte
            #expect(verdict(parseRequest(line + Array("\r\nHost: a\r\n\r\n".utf8))) == .error(400), "offset \(offset)")
        }
    }
}
