import HTTP1
import Testing

/// Message framing rules for requests (RFC 9112 §6), one row each.
@Suite struct FramingRuleTests {
    static func post(_ fieldLines: String, version: String = "HTTP/1.1") -> String {
        "POST / \(version)\r\nHost: a\r\n" + fieldLines + "\r\n"
    }

    static let rows: [Row] = [
        Row("§6.3 Content-Length", post("Content-Length: 5\r\n"), .ok),
        Row("§6.3 Content-Length with leading zeros", post("Content-Length: 007\r\n"), .ok),
        Row("§6.3 Content-Length trimmed of OWS", post("Content-Length:  5 \r\n"), .ok),
        Row("§6.3 Content-Length UInt64.max", post("Content-Length: 18446744073709551615\r\n"), .ok),
        // RFC 9112 §6.3 item 3: CL with TE is a smuggling attempt; reject.
        Row("§6.3 Content-Length with Transfer-Encoding",
            post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), .error(400)),
        Row("§6.3 Transfer-Encoding with Content-Length",
            post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), .error(400)),
        // RFC 9112 §6.3 item 5 / RFC 9110 §8.6: invalid or conflicting Content-Length → 400.
        Row("§6.3 differing Content-Length fields", post("Content-Length: 5\r\nContent-Length: 6\r\n"), .error(400)),
        Row("§6.3 identical Content-Length fields (policy: rejected)",
            post("Content-Length: 5\r\nContent-Length: 5\r\n"), .error(400)),
        Row("§6.3 Content-Length list", post("Content-Length: 5, 5\r\n"), .error(400)),
        Row("§6.3 Content-Length with sign", post("Content-Length: +5\r\n"), .error(400)),
        Row("§6.3 negative Content-Length", post("Content-Length: -5\r\n"), .error(400)),
        Row("§6.3 hex Content-Length", post("Content-Length: 0x5\r\n"), .error(400)),
        Row("§6.3 Content-Length with inner space", post("Content-Length: 5 5\r\n"), .error(400)),
        Row("§6.3 Content-Length with inner HTAB", post("Content-Length: 5\t5\r\n"), .error(400)),
        Row("§6.3 Content-Length list of differing values", post("Content-Length: 5, 6\r\n"), .error(400)),
        Row("§6.3 Content-Length with leading zeros past 20 digits", post("Content-Length: " + "0".times(30) + "5\r\n"), .ok),
        Row("§6.3 empty Content-Length", post("Content-Length:\r\n"), .error(400)),
        Row("§6.3 Content-Length overflow", post("Content-Length: 18446744073709551616\r\n"), .error(400)),
        Row("§6.3 Content-Length with fraction", post("Content-Length: 5.0\r\n"), .error(400)),
        // RFC 9112 §6.1: Transfer-Encoding.
        Row("§6.1 chunked", post("Transfer-Encoding: chunked\r\n"), .ok),
        Row("§6.1 coding names are case-insensitive", post("Transfer-Encoding: ChUnKeD\r\n"), .ok),
        Row("RFC 9110 §5.6.1 empty list elements are ignored", post("Transfer-Encoding: , chunked\r\n"), .ok),
        Row("§6.1 Transfer-Encoding in HTTP/1.0",
            post("Transfer-Encoding: chunked\r\n", version: "HTTP/1.0"), .error(400)),
        Row("§6.3 final coding not chunked", post("Transfer-Encoding: gzip\r\n"), .error(400)),
        Row("§6.3 chunked not last", post("Transfer-Encoding: chunked, gzip\r\n"), .error(400)),
        Row("§6.3 identity is not chunked", post("Transfer-Encoding: identity\r\n"), .error(400)),
        Row("§6.1 chunked applied twice", post("Transfer-Encoding: chunked, chunked\r\n"), .error(400)),
        Row("§7 chunked takes no parameters", post("Transfer-Encoding: chunked;q=1\r\n"), .error(400)),
        Row("§6.1 empty Transfer-Encoding", post("Transfer-Encoding:\r\n"), .error(400)),
        Row("§6.1 Transfer-Encoding not a list of tokens", post("Transfer-Encoding: \"chunked\"\r\n"), .error(400)),
        // RFC 9112 §6.1: unknown codings → 501 (we only implement chunked).
        Row("§6.1 gzip before chunked", post("Transfer-Encoding: gzip, chunked\r\n"), .error(501)),
        Row("§6.1 unknown coding before chunked", post("Transfer-Encoding: x-custom, chunked\r\n"), .error(501)),
        Row("§6.3 unknown coding alone: final coding not chunked", post("Transfer-Encoding: x-custom\r\n"), .error(400)),
        Row("§6.3 Content-Length with TE on HTTP/1.0",
            post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", version: "HTTP/1.0"), .error(400)),
        Row("RFC 9110 §5.6.1 TE list with a trailing empty element", post("Transfer-Encoding: chunked,\r\n"), .ok),
        Row("RFC 9110 §5.5 TE value trimmed of OWS", post("Transfer-Encoding: chunked\t\r\n"), .ok),
        Row("§6.1 empty TE field next to chunked", post("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n"), .ok),
        Row("§6.1 codings split over two fields",
            post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), .error(501)),
        Row("§6.1 chunked split over two fields twice",
            post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), .error(400)),
    ]

    @Test(arguments: rows)
    func rule(_ row: Row) {
        row.checkRequest()
    }

    @Test(arguments: [
        ("Content-Length: 5\r\n", RequestBodyFraming.contentLength(5)),
        ("Content-Length: 0\r\n", .contentLength(0)),
        ("Transfer-Encoding: chunked\r\n", .chunked),
        ("", .none),
    ])
    func framing(_ fieldLines: String, _ expected: RequestBodyFraming) {
        #expect(request(Self.post(fieldLines))?.head.framing == expected)
    }
}
