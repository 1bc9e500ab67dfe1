import HTTP1
import Testing

/// `UpstreamBodyFraming.lengthAfterBuffering` + `RequestSerializer.finishHead`: the head of a
/// buffered request is written before its body's length is known, then completed with
/// Content-Length as its last field.
@Suite struct BufferedBodyHeadTests {
    /// The head `writeHead` leaves unfinished, and that head after `finishHead`.
    static func serialize(
        _ raw: String, length: UInt64, keepAlive: Bool, upgrade: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> (unfinished: String, finished: String)? {
        guard let p = request(raw, sourceLocation: sourceLocation) else { return nil }
        var out: [UInt8] = []
        p.bytes.withUnsafeBytes {
            RequestSerializer.writeHead(p.head, source: $0, options: UpstreamRequestOptions(
                clientAddress: "127.0.0.1", body: .lengthAfterBuffering, keepAlive: keepAlive, upgrade: upgrade),
                into: &out)
        }
        let unfinished = String(decoding: out, as: UTF8.self)
        RequestSerializer.finishHead(&out, contentLength: length)
        return (unfinished, String(decoding: out, as: UTF8.self))
    }

    /// The client's Content-Length and Connection are dropped; Content-Length comes after
    /// "Connection: close", directly before the blank line.
    @Test func bufferedPostWithConnectionClose() throws {
        let raw = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n"
        let out = try #require(Self.serialize(raw, length: 5, keepAlive: false))
        let fields = "POST /upload HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nConnection: close\r\n"
        #expect(out.unfinished == fields)
        #expect(out.finished == fields + "Content-Length: 5\r\n\r\n")
    }

    /// A chunked upload that was buffered reaches the upstream with a length and no
    /// Transfer-Encoding, and parses back to that framing.
    @Test func bufferedChunkedUpload() throws {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nUser-Agent: t\r\n\r\n"
        let out = try #require(Self.serialize(raw, length: 11, keepAlive: true))
        #expect(out.finished == "POST / HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nContent-Length: 11\r\n\r\n")
        let again = try #require(request(out.finished))
        #expect(again.head.framing == .contentLength(11))
        #expect(!again.head.fields.contains { $0.token == .transferEncoding })
    }

    @Test func zeroLength() throws {
        let out = try #require(Self.serialize("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                                              length: 0, keepAlive: true))
        #expect(out.finished == "POST / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 127.0.0.1\r\n"
            + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\nContent-Length: 0\r\n\r\n")
    }

    /// Until it is finished the head is not a complete head, so it cannot be sent by mistake
    /// and parse as a bodiless request.
    @Test func unfinishedHeadIsIncomplete() throws {
        let out = try #require(Self.serialize("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n",
                                              length: 3, keepAlive: true))
        #expect(verdict(parseRequest(out.unfinished)) == .incomplete)
    }

    /// The same bytes the proxy produced by hand before this API: the head for `.none`, its
    /// blank line removed, then "Content-Length: n" and the blank line.
    @Test(arguments: [(true, false), (false, false), (true, true)])
    func sameBytesAsEditingAFinishedHead(_ keepAlive: Bool, _ upgrade: Bool) throws {
        let raw = "PUT /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 7\r\n\r\n"
        let p = try #require(request(raw))
        var edited: [UInt8] = []
        p.bytes.withUnsafeBytes {
            RequestSerializer.writeHead(p.head, source: $0, options: UpstreamRequestOptions(
                clientAddress: "127.0.0.1", body: .none, keepAlive: keepAlive, upgrade: upgrade), into: &edited)
        }
        edited.removeLast(2)
        edited.append(contentsOf: Array("Content-Length: 7\r\n\r\n".utf8))
        let out = try #require(Self.serialize(raw, length: 7, keepAlive: keepAlive, upgrade: upgrade))
        #expect(out.finished == String(decoding: edited, as: UTF8.self))
    }
}
