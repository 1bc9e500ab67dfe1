import HTTP1
import Testing

@Suite struct ResponseSerializerTests {
    static func serialize(_ raw: String, method: Method = .get, body: DownstreamBodyFraming, keepAlive: Bool = true,
                          client: HTTPVersion = .http1_1, requestID: String? = nil,
                          sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard let p = response(raw, method: method, sourceLocation: sourceLocation) else { return nil }
        var out: [UInt8] = []
        p.bytes.withUnsafeBytes {
            ResponseSerializer.writeHead(p.head, source: $0, body: body, keepAlive: keepAlive,
                                         clientVersion: client, requestID: requestID, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let upstream = "HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\n"
        + "Connection: keep-alive, X-Internal\r\nX-Internal: 1\r\nKeep-Alive: timeout=2\r\nContent-Length: 5\r\n"
        + "Content-Type: text/plain\r\n\r\nhello"
    static let forwarded = "HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\n"
        + "Content-Type: text/plain\r\n"

    @Test func contentLengthKeepAlive() {
        #expect(Self.serialize(Self.upstream, body: .contentLength(5)) == Self.forwarded + "Content-Length: 5\r\n\r\n")
    }

    @Test func theRequestIDIsEchoedInPlaceOfTheServersOwn() {
        let raw = "HTTP/1.1 200 OK\r\nX-Request-ID: app-made\r\nContent-Length: 0\r\n\r\n"
        #expect(Self.serialize(raw, body: .contentLength(0), requestID: "proxy-id")
            == "HTTP/1.1 200 OK\r\nX-Request-ID: proxy-id\r\nContent-Length: 0\r\n\r\n")
        #expect(Self.serialize(raw, body: .contentLength(0))
            == "HTTP/1.1 200 OK\r\nX-Request-ID: app-made\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func hstsReplacesTheServersOwn() {
        let raw = "HTTP/1.1 200 OK\r\nstrict-transport-security: max-age=1\r\nContent-Length: 0\r\n\r\n"
        guard let p = response(raw, method: .get) else { return }
        var out: [UInt8] = []
        p.bytes.withUnsafeBytes {
            ResponseSerializer.writeHead(p.head, source: $0, body: .contentLength(0), keepAlive: true, clientVersion: .http1_1,
                                         strictTransportSecurity: "max-age=31536000", into: &out)
        }
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func rechunked() {
        #expect(Self.serialize(Self.upstream, body: .chunked) == Self.forwarded + "Transfer-Encoding: chunked\r\n\r\n")
    }

    @Test func closeRequested() {
        #expect(Self.serialize(Self.upstream, body: .contentLength(5), keepAlive: false)
            == Self.forwarded + "Content-Length: 5\r\nConnection: close\r\n\r\n")
    }

    @Test func untilCloseForcesConnectionClose() {
        #expect(Self.serialize(Self.upstream, body: .untilClose, keepAlive: true, client: .http1_0)
            == Self.forwarded + "Connection: close\r\n\r\n")
    }

    /// RFC 9112 §9.3: an HTTP/1.0 client defaults to close, so keep-alive must be announced.
    @Test func http10ClientKeptAlive() {
        #expect(Self.serialize(Self.upstream, body: .contentLength(5), client: .http1_0)
            == Self.forwarded + "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n")
    }

    /// RFC 9110 §8.6: a HEAD (or 304) response's Content-Length describes the representation.
    @Test func headResponseKeepsUpstreamContentLength() {
        #expect(Self.serialize("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", method: .head, body: .none)
            == "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")
        #expect(Self.serialize("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 42\r\n\r\n", body: .none)
            == "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 42\r\n\r\n")
    }

    @Test func noContent() {
        #expect(Self.serialize("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", body: .none)
            == "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n")
    }

    @Test func switchingProtocolsForwardsUpgrade() {
        let raw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: abc=\r\n\r\n"
        #expect(Self.serialize(raw, body: .none, keepAlive: false)
            == "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: abc=\r\nConnection: upgrade\r\n"
            + "Upgrade: websocket\r\n\r\n")
    }

    @Test func interimResponseHasNoConnectionField() {
        #expect(Self.serialize("HTTP/1.1 100 Continue\r\n\r\n", method: .post, body: .none, keepAlive: false)
            == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func emptyReasonGetsStandardPhrase() {
        #expect(Self.serialize("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", body: .contentLength(0))
            == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func upstreamChunkedBecomesContentLength() {
        #expect(Self.serialize("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n\r\n",
                               body: .contentLength(10))
            == "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    }

    @Test func writeSimple() {
        var out: [UInt8] = []
        ResponseSerializer.writeSimple(status: 503, contentType: "text/plain; charset=utf-8",
                                       body: Array("busy\n".utf8), close: true,
                                       extraFields: [("Retry-After", "5")], into: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
            + "Retry-After: 5\r\nConnection: close\r\n\r\nbusy\n")
    }

    @Test func writeSimpleKeepAliveEmptyBody() {
        var out: [UInt8] = []
        ResponseSerializer.writeSimple(status: 404, contentType: "application/json", body: "".utf8, close: false, into: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func writeSimpleStripsInjectedLines() {
        var out: [UInt8] = []
        ResponseSerializer.writeSimple(status: 400, contentType: "text/plain\r\nX-Evil: 1", body: [UInt8](), close: true,
                                       extraFields: [("Bad Name\r\n", "v\r\nX: y")], into: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plainX-Evil: 1\r\nContent-Length: 0\r\n"
            + "BadName: vX: y\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: [
        (200, "OK"), (101, "Switching Protocols"), (404, "Not Found"), (413, "Content Too Large"),
        (414, "URI Too Long"), (431, "Request Header Fields Too Large"), (502, "Bad Gateway"),
        (505, "HTTP Version Not Supported"), (299, "Success"), (499, "Client Error"), (599, "Server Error"),
    ])
    func reasonPhrases(_ status: Int, _ phrase: String) {
        #expect(ResponseSerializer.reasonPhrase(status) == phrase)
    }
}

@Suite struct ChunkedEncoderTests {
    @Test(arguments: [(1, "1\r\n"), (10, "a\r\n"), (255, "ff\r\n"), (4096, "1000\r\n"), (Int.max, "7fffffffffffffff\r\n")])
    func chunkHeader(_ size: Int, _ expected: String) {
        var out: [UInt8] = []
        ChunkedEncoder.appendChunkHeader(size: size, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func constants() {
        #expect(ChunkedEncoder.chunkTrailerCRLF == Array("\r\n".utf8))
        #expect(ChunkedEncoder.lastChunk == Array("0\r\n\r\n".utf8))
    }

    /// Encoder output decodes back to the same body.
    @Test func roundTrip() {
        var out: [UInt8] = []
        for piece in ["hello", " ", "world, this is chunked"] {
            ChunkedEncoder.appendChunkHeader(size: piece.utf8.count, into: &out)
            out += piece.utf8
            out += ChunkedEncoder.chunkTrailerCRLF
        }
        out += ChunkedEncoder.lastChunk
        var decoder = BodyDecoder.chunked()
        let run = decode([out], with: &decoder)
        #expect(run.finished)
        #expect(String(decoding: run.body, as: UTF8.self) == "hello world, this is chunked")
    }
}
