import HTTP1
import Testing

/// Issue 4, "Requests sent upstream": only canonical requests go upstream. The framing field is
/// the proxy's choice, never the client's, and a chunked body is re-chunked without extensions
/// or trailers.
@Suite struct UpstreamCanonicalTests {
    static func serialize(_ raw: String, body: UpstreamBodyFraming) -> String? {
        guard let p = request(raw) else { return nil }
        var out: [UInt8] = []
        p.bytes.withUnsafeBytes {
            RequestSerializer.writeHead(p.head, source: $0, options: UpstreamRequestOptions(
                clientAddress: "127.0.0.1", body: body, keepAlive: true), into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 9112 §6.1/§6.3: a client's chunked body forwarded with a length (after buffering) has
    /// exactly one Content-Length and no Transfer-Encoding.
    @Test func chunkedClientBodySentWithContentLength() throws {
        let out = try #require(Self.serialize(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", body: .contentLength(5)))
        #expect(out.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("content-length:") } == ["Content-Length: 5"])
        #expect(!out.lowercased().contains("transfer-encoding"))
    }

    /// The reverse: a Content-Length body streamed upstream chunked carries no Content-Length.
    @Test func contentLengthClientBodyRechunked() throws {
        let out = try #require(Self.serialize(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", body: .chunked))
        #expect(out.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("transfer-encoding:") }
            == ["Transfer-Encoding: chunked"])
        #expect(!out.lowercased().contains("content-length"))
    }

    /// RFC 9112 §7.1.1/§7.1.2: decoding drops extensions and trailers, so re-chunking the
    /// decoded data with ChunkedEncoder gives canonical chunks only.
    @Test func rechunkedBodyHasNoExtensionsOrTrailers() {
        let run = decode("5;ext=1\r\nhello\r\n6 ; a = \"b c\"\r\n world\r\n0;last\r\nX-Trailer: t\r\n\r\n",
                         with: .chunked())
        #expect(run.finished)
        var out: [UInt8] = []
        ChunkedEncoder.appendChunkHeader(size: run.body.count, into: &out)
        out += run.body + ChunkedEncoder.chunkTrailerCRLF + ChunkedEncoder.lastChunk
        #expect(String(decoding: out, as: UTF8.self) == "b\r\nhello world\r\n0\r\n\r\n")
    }
}
