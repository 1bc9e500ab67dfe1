import HTTP1
import Testing

/// Request-line rules (RFC 9112 §2–§3), one row each.
@Suite struct RequestLineRuleTests {
    static let rows: [Row] = [
        // RFC 9112 §3: the canonical form.
        Row("§3 minimal HTTP/1.1 request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        // RFC 9112 §3.2: Host is only mandatory in 1.1.
        Row("§3 HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", .ok),
        // RFC 9110 §9.1: methods are case-sensitive tokens; an unknown one is still valid syntax.
        Row("RFC 9110 §9.1 lowercase method is a valid token", "get / HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("RFC 9110 §9.1 extension method", "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        // RFC 9112 §3: exactly one SP between the parts.
        Row("§3 two SPs after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 two SPs after target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 HTAB as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 leading SP", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 trailing SP after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 SP inside target (four parts)", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 SP inside target, three parts", "GET /a b\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9110 §9.1 / §5.6.2: method = token.
        Row("§3 method not a token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3 empty line content with only SPs", "   \r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9112 §3.2 / RFC 3986: targets are visible ASCII, no CTLs, no SP.
        Row("§3.2 control character in target", "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 HTAB in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 NUL in target", "GET /a\u{00}b HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 DEL in target", "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 non-ASCII in target", "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 fragment is not part of a target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2 relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
        Row("§2.3 HTTP/1.x", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", .error(400)),
        Row("§2.3 lowercase http/1.1", "GET / http/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§2.3 HTTP/11", "GET / HTTP/11\r\nHost: a\r\n\r\n", .error(400)),
        Row("§2.3 HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", .error(400)),
        Row("§2.3 HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9110 §2.5 / §15.6.6: well-formed but unsupported versions get 505.
        Row("§2.3 HTTP/2.0 well-formed, unsupported", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .error(505)),
        Row("§2.3 HTTP/1.2 well-formed, unsupported", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", .error(505)),
        Row("§2.3 HTTP/0.9 well-formed, unsupported", "GET / HTTP/0.9\r\n\r\n", .error(505)),
        // RFC 9112 §2.3 / Appendix C.1: no HTTP/0.9 simple requests.
        Row("HTTP/0.9 request without version", "GET /\r\n\r\n", .error(400), reason: "missing HTTP version"),
        // RFC 9112 §2.2: CRLF required; bare LF / bare CR rejected.
        Row("§2.2 bare LF ending the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", .error(400),
            reason: "bare LF line terminator"),
        Row("§2.2 bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", .error(400), reason: "bare LF line terminator"),
        Row("§2.2 bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", .error(400), reason: "bare CR"),
        Row("§2.2 bare CR ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", .error(400), reason: "bare CR"),
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        Row("§2.2 one leading CRLF ignored", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("§2.2 eight leading CRLFs ignored", "\r\n".times(8) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("§2.2 nine leading CRLFs: bounded", "\r\n".times(9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§2.2 leading bare LF", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9112 §3.2.4: asterisk-form only for OPTIONS.
        Row("§3.2.4 OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("§3.2.4 GET *", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9112 §3.2.3: authority-form is CONNECT-only; CONNECT itself is not implemented.
        Row("§3.2.3 CONNECT not supported", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", .error(501)),
        Row("§3.2.3 authority-form without CONNECT", "GET a:443 HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        // RFC 9112 §3.2.2: servers MUST accept absolute-form.
        Row("§3.2.2 absolute-form http", "GET http://a:8080/x?y HTTP/1.1\r\nHost: b\r\n\r\n", .ok),
        Row("§3.2.2 absolute-form https, mixed-case scheme", "GET HTTPS://a/ HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("§3.2.2 absolute-form without path", "GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", .ok),
        Row("§3.2.2 absolute-form, unsupported scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("RFC 9110 §4.2.4 userinfo in absolute-form", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("RFC 9110 §4.2.1 empty host in http URI", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
        Row("§3.2.2 absolute-form, bad authority", "GET http://a:b:c/ HTTP/1.1\r\nHost: a\r\n\r\n", .error(400)),
    ]

    @Test(arguments: rows)
    func rule(_ row: Row) {
        row.checkRequest()
    }
}
