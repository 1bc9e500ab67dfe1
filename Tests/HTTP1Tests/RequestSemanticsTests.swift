import HTTP1
import Testing

/// What a valid request head exposes: ranges, classification, persistence, hop-by-hop marking.
@Suite struct RequestSemanticsTests {
    @Test func originForm() throws {
        let p = try #require(request("GET /a/b?c=d HTTP/1.1\r\nHost: Example.com:80\r\nAccept: */*\r\n\r\nBODY"))
        #expect(p.text(p.head.method) == "GET")
        #expect(p.head.methodKind == .get)
        #expect(p.text(p.head.target) == "/a/b?c=d")
        #expect(p.text(p.head.path) == "/a/b")
        #expect(p.head.version == .http1_1)
        #expect(p.text(p.head.host) == "Example.com:80")
        #expect(p.head.headLength == p.bytes.count - 4)
        #expect(p.fieldLines == ["Host: Example.com:80", "Accept: */*"])
        #expect(p.head.framing == .none)
        #expect(p.head.keepAlive)
        #expect(!p.head.expectsContinue)
        #expect(p.head.upgrade == nil)
    }

    /// RFC 9112 §3.2.2: the absolute-form authority wins over Host.
    @Test func absoluteForm() throws {
        let p = try #require(request("GET http://Up.example:8080/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n"))
        #expect(p.text(p.head.target) == "/p?q=1")
        #expect(p.text(p.head.path) == "/p")
        #expect(p.text(p.head.host) == "Up.example:8080")
    }

    /// RFC 9112 §3.2.1: an empty path means "/"; `path` is empty and the serializer adds "/".
    @Test func absoluteFormWithoutPath() throws {
        let p = try #require(request("GET http://a?x HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(p.text(p.head.target) == "?x")
        #expect(p.head.path.isEmpty)
    }

    @Test func asteriskForm() throws {
        let p = try #require(request("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(p.text(p.head.target) == "*")
        #expect(p.text(p.head.path) == "*")
        #expect(p.head.methodKind == .options)
    }

    @Test(arguments: [
        ("GET", Method.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
        ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .trace), ("get", .other), ("PURGE", .other),
        ("POSTS", .other),
    ])
    func methodClassification(_ method: String, _ expected: Method) {
        #expect(request("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n")?.head.methodKind == expected)
    }

    @Test(arguments: [
        ("host", FieldName.host), ("HOST", .host), ("Content-Length", .contentLength),
        ("transfer-encoding", .transferEncoding), ("Connection", .connection), ("Keep-Alive", .keepAlive),
        ("Proxy-Connection", .proxyConnection), ("TE", .te), ("Trailer", .trailer), ("Upgrade", .upgrade),
        ("Expect", .expect), ("X-Forwarded-For", .xForwardedFor), ("x-forwarded-proto", .xForwardedProto),
        ("X-Forwarded-Host", .xForwardedHost), ("Forwarded", .forwarded), ("Date", .date), ("Server", .server),
        ("Hosts", .other), ("X-Forwarded-Fox", .other), ("Accept", .other),
    ])
    func fieldNameClassification(_ name: String, _ expected: FieldName) throws {
        // A value each field accepts (Transfer-Encoding and Expect are validated).
        let value = switch expected {
        case .transferEncoding: "chunked"
        case .expect: "100-continue"
        default: "1"
        }
        let p = try #require(request("GET / HTTP/1.1\r\nHost: a\r\n\(name): \(value)\r\n\r\n".replacingHost(if: name)))
        #expect(p.head.fields.last?.token == expected)
    }

    /// RFC 9112 §9.3 persistence defaults.
    @Test(arguments: [
        ("HTTP/1.1", "", true),
        ("HTTP/1.1", "Connection: close\r\n", false),
        ("HTTP/1.1", "Connection: Close\r\n", false),
        ("HTTP/1.1", "Connection: keep-alive, close\r\n", false),
        ("HTTP/1.0", "", false),
        ("HTTP/1.0", "Connection: keep-alive\r\n", true),
        ("HTTP/1.0", "Connection: Keep-Alive\r\n", true),
        ("HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n", false),
    ])
    func keepAlive(_ version: String, _ fieldLines: String, _ expected: Bool) {
        #expect(request("GET / \(version)\r\nHost: a\r\n\(fieldLines)\r\n")?.head.keepAlive == expected)
    }

    /// RFC 9110 §7.6.1: fields named by Connection are hop-by-hop, as are the fixed ones.
    @Test func hopByHopMarking() throws {
        let p = try #require(request(
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: x-secret, HOST\r\nX-Secret: 1\r\nKeep-Alive: 5\r\n"
            + "TE: trailers\r\nProxy-Connection: x\r\nAccept: */*\r\nx-secret: 2\r\n\r\n"))
        let hop = p.head.fields.map { p.text($0.name) + "=" + String($0.isHopByHop) }
        #expect(hop == ["Host=false", "Connection=true", "X-Secret=true", "Keep-Alive=true", "TE=true",
                        "Proxy-Connection=true", "Accept=false", "x-secret=true"])
    }

    @Test func underscoreFieldsDroppedByDefault() throws {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX_User: evil\r\nX-User: good\r\n\r\n"
        let p = try #require(request(raw))
        #expect(p.fieldLines == ["Host: a", "X-User: good"])
        var limits = HTTPLimits()
        limits.dropUnderscoreFields = false
        let kept = try #require(request(raw, limits: limits))
        #expect(kept.fieldLines == ["Host: a", "X_User: evil", "X-User: good"])
    }

    /// RFC 9110 §10.1.1: a 100-continue expectation in HTTP/1.0 MUST be ignored.
    @Test(arguments: [("HTTP/1.1", true), ("HTTP/1.0", false)])
    func expectContinue(_ version: String, _ expected: Bool) {
        #expect(request("PUT / \(version)\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")?
            .head.expectsContinue == expected)
    }

    /// RFC 9110 §7.8: Upgrade counts only when Connection lists it, and never in HTTP/1.0.
    @Test(arguments: [
        ("HTTP/1.1", "Connection: Upgrade\r\nUpgrade: websocket\r\n", "websocket" as String?),
        ("HTTP/1.1", "Connection: keep-alive, upgrade\r\nUpgrade: h2c\r\n", "h2c"),
        ("HTTP/1.1", "Upgrade: websocket\r\n", nil),
        ("HTTP/1.0", "Connection: upgrade\r\nUpgrade: websocket\r\n", nil),
    ])
    func upgrade(_ version: String, _ fieldLines: String, _ expected: String?) throws {
        let p = try #require(request("GET / \(version)\r\nHost: a\r\n\(fieldLines)\r\n"))
        #expect(p.text(p.head.upgrade) == expected)
    }

    @Test func valuesAreTrimmedOfOWS() throws {
        let p = try #require(request("GET / HTTP/1.1\r\nHost:\t a \t\r\nX:  b  c \r\n\r\n"))
        #expect(p.fieldLines == ["Host: a", "X: b  c"])
    }

    @Test func leadingEmptyLinesCountInHeadLength() throws {
        let p = try #require(request("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(p.head.headLength == p.bytes.count)
        #expect(p.text(p.head.method) == "GET")
    }
}

extension String {
    /// Avoids a duplicate Host field in the classification table's Host rows.
    func replacingHost(if name: String) -> String {
        name.lowercased() == "host" ? replacing("Host: a\r\n", with: "", maxReplacements: 1) : self
    }
}
