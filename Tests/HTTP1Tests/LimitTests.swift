import HTTP1
import Testing

/// HTTPLimits enforcement (defaults mirror gunicorn's limit_request_line/fields/field_size).
@Suite struct LimitTests {
    /// A request line of exactly `length` bytes (CRLF excluded).
    static func requestLine(length: Int) -> String {
        "GET /" + "a".times(length - 14) + " HTTP/1.1"
    }

    @Test func defaults() {
        let limits = HTTPLimits()
        #expect(limits.maxRequestLineBytes == 4094)
        #expect(limits.maxFieldCount == 100)
        #expect(limits.maxFieldLineBytes == 8190)
        #expect(limits.maxHeadBytes == 65536)
        #expect(limits.maxChunkLineBytes == 4096)
        #expect(limits.dropUnderscoreFields)
    }

    @Test func requestLineAtLimitIsAccepted() {
        let line = Self.requestLine(length: 4094)
        #expect(line.utf8.count == 4094)
        #expect(verdict(parseRequest(line + "\r\nHost: a\r\n\r\n")) == .ok)
    }

    @Test func requestLineOverLimitIs414() {
        #expect(verdict(parseRequest(Self.requestLine(length: 4095) + "\r\nHost: a\r\n\r\n")) == .error(414))
    }

    @Test func requestLineOverLimitIsDetectedBeforeItEnds() {
        // No CRLF yet: the parser must not wait for it.
        #expect(verdict(parseRequest("GET /" + "a".times(4090))) == .error(414))
        #expect(verdict(parseRequest("GET /" + "a".times(4089))) == .incomplete)
    }

    @Test func fieldCountAtLimitIsAccepted() {
        let fields = (1..<100).map { "X-\($0): v\r\n" }.joined()
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n")) == .ok)
    }

    @Test func fieldCountOverLimitIs431() {
        let fields = (1...100).map { "X-\($0): v\r\n" }.joined()
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n")) == .error(431))
        // Detected before the head ends.
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + fields)) == .error(431))
    }

    @Test func droppedUnderscoreFieldsStillCount() {
        let fields = (1...100).map { "X_\($0): v\r\n" }.joined()
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n")) == .error(431))
    }

    @Test func fieldLineAtLimitIsAccepted() {
        let line = "X: " + "v".times(8187)
        #expect(line.utf8.count == 8190)
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n\r\n")) == .ok)
    }

    @Test func fieldLineOverLimitIs431EvenIncomplete() {
        let line = "X: " + "v".times(8188)
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n\r\n")) == .error(431))
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n" + line)) == .error(431))
    }

    /// A valid request whose head is exactly `length` bytes, built from 8000-byte fields.
    static func requestText(headLength length: Int) -> String {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        var remaining = length - text.utf8.count - 2
        while remaining > 0 {
            // "X: " + value + CRLF; keep the last field at least 5 bytes long.
            let size = remaining > 8010 ? 8005 : remaining
            text += "X: " + "v".times(size - 5) + "\r\n"
            remaining -= size
        }
        return text + "\r\n"
    }

    @Test func headAtLimitIsAccepted() throws {
        let raw = Self.requestText(headLength: 65536)
        #expect(raw.utf8.count == 65536)
        let parsed = try #require(request(raw))
        #expect(parsed.head.headLength == 65536)
    }

    @Test func headOverLimitIs431EvenIncomplete() {
        #expect(verdict(parseRequest(Self.requestText(headLength: 65537))) == .error(431))
        // Cut inside a field line, one byte past the limit: no need to wait for the line's end.
        let long = Array(Self.requestText(headLength: 70000).utf8)
        #expect(verdict(parseRequest(Array(long.prefix(65537)))) == .error(431))
        #expect(verdict(parseRequest(Array(long.prefix(65536)))) == .incomplete)
    }

    @Test func customLimitsApply() {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 20
        limits.maxFieldCount = 2
        limits.maxFieldLineBytes = 10
        limits.maxHeadBytes = 60
        #expect(verdict(parseRequest("GET /aaaaaa HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)) == .ok)
        #expect(verdict(parseRequest("GET /aaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)) == .error(414))
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\nA: b\r\nC: d\r\n\r\n", limits: limits)) == .error(431))
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\nAbc: 123456\r\n\r\n", limits: limits)) == .error(431))
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\nAbc: 12345\r\n\r\n", limits: limits)) == .ok)
        limits.maxHeadBytes = 30
        #expect(verdict(parseRequest("GET / HTTP/1.1\r\nHost: a\r\nAbc: 12345\r\n\r\n", limits: limits)) == .error(431))
    }
}
