@testable import HTTP1
import Testing

@Suite struct ByteRangeStringTests {
    static func withBuffer<T>(_ text: String, _ body: (UnsafeRawBufferPointer, Range<Int>) -> T) -> T {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { body($0, 0..<bytes.count) }
    }

    @Test(arguments: [
        ("Example.COM:8080", "example.com"), ("[::1]:8080", "[::1]"), ("[::1]", "[::1]"),
        ("a", "a"), ("", ""), ("127.0.0.1:80", "127.0.0.1"), ("HOST:", "host"),
    ])
    func hostWithoutPort(_ host: String, _ expected: String) {
        #expect(Self.withBuffer(host) { HTTP1.hostWithoutPort($1, in: $0) } == expected)
    }

    @Test func stringAndLowercase() {
        #expect(Self.withBuffer("xX-Forwarded-FORx") { buffer, _ in HTTP1.string(1..<16, in: buffer) } == "X-Forwarded-FOR")
        #expect(Self.withBuffer("xX-Forwarded-FORx") { buffer, _ in asciiLowercased(1..<16, in: buffer) } == "x-forwarded-for")
        #expect(Self.withBuffer("caf\u{E9}") { asciiLowercased($1, in: $0) } == "caf\u{E9}")
        #expect(Self.withBuffer("WebSocket") { asciiEqualsIgnoringCase($1, in: $0, "websocket") })
        #expect(!Self.withBuffer("WebSockets") { asciiEqualsIgnoringCase($1, in: $0, "websocket") })
    }

    @Test func parseErrorDescription() {
        #expect(HTTPParseError(status: 400, reason: "bare CR").description == "400 bare CR")
    }
}

/// Proxy-supplied text (config values, addresses, extra fields) is written without the bytes a
/// field may not hold, so it can never inject a header line; clean text is copied as it is.
@Suite struct FieldTextWritingTests {
    @Test func cleanTextIsCopiedAndForbiddenBytesAreDropped() {
        var out: [UInt8] = []
        out.appendField("X-Forwarded-For", text: "127.0.0.1")
        #expect(String(decoding: out, as: UTF8.self) == "X-Forwarded-For: 127.0.0.1\r\n")
        out.removeAll()
        out.appendField("X-Test", text: "a\r\nInjected: yes\u{0}b")
        #expect(String(decoding: out, as: UTF8.self) == "X-Test: aInjected: yesb\r\n")
        out.removeAll()
        out.appendFieldName("X Bad:Name")
        #expect(String(decoding: out, as: UTF8.self) == "XBadName")
    }
}
