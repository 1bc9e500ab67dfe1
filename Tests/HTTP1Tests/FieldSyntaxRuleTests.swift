import HTTP1
import Testing

/// Field-line syntax rules (RFC 9112 §5, RFC 9110 §5), one row each.
@Suite struct FieldSyntaxRuleTests {
    static func req(_ fieldLines: String) -> String {
        "GET / HTTP/1.1\r\nHost: a\r\n" + fieldLines + "\r\n"
    }

    static let rows: [Row] = [
        // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.
        Row("§5 plain field", req("X-A: b\r\n"), .ok),
        Row("§5 no OWS after colon", req("X-A:b\r\n"), .ok),
        Row("§5 empty value", req("X-A:\r\n"), .ok),
        Row("§5 OWS around value", req("X-A: \t b \t\r\n"), .ok),
        // RFC 9112 §5.1: no whitespace between field name and colon.
        Row("§5.1 SP before colon", req("X-A : b\r\n"), .error(400), reason: "whitespace between field name and colon"),
        Row("§5.1 HTAB before colon", req("X-A\t: b\r\n"), .error(400)),
        Row("§5.1 SP before colon on Host", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .error(400)),
        // RFC 9112 §5.2: obs-fold is rejected (server MAY reject with 400).
        Row("§5.2 obs-fold with SP", req("X-A: b\r\n c\r\n"), .error(400), reason: "obsolete line folding"),
        Row("§5.2 obs-fold with HTAB", req("X-A: b\r\n\tc\r\n"), .error(400), reason: "obsolete line folding"),
        Row("§5.2 obs-fold line with a colon", req("X-A: b\r\n c: d\r\n"), .error(400), reason: "obsolete line folding"),
        // RFC 9112 §2.2: whitespace between the start line and the first field line.
        Row("§2.2 whitespace before first field line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", .error(400),
            reason: "whitespace before first field line"),
        // RFC 9110 §5.1: field-name = token, non-empty.
        Row("RFC 9110 §5.1 name with (", req("X(a: b\r\n"), .error(400)),
        Row("RFC 9110 §5.1 name with non-ASCII", req("X\u{E9}: b\r\n"), .error(400)),
        Row("RFC 9110 §5.1 empty name", req(": b\r\n"), .error(400), reason: "empty field name"),
        Row("§5 line without colon", req("X-A b\r\n"), .error(400), reason: "field line without colon"),
        Row("§5 bare word line", req("garbage\r\n"), .error(400), reason: "field line without colon"),
        // RFC 9110 §5.5: field values hold VCHAR, SP, HTAB, obs-text; no NUL or other CTLs.
        Row("RFC 9110 §5.5 NUL in value", req("X-A: b\u{00}c\r\n"), .error(400)),
        Row("RFC 9110 §5.5 CTL 0x01 in value", req("X-A: b\u{01}c\r\n"), .error(400)),
        Row("RFC 9110 §5.5 ESC in value", req("X-A: b\u{1B}c\r\n"), .error(400)),
        Row("RFC 9110 §5.5 DEL in value", req("X-A: b\u{7F}\r\n"), .error(400)),
        Row("RFC 9110 §5.5 HTAB inside value", req("X-A: b\tc\r\n"), .ok),
        Row("RFC 9110 §5.5 obs-text in value", req("X-A: caf\u{E9}\r\n"), .ok),
        // RFC 9112 §2.2: bare CR/LF in a field line.
        Row("§2.2 bare CR in value", req("X-A: b\rc\r\n"), .error(400), reason: "bare CR"),
        Row("§2.2 bare LF ending a field line", req("X-A: b\n"), .error(400), reason: "bare LF line terminator"),
        Row("§2.2 bare LF inside a value", req("X-A: b\nc\r\n"), .error(400), reason: "bare LF line terminator"),
        Row("§2.2 bare CR ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\rX", .error(400), reason: "bare CR"),
        // RFC 9110 §7.6.1: Connection = #connection-option (tokens).
        Row("RFC 9110 §7.6.1 Connection option not a token", req("Connection: a b\r\n"), .error(400)),
        Row("RFC 9110 §7.6.1 Connection list with empty elements", req("Connection: , close ,\r\n"), .ok),
        // RFC 9110 §10.1.1: only 100-continue is defined; anything else → 417.
        Row("RFC 9110 §10.1.1 Expect 100-continue", req("Expect: 100-continue\r\n"), .ok),
        Row("RFC 9110 §10.1.1 Expect is case-insensitive", req("Expect: 100-Continue\r\n"), .ok),
        Row("RFC 9110 §10.1.1 unknown expectation", req("Expect: 200-ok\r\n"), .error(417)),
    ]

    @Test(arguments: rows)
    func rule(_ row: Row) {
        row.checkRequest()
    }
}
