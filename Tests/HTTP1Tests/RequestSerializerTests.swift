import HTTP1
import Testing

@Suite struct RequestSerializerTests {
    static func serialize(_ raw: String, _ options: UpstreamRequestOptions,
                          sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard let p = request(raw, sourceLocation: sourceLocation) else { return nil }
        var out: [UInt8] = []
        p.bytes.withUnsafeBytes { RequestSerializer.writeHead(p.head, source: $0, options: options, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static let client = "POST /submit?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n"
        + "Connection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\n"
        + "X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n"
        + "Content-Length: 3\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n"

    /// Hop-by-hop and Connection-named fields removed, X-Forwarded-* replaced, Host kept,
    /// framing chosen by the proxy.
    @Test func hopByHopRemovedAndForwardedFieldsReplaced() {
        let out = Self.serialize(Self.client, UpstreamRequestOptions(
            clientAddress: "127.0.0.1", body: .contentLength(3), keepAlive: true))
        #expect(out == "POST /submit?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: */*\r\n"
            + "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: example.com\r\n"
            + "Content-Length: 3\r\n\r\n")
    }

    @Test func aRequestIDReplacesTheClientsOwn() {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Request-ID: client-1\r\nx-request-id: client-2\r\nAccept: x\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: true,
                                                             requestID: "abc\r\nX-Evil: 1"))
        #expect(out == "GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nX-Request-ID: abcX-Evil: 1\r\n\r\n",
            "the client's ids are dropped, ours is written once, and CR/LF cannot inject a line")
        // Without one, the client's fields pass through untouched.
        let plain = Self.serialize(raw, UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: true))
        #expect(plain?.contains("X-Request-ID: client-1\r\nx-request-id: client-2\r\n") == true)
    }

    @Test func trustedForwardedForIsAppended() {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8\r\nX-Forwarded-For: 9.9.9.9\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(
            clientAddress: "::1", scheme: "https", trustForwardedFor: true, body: .none, keepAlive: true))
        #expect(out == "GET / HTTP/1.1\r\nHost: a\r\n"
            + "X-Forwarded-For: 1.2.3.4, 5.6.7.8, 9.9.9.9, ::1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: a\r\n\r\n")
    }

    @Test func untrustedForwardedForIsReplaced() {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(clientAddress: "unix", body: .none, keepAlive: true))
        #expect(out == "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: unix\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: a\r\n\r\n")
    }

    /// RFC 9112 §3.2.2: the absolute-form authority replaces Host; the target becomes origin-form.
    @Test func absoluteFormRewrite() {
        let raw = "GET http://Up.example:8080/p?q HTTP/1.1\r\nHost: other\r\nAccept: x\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: true))
        #expect(out == "GET /p?q HTTP/1.1\r\nHost: Up.example:8080\r\nAccept: x\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: Up.example:8080\r\n\r\n")
    }

    /// RFC 9112 §3.2.1: an empty path is sent as "/".
    @Test(arguments: [("http://a", "/"), ("http://a?x=1", "/?x=1"), ("http://a/", "/")])
    func absoluteFormWithoutPath(_ target: String, _ expected: String) {
        let out = Self.serialize("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n",
                                 UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: true))
        #expect(out?.hasPrefix("GET \(expected) HTTP/1.1\r\n") == true)
    }

    /// HTTP/1.0 client: upstream sees 1.1, so it gets a Host (empty if none) and Connection: close.
    @Test func http10ClientWithoutHost() {
        let out = Self.serialize("GET /x HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
                                 UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: false))
        #expect(out == "GET /x HTTP/1.1\r\nHost: \r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "Connection: close\r\n\r\n")
    }

    /// Found by fuzzing (the serializer's output must be a fixed point): an empty Host means no
    /// host was asked for, so no X-Forwarded-Host is written, not an empty one.
    @Test func emptyHostGetsNoForwardedHost() {
        let out = Self.serialize("GET /x HTTP/1.0\r\nHost:\r\n\r\n",
                                 UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .none, keepAlive: false))
        #expect(out == "GET /x HTTP/1.1\r\nHost: \r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "Connection: close\r\n\r\n")
    }

    @Test func chunkedUpstreamBody() {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(clientAddress: "127.0.0.1", body: .chunked, keepAlive: false))
        #expect(out == "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: [true, false])
    func upgradeForwardedOnlyWhenAsked(_ upgrade: Bool) {
        let raw = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n"
        let out = Self.serialize(raw, UpstreamRequestOptions(
            clientAddress: "127.0.0.1", body: .none, keepAlive: true, upgrade: upgrade))
        let head = "GET /ws HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: k\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\n"
        #expect(out == head + (upgrade ? "Connection: upgrade\r\nUpgrade: websocket\r\n" : "") + "\r\n")
    }

    @Test func proxySuppliedStringsCannotInjectLines() {
        let out = Self.serialize("GET / HTTP/1.1\r\nHost: a\r\n\r\n", UpstreamRequestOptions(
            clientAddress: "1.2.3.4\r\nX-Evil: 1", scheme: "http\n", body: .none, keepAlive: true))
        #expect(out == "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4X-Evil: 1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\n\r\n")
    }

    @Test func appendsToExistingBytes() throws {
        let p = try #require(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        var out = Array("prefix|".utf8)
        p.bytes.withUnsafeBytes {
            RequestSerializer.writeHead(p.head, source: $0, options: UpstreamRequestOptions(
                clientAddress: "c", body: .contentLength(0), keepAlive: true), into: &out)
        }
        #expect(String(decoding: out, as: UTF8.self) == "prefix|GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: c\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nContent-Length: 0\r\n\r\n")
    }
}
