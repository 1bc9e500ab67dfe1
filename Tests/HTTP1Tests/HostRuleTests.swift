import HTTP1
import Testing

/// Host rules (RFC 9112 §3.2, RFC 9110 §7.2), one row each.
@Suite struct HostRuleTests {
    static func get(_ fieldLines: String, version: String = "HTTP/1.1") -> String {
        "GET / \(version)\r\n" + fieldLines + "\r\n"
    }

    static let rows: [Row] = [
        // RFC 9112 §3.2: 400 for an HTTP/1.1 request lacking Host or with more than one.
        Row("§3.2 missing Host in HTTP/1.1", get(""), .error(400)),
        Row("§3.2 two Host fields", get("Host: a\r\nHost: a\r\n"), .error(400)),
        Row("§3.2 two Host fields in HTTP/1.0", get("Host: a\r\nHost: b\r\n", version: "HTTP/1.0"), .error(400)),
        Row("§3.2 absolute-form still needs Host in 1.1", "GET http://a/ HTTP/1.1\r\n\r\n", .error(400)),
        Row("§3.2 absolute-form in 1.0 without Host", "GET http://a/ HTTP/1.0\r\n\r\n", .ok),
        // RFC 9110 §7.2 / RFC 3986 §3.2.2: Host = uri-host [ ":" port ].
        Row("RFC 9110 §7.2 host with port", get("Host: a.example:8080\r\n"), .ok),
        Row("RFC 9110 §7.2 IPv6 literal with port", get("Host: [::1]:8080\r\n"), .ok),
        Row("RFC 9110 §7.2 IPv4 address", get("Host: 127.0.0.1\r\n"), .ok),
        Row("RFC 9112 §3.2 empty Host is allowed", get("Host:\r\n"), .ok),
        Row("RFC 9110 §7.2 space in Host", get("Host: a b\r\n"), .error(400)),
        Row("RFC 9110 §7.2 slash in Host", get("Host: a/b\r\n"), .error(400)),
        Row("RFC 9110 §7.2 userinfo in Host", get("Host: u@a\r\n"), .error(400)),
        Row("RFC 9110 §7.2 non-numeric port", get("Host: a:x\r\n"), .error(400)),
        Row("RFC 9110 §7.2 two colons", get("Host: a:1:2\r\n"), .error(400)),
        Row("RFC 9110 §7.2 unclosed IP literal", get("Host: [::1\r\n"), .error(400)),
        Row("RFC 9110 §7.2 junk after IP literal", get("Host: [::1]x\r\n"), .error(400)),
        Row("RFC 9110 §7.2 query in Host", get("Host: a?b\r\n"), .error(400)),
    ]

    @Test(arguments: rows)
    func rule(_ row: Row) {
        row.checkRequest()
    }
}
