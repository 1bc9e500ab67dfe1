import HTTP1
import Testing

/// Response heads: status line, framing per RFC 9112 §6.3, persistence, 502 on upstream faults.
@Suite struct ResponseParsingTests {
    struct FramingRow: Sendable, CustomTestStringConvertible {
        var rule: String
        var method: Method
        var raw: String
        var framing: ResponseBodyFraming
        var keepAlive: Bool
        var testDescription: String { rule }
    }

    static func r(_ rule: String, _ method: Method, _ raw: String, _ framing: ResponseBodyFraming,
                  keepAlive: Bool) -> FramingRow {
        FramingRow(rule: rule, method: method, raw: raw, framing: framing, keepAlive: keepAlive)
    }

    static let framingRows: [FramingRow] = [
        // RFC 9112 §6.3 item 1: HEAD, 1xx, 204, 304 have no body whatever the fields say.
        r("§6.3.1 HEAD response with Content-Length", .head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", .none, keepAlive: true),
        r("§6.3.1 HEAD response with chunked", .head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .none, keepAlive: true),
        r("§6.3.1 100 Continue", .post, "HTTP/1.1 100 Continue\r\n\r\n", .none, keepAlive: true),
        r("§6.3.1 103 Early Hints", .get, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", .none, keepAlive: true),
        r("§6.3.1 204 No Content", .get, "HTTP/1.1 204 No Content\r\n\r\n", .none, keepAlive: true),
        r("§6.3.1 304 with Content-Length", .get, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", .none, keepAlive: true),
        // RFC 9110 §15.2.2: after 101 the connection speaks another protocol.
        r("§6.3.1 101 Switching Protocols", .get,
          "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", .none, keepAlive: false),
        // RFC 9112 §6.3 item 4: chunked final coding.
        r("§6.3.4 chunked", .get, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .chunked, keepAlive: true),
        // RFC 9112 §6.3 item 4: final coding not chunked → read until close.
        r("§6.3.4 gzip only → until close", .get, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .untilClose, keepAlive: false),
        // RFC 9112 §6.3 item 6: Content-Length.
        r("§6.3.6 Content-Length", .get, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", .contentLength(5), keepAlive: true),
        r("§6.3.6 Content-Length on POST response", .post, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", .contentLength(0), keepAlive: true),
        // RFC 9112 §6.3 item 8: no framing → until close.
        r("§6.3.8 no framing → until close", .get, "HTTP/1.1 200 OK\r\n\r\n", .untilClose, keepAlive: false),
        // RFC 9112 §9.3: persistence.
        r("§9.3 Connection: close", .get, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", .contentLength(1), keepAlive: false),
        r("§9.3 HTTP/1.0 default close", .get, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", .contentLength(1), keepAlive: false),
        r("§9.3 HTTP/1.0 keep-alive", .get, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n", .contentLength(1), keepAlive: true),
        // RFC 9112 §4: liberal status line.
        r("§4 missing SP before empty reason", .get, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", .contentLength(0), keepAlive: true),
        r("§4 empty reason with SP", .get, "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", .contentLength(0), keepAlive: true),
        r("§4 obs-text and HTAB in reason", .get, "HTTP/1.1 200 T\u{E8}s\tok\r\nContent-Length: 0\r\n\r\n", .contentLength(0), keepAlive: true),
        r("RFC 9110 §5.5 obs-text in value", .get, "HTTP/1.1 200 OK\r\nX: caf\u{E9}\r\nContent-Length: 0\r\n\r\n", .contentLength(0), keepAlive: true),
    ]

    @Test(arguments: framingRows)
    func framing(_ row: FramingRow) throws {
        let p = try #require(response(row.raw, method: row.method))
        #expect(p.head.framing == row.framing)
        #expect(p.head.keepAlive == row.keepAlive)
    }

    static let errorRows: [Row] = [
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [reason-phrase].
        Row("§4 two-digit status", "HTTP/1.1 20 OK\r\n\r\n", .error(502)),
        Row("§4 four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", .error(502)),
        Row("RFC 9110 §15 status below 100", "HTTP/1.1 099 Odd\r\n\r\n", .error(502)),
        Row("RFC 9110 §15 status above 599", "HTTP/1.1 600 Odd\r\n\r\n", .error(502)),
        Row("§4 no SP between status and reason", "HTTP/1.1 200OK\r\n\r\n", .error(502)),
        Row("§2.3 HTTP/2 version", "HTTP/2 200 OK\r\n\r\n", .error(502)),
        Row("§2.3 lowercase version", "http/1.1 200 OK\r\n\r\n", .error(502)),
        Row("§4 two SPs before status", "HTTP/1.1  200 OK\r\n\r\n", .error(502)),
        Row("§4 NUL in reason", "HTTP/1.1 200 O\u{0}K\r\n\r\n", .error(502)),
        Row("§2.2 bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", .error(502)),
        Row("§2.2 bare CR", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", .error(502)),
        Row("§2.2 leading empty line (servers only)", "\r\nHTTP/1.1 200 OK\r\n\r\n", .error(502)),
        Row("§5.2 obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", .error(502)),
        Row("§5.1 SP before colon", "HTTP/1.1 200 OK\r\nX : a\r\n\r\n", .error(502)),
        Row("RFC 9110 §5.5 CTL in value", "HTTP/1.1 200 OK\r\nX: a\u{1}\r\n\r\n", .error(502)),
        // RFC 9112 §6.3: framing faults are the upstream's.
        Row("§6.3 Content-Length with Transfer-Encoding",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", .error(502)),
        Row("§6.3 invalid Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", .error(502)),
        Row("§6.3 differing Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .error(502)),
        Row("§6.3 Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n", .error(502)),
        Row("§6.1 codings before chunked cannot be undone",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .error(502)),
        Row("§6.1 chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .error(502)),
        Row("§6.1 Transfer-Encoding in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .error(502)),
        Row("RFC 9110 §7.6.1 invalid Connection option", "HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n", .error(502)),
        Row("§4 incomplete status line", "HTTP/1.1 200 OK", .incomplete),
    ]

    @Test(arguments: errorRows)
    func errors(_ row: Row) {
        #expect(verdict(parseResponse(row.raw)) == row.expected)
    }

    @Test func oversizedHeadIs502() {
        var limits = HTTPLimits()
        limits.maxHeadBytes = 64
        #expect(verdict(parseResponse("HTTP/1.1 200 OK\r\nX: " + "a".times(100), limits: limits)) == .error(502))
        limits = HTTPLimits()
        limits.maxFieldCount = 1
        #expect(verdict(parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits)) == .error(502))
        limits = HTTPLimits()
        limits.maxFieldLineBytes = 8
        #expect(verdict(parseResponse("HTTP/1.1 200 OK\r\n", limits: limits)) == .error(502))
    }

    @Test func exposedProperties() throws {
        let raw = "HTTP/1.1 404 Not Here\r\nServer: gunicorn\r\nX_Under: kept\r\nContent-Length: 0\r\n\r\nNEXT"
        let p = try #require(response(raw))
        #expect(p.head.status == 404)
        #expect(p.text(p.head.reason) == "Not Here")
        #expect(p.head.version == .http1_1)
        #expect(!p.head.isInformational)
        #expect(p.head.headLength == raw.utf8.count - 4)
        #expect(p.head.fields.map { p.text($0.name) } == ["Server", "X_Under", "Content-Length"])
        #expect(p.head.fields.first(.server).map { p.text($0.value) } == "gunicorn")
    }

    @Test func upgradeAndInformational() throws {
        let p = try #require(response(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
        #expect(p.head.isInformational)
        #expect(p.text(p.head.upgrade) == "websocket")
        let q = try #require(response("HTTP/1.1 100 Continue\r\n\r\n", method: .post))
        #expect(q.head.isInformational)
        #expect(q.head.upgrade == nil)
    }

    /// A 1xx is followed by the final response: reset() and parse from headLength.
    @Test func interimThenFinal() throws {
        let bytes = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
        var parser = ResponseHeadParser()
        guard case .complete(let interim) = bytes.withUnsafeBytes({ parser.parse($0, requestMethod: .post) }) else {
            Issue.record("interim response did not parse")
            return
        }
        #expect(interim.status == 100)
        parser.reset()
        let rest = Array(bytes[interim.headLength...])
        guard case .complete(let final) = rest.withUnsafeBytes({ parser.parse($0, requestMethod: .post) }) else {
            Issue.record("final response did not parse")
            return
        }
        #expect(final.status == 200)
        #expect(final.framing == .contentLength(2))
        #expect(final.headLength == rest.count - 2)
    }

    @Test func everySplitMatchesOneShot() {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: X-A\r\nX-A: 1\r\n\r\nhello".utf8)
        func run(_ cut: Int?) -> String {
            var parser = ResponseHeadParser()
            if let cut { _ = Array(bytes[..<cut]).withUnsafeBytes { parser.parse($0, requestMethod: .get) } }
            switch bytes.withUnsafeBytes({ parser.parse($0, requestMethod: .get) }) {
            case .complete(let h):
                return "\(h.status) \(h.reason) \(h.headLength) \(h.framing) \(h.keepAlive) "
                    + "\(h.fields.map { "\($0.name)\($0.value)\($0.token)\($0.isHopByHop)" })"
            case .incomplete: return "incomplete"
            case .failure(let e): return "\(e)"
            }
        }
        let oneShot = run(nil)
        #expect(oneShot.hasPrefix("200 "))
        for cut in 0...bytes.count {
            #expect(run(cut) == oneShot, "split at \(cut)")
        }
    }
}
