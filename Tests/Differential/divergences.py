"""Explains inputs that we accept and llhttp rejects, by class.

Each class is a rewrite that removes one kind of difference without changing the request's
meaning. A divergence is explained when, after applying the rewrites whose feature is present,
llhttp accepts the input and parses it exactly as we parsed the original (ignoring only what
the applied rewrites changed). Every class that explains a case must be listed, with its
justification, in accepted_divergences.json; anything else fails the test.
"""
from __future__ import annotations

import re
from typing import Callable

import compare
import parsers

CRLF = b"\r\n"


def _method(data: bytes, ours: dict) -> bytes | None:
    """extension-method: a method token that llhttp's fixed method table lacks → GET."""
    method = ours["method"]
    start = len(data) - len(data.lstrip(b"\r\n"))
    if data[start:start + len(method) + 1] != method + b" " or _llhttp_knows(method):
        return None
    return data[:start] + b"GET" + data[start + len(method):]


def _transfer_encoding(data: bytes, ours: dict) -> bytes | None:
    """transfer-encoding-list-syntax: empty list elements or OWS in a Transfer-Encoding value
    → the plain list."""
    head, body = data[:ours["head_length"]], data[ours["head_length"]:]
    lines = []
    changed = False
    for line in head.split(CRLF):
        name, colon, value = line.partition(b":")
        if colon and name.lower() == b"transfer-encoding":
            clean = b", ".join(e.strip(b" \t") for e in value.split(b",") if e.strip(b" \t"))
            if not clean or b" " + clean != value:
                changed = True
                if not clean:
                    continue  # a field with only empty elements adds nothing to the list
                line = name + b": " + clean
        lines.append(line)
    return CRLF.join(lines) + body if changed else None


def _chunk_extension_bws(data: bytes, ours: dict) -> bytes | None:
    """chunk-extension-bws: whitespace around ";" and "=" in chunk extensions → none. Walks the
    chunked body by its sizes and rewrites only chunk-size lines."""
    if ours.get("framing") != "chunked":
        return None
    head, body = data[:ours["head_length"]], data[ours["head_length"]:]
    out = bytearray()
    i = 0
    while True:
        end = body.find(CRLF, i)
        if end < 0:
            return None
        match = re.fullmatch(rb"([0-9A-Fa-f]+)(.*)", body[i:end], re.S)
        if not match:
            return None
        size = int(match.group(1), 16)
        out += match.group(1) + re.sub(rb"[ \t]*([;=])[ \t]*", rb"\1", match.group(2)) + CRLF
        i = end + 2
        if size == 0:
            out += body[i:]
            break
        out += body[i:i + size + 2]
        i += size + 2
    return head + bytes(out) if bytes(out) != body else None


def _trailer_fields(data: bytes, ours: dict) -> bytes | None:
    """trailer-fields-discarded: a chunked body's trailer section → empty. Walks the body by
    its chunk sizes to find the trailer section."""
    if ours.get("framing") != "chunked" or not ours.get("body_complete"):
        return None
    body_start = ours["head_length"]
    i = body_start
    while True:
        end = data.find(CRLF, i)
        if end < 0:
            return None
        size = int(re.match(rb"[0-9A-Fa-f]*", data[i:end]).group() or b"0", 16)
        i = end + 2
        if size == 0:
            break
        i += size + 2
    trailer_end = data.find(CRLF + CRLF, i - 2)
    if trailer_end < 0 or trailer_end + 2 == i:
        return None  # no trailer fields
    return data[:i] + data[trailer_end + 2:]


def _llhttp_knows(method: bytes) -> bool:
    return parsers.llhttp(method + b" / HTTP/1.1\r\nHost: a\r\n\r\n") is not None


# name → (rewrite, result keys the rewrite may change). Applied in this order: each rewrite
# works on the original offsets of the part it changes (body, then fields, then method).
REWRITES: dict[str, tuple[Callable[[bytes, dict], bytes | None], set[str]]] = {
    "trailer-fields-discarded": (_trailer_fields, set()),
    "chunk-extension-bws": (_chunk_extension_bws, set()),
    "transfer-encoding-list-syntax": (_transfer_encoding, {"transfer-encoding"}),
    "extension-method": (_method, {"method"}),
}


def explain(data: bytes, ours: dict) -> list[str] | None:
    """The classes that together explain why llhttp rejects `data` that we accept, or None."""
    applied: list[str] = []
    ignored: set[str] = set()
    for name, (rewrite, keys) in REWRITES.items():
        rewritten = rewrite(data, ours)
        if rewritten is not None:
            data = rewritten
            applied.append(name)
            ignored |= keys
    if not applied:
        return None
    ref = parsers.llhttp(data)
    if ref is None:
        return None
    mine = dict(ours)
    if "method" in ignored:
        mine["method"] = ref["method"]
    if "transfer-encoding" in ignored:
        mine["fields"] = _without_te(ours["fields"])
        ref = {**ref, "fields": _without_te(ref["fields"])}
    return applied if not compare.differences(mine, ref) else None


def _without_te(fields: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(n, v) for n, v in fields if n.lower() != b"transfer-encoding"]
