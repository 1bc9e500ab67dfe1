"""Reproducible corpus of request inputs for the differential test.

Half the cases come from a grammar of request pieces, most of them valid and some of them edge
cases (odd methods, targets, versions, separators, line endings, field names and values,
Content-Length / Transfer-Encoding combinations, chunked bodies with extensions, trailers and
odd sizes). The other half are byte-level mutations of valid grammar requests: inserted,
deleted and flipped bytes, duplicated lines, CRLF turned into LF or CR, added spaces.
"""
from __future__ import annotations

import random

CRLF = b"\r\n"

METHODS_VALID = [b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"PATCH", b"PROPFIND", b"PURGE"]
METHODS_ODD = [b"get", b"FOO", b"G@T", b"GET ", b"", b"M-SEARCH", b"TRACE", b"CONNECT", b"G\x00T", b"P\xc3\x96ST",
               b"GE T", b"GET\t", b"X" * 40]
TARGETS_VALID = [b"/", b"/a/b?c=d", b"/index.html", b"/%7Euser/", b"/a;b=c", b"/?q=1&r=2", b"/a%20b",
                 b"http://example.com/p?q", b"HTTP://A:8080", b"https://h.example", b"http://[::1]:80/x"]
TARGETS_ODD = [b"*", b"/a b", b"/a\tb", b"/%00", b"/caf\xe9", b"/a#frag", b"//", b"/\x7f", b"/{}|\\^`<>\"",
               b"", b"http://u@a/", b"a:443", b"ftp://a/", b"http:///x", b"http://a b/", b"/\x01", b"relative",
               b"/" + b"a" * 5000, b"http://a:b:c/", b"\x00", b"/\r", b"/a?\xff"]
VERSIONS_VALID = [b"HTTP/1.1", b"HTTP/1.1", b"HTTP/1.1", b"HTTP/1.0"]
VERSIONS_ODD = [b"HTTP/1.x", b"http/1.1", b"HTTP/2.0", b"HTTP/0.9", b"HTTP/11", b"HTTP/1.10", b"HTTP/1", b"",
                b"HTTP/1.1 ", b"HTTP/1.2", b"HTTPS/1.1", b"HTTP/1.1\x00", b"HTTP/ 1.1", b"HTTP/9.9"]
SEPARATORS_ODD = [b"  ", b"\t", b" \t", b"\x0b", b"\r", b""]
EOL_ODD = [b"\n", b"\r", b"\r\r\n", b"\n\r", b" \r\n"]

NAMES_VALID = [b"Accept", b"User-Agent", b"X-Request-Id", b"Cookie", b"X-Forwarded-For", b"Forwarded",
               b"Cache-Control", b"Accept-Encoding", b"!#$%&'*+-.^`|~", b"x", b"X-A"]
NAMES_ODD = [b"X_A", b"X A", b"X-A ", b"", b"X(", b"X\xe9", b"Content_Length", b"Transfer_Encoding", b"X\x00",
             b" X-A", b"\tX", b"X\"", b"X{}", b"X:Y", b"Connection", b"Keep-Alive", b"Upgrade", b"TE", b"Trailer",
             b"Proxy-Connection", b"Expect", b"Host", b"X-Forwarded-Host", b"\x7f"]
VALUES_VALID = [b"text/html", b"*/*", b"1", b"", b"a, b", b"gzip, deflate", b"\"quoted\"", b"a=b; c=d",
                b"Mozilla/5.0 (X11; Linux x86_64)", b"1.2.3.4", b"x" * 200]
VALUES_ODD = [b" padded ", b"\tx\t", b"caf\xe9", b"\x80\xff", b"a\x00b", b"a\x01b", b"a\x7fb", b"a\rb", b"a\nb",
              b"a\r\n b", b"close", b"keep-alive", b"upgrade", b"100-continue", b"Upgrade, X-A", b"X-A",
              b"websocket", b"trailers", b"a\tb", b"  ", b"x" * 9000]
HOSTS_VALID = [b"example.com", b"a", b"a.example:8080", b"127.0.0.1", b"[::1]:8080", b"localhost"]
HOSTS_ODD = [b"a b", b"a/b", b"", b"u@a", b"a:x", b"a:1:2", b"[::1", b"a?b", b"\xe9", b"a\tb", b"a,b"]
CL_VALID = [b"0", b"5", b"10", b"3"]
CL_ODD = [b"007", b"+5", b"-1", b"5,5", b"5, 5", b" 5 ", b"0x5", b"18446744073709551615",
          b"18446744073709551616", b"99999999999999999999999", b"", b"5 5", b"1e3", b"5.0", b"\xe9"]
TE_VALID = [b"chunked"]
TE_ODD = [b"Chunked", b"CHUNKED", b"gzip", b"gzip, chunked", b"chunked, gzip", b"chunked, chunked", b"identity",
          b"chunked;q=1", b", chunked", b"\"chunked\"", b"chunked ", b"xchunked", b"", b"deflate,chunked",
          b"chunked,", b"chunk", b"chunked\x00", b"identity, chunked", b"gzip;q=0.5, chunked", b"ch unked"]


class Grammar:
    """Builds one request from pieces, each piece valid with probability 1 - `odd`."""

    def __init__(self, rng: random.Random, odd: float) -> None:
        self.rng = rng
        self.odd = odd

    def pick(self, valid: list[bytes], odd: list[bytes]) -> bytes:
        return self.rng.choice(odd if self.rng.random() < self.odd else valid)

    def eol(self) -> bytes:
        return self.rng.choice(EOL_ODD) if self.rng.random() < self.odd / 4 else CRLF

    def request(self) -> bytes:
        rng = self.rng
        method = self.pick(METHODS_VALID, METHODS_ODD)
        target = self.pick(TARGETS_VALID, TARGETS_ODD)
        version = self.pick(VERSIONS_VALID, VERSIONS_ODD)
        sep1 = self.pick([b" "], SEPARATORS_ODD)
        sep2 = self.pick([b" "], SEPARATORS_ODD)
        out = bytearray()
        if rng.random() < 0.05:
            out += rng.choice([CRLF, CRLF * 2, b"\n", b" \r\n", CRLF * 10])
        out += method + sep1 + target + sep2 + version + self.eol()
        fields: list[bytes] = []
        if rng.random() < 0.93:
            fields.append(b"Host: " + self.pick(HOSTS_VALID, HOSTS_ODD))
        if rng.random() < 0.05:
            fields.append(b"Host: " + self.pick(HOSTS_VALID, HOSTS_ODD))
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            name = self.pick(NAMES_VALID, NAMES_ODD)
            value = self.pick(VALUES_VALID, VALUES_ODD)
            colon = self.pick([b": ", b":"], [b" : ", b"\t:", b" :", b"::", b"", b":\t"])
            fields.append(name + colon + value)
        body, framing_fields = self.body()
        fields += framing_fields
        rng.shuffle(fields)
        if rng.random() < self.odd / 3 and fields:
            # obs-fold continuation
            i = rng.randrange(len(fields))
            fields.insert(i + 1, rng.choice([b" folded", b"\tfolded", b"  x: y"]))
        for field in fields:
            out += field + self.eol()
        out += self.eol() + body
        if rng.random() < 0.08:
            out += b"GET /second HTTP/1.1\r\nHost: b\r\n\r\n"
        return bytes(out)

    def body(self) -> tuple[bytes, list[bytes]]:
        rng = self.rng
        kind = rng.choice(["none", "none", "cl", "cl", "chunked", "chunked", "both", "odd"])
        if kind == "none":
            return b"", []
        if kind == "cl":
            value = self.pick(CL_VALID, CL_ODD)
            fields = [b"Content-Length: " + value]
            if rng.random() < self.odd / 2:
                fields.append(b"Content-Length: " + self.pick(CL_VALID, CL_ODD))
            n = int(value) if value.isdigit() and len(value) < 6 else rng.randrange(6)
            n += self.rng.choice([0, 0, 0, 0, -1, 1]) if n else 0
            return bytes(rng.randrange(256) if rng.random() < 0.1 else 0x61 + i % 26 for i in range(max(n, 0))), fields
        if kind == "chunked":
            fields = [b"Transfer-Encoding: " + self.pick(TE_VALID, TE_ODD)]
            if rng.random() < self.odd / 2:
                fields.append(b"Transfer-Encoding: " + self.pick(TE_VALID, TE_ODD))
            return self.chunked(), fields
        if kind == "both":
            return self.chunked(), [b"Content-Length: " + self.pick(CL_VALID, CL_ODD),
                                    b"Transfer-Encoding: " + self.pick(TE_VALID, TE_ODD)]
        return rng.choice([b"abc", b""]), [rng.choice([b"Transfer-Encoding: gzip", b"Content-Length: 3",
                                                        b"Transfer-Encoding:", b"Content-Length:"])]

    def chunked(self) -> bytes:
        rng = self.rng
        out = bytearray()
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            size = rng.choice([1, 3, 5, 10, 16, 255])
            data = bytes(0x41 + i % 26 for i in range(size))
            size_text = self.pick([b"%x" % size, b"%X" % size],
                                  [b"0%x" % size, b"0x%x" % size, b"-%x" % size, b" %x" % size, b"%x " % size,
                                   b"%x\t" % size, b"", b"%xg" % size, b"+%x" % size, b"ffffffffffffffffff"])
            ext = self.pick([b"", b"", b";a=b", b";name"],
                            [b";a=\"b c\"", b" ; a", b";", b";a\nb", b";a\rb", b";a\x00", b";" + b"e" * 5000,
                             b"\t;x", b";a=b;c=d", b"; a = b"])
            if rng.random() < self.odd / 3:
                data = data[:-1] if rng.random() < 0.5 else data + b"Z"
            out += size_text + ext + self.eol() + data + self.eol()
        out += self.pick([b"0", b"0"], [b"00", b"000000", b"0;ext", b"0 ", b"0x0"]) + self.eol()
        if rng.random() < 0.2:
            out += self.pick([b"X-Trailer: y", b"Expires: 0"],
                             [b"Content-Length: 5", b"X : y", b" folded", b"X: a\x00", b"Xy", b"Host: evil",
                              b"Transfer-Encoding: chunked"]) + self.eol()
        if rng.random() > self.odd / 4:
            out += self.eol()
        return bytes(out)


INTERESTING = b"\r\n\x00 \t:;,\x7f\xff\x80\"\\/?#%@0123456789abcdefABCDEF-_"


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Applies one to three random byte-level edits to a (valid) request."""
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        if not out:
            break
        op = rng.randrange(9)
        pos = rng.randrange(len(out))
        if op == 0:
            out.insert(pos, rng.choice(INTERESTING))
        elif op == 1:
            out.insert(pos, rng.randrange(256))
        elif op == 2:
            del out[pos]
        elif op == 3:
            out[pos] ^= 1 << rng.randrange(8)
        elif op == 4:
            lines = bytes(out).split(CRLF)
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            out = bytearray(CRLF.join(lines))
        elif op == 5:
            ends = [i for i in range(len(out) - 1) if out[i:i + 2] == CRLF]
            if ends:
                i = rng.choice(ends)
                out[i:i + 2] = rng.choice([b"\n", b"\r", b"\r\r\n", b"\n\r"])
        elif op == 6:
            # A space or tab at a structurally interesting place: line start, before a colon, at a value end.
            spots = [i + 2 for i in range(len(out) - 1) if out[i:i + 2] == CRLF] + \
                    [i for i, b in enumerate(out) if b in b":\r"]
            if spots:
                out.insert(rng.choice(spots), rng.choice(b" \t"))
        elif op == 7:
            del out[pos:]
        else:
            i = rng.randrange(len(out))
            out[pos:pos] = out[i:i + rng.randrange(1, 12)]
    return bytes(out)


def generate(seed: int, count: int) -> list[bytes]:
    """`count` inputs: half grammar-built (a third of them with many odd pieces), half mutated."""
    rng = random.Random(seed)
    strict = Grammar(rng, odd=0.08)
    wild = Grammar(rng, odd=0.35)
    clean = Grammar(rng, odd=0.0)
    cases: list[bytes] = []
    for i in range(count):
        if i % 2 == 0:
            cases.append((wild if i % 6 == 0 else strict).request())
        else:
            cases.append(mutate(rng, clean.request()))
    return cases
