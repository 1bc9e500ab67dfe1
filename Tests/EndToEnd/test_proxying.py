"""GET and POST through paddock to gunicorn (sync pool) and uvicorn (async pool): small
requests, large uploads (Content-Length and chunked) and large responses, checked byte-exact;
server-sent events and a WebSocket. Every test runs twice: on the plain listener, and on a
[tls] listener (a throwaway CA made with the openssl CLI)."""

from __future__ import annotations

import os
import random
import ssl
import time

import pytest

from conftest import MAIN_ROUTES, main_pools
from harness import (
    Paddock, RawConn, chunked_body, first_difference, free_port, make_pki, pattern_bytes, sha256, wait_until_accepting,
)

MiB = 1024 * 1024


class TLSFront:
    """The main pools and routes behind a [tls] listener, with what the tests use of a Paddock."""

    def __init__(self, paddock: Paddock, port: int, ca: str):
        self.paddock, self.host, self.port, self.ca = paddock, "127.0.0.1", port, ca
        self.context = ssl.create_default_context(cafile=ca)
        self.url = f"https://127.0.0.1:{port}"
        self.ws_scheme = "wss"

    @property
    def addr(self):
        return (self.host, self.port)

    def connect(self, timeout: float = 5.0) -> RawConn:
        return RawConn(self.addr, timeout=timeout, tls=self.context, server_hostname="site.test")


@pytest.fixture(scope="module", params=["plain", "tls"])
def proxy(request, proxy, work_dir, web_backend, api_backend):
    """Overrides the session's main proxy: the plain one as is, and one just like it on TLS."""
    if request.param == "plain":
        proxy.ws_scheme, proxy.context = "ws", None
        yield proxy
        return
    pki = make_pki(work_dir / "pki-proxying")
    port = free_port()
    p = Paddock("paddock-main-tls", work_dir, main_pools(web_backend, api_backend), MAIN_ROUTES,
                proxy_extra={"access_log": "off"},
                tables={"tls": {"listen": [f"127.0.0.1:{port}"],
                                "certificates": [{"cert": str(pki / "site.pem"), "key": str(pki / "site.key")}]}})
    try:
        wait_until_accepting(("127.0.0.1", port), p.proc)
        yield TLSFront(p, port, str(pki / "ca.pem"))
    finally:
        p.stop()


@pytest.fixture
def http(http, proxy):
    """The suite's requests session, trusting the TLS front's CA when there is one."""
    if isinstance(proxy, TLSFront):
        http.verify = proxy.ca
        http.trust_env = False  # or REQUESTS_CA_BUNDLE, when set, would win over verify
    return http


def test_get_index(proxy, http, pool):
    _, prefix, name, server = pool
    r = http.get(f"{proxy.url}{prefix}/")
    assert r.status_code == 200
    assert name in r.text and server in r.text, r.text


def test_get_whoami_reaches_the_pools_server(proxy, http, pool):
    _, prefix, name, _ = pool
    r = http.get(f"{proxy.url}{prefix}/whoami")
    assert r.status_code == 200
    body = r.json()
    assert body["server"] == name
    assert isinstance(body["pid"], int)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_small_upload(proxy, http, pool, method):
    _, prefix, _, _ = pool
    data = b"hello, paddock"
    r = http.request(method, f"{proxy.url}{prefix}/upload", data=data)
    assert r.status_code == 200
    assert r.json() == {"bytes": len(data), "sha256": sha256(data)}


def test_get_with_query_string(proxy, http, pool):
    _, prefix, _, _ = pool
    r = http.get(f"{proxy.url}{prefix}/sleep", params={"ms": "20"})
    assert r.status_code == 200
    assert r.text == "slept 20\n"


def test_upload_1mib_content_length(proxy, http, pool):
    _, prefix, _, _ = pool
    data = os.urandom(1 * MiB)
    r = http.post(f"{proxy.url}{prefix}/upload", data=data, headers={"Content-Type": "application/octet-stream"})
    assert r.request.headers["Content-Length"] == str(len(data))
    assert r.status_code == 200, r.text
    assert r.json() == {"bytes": len(data), "sha256": sha256(data)}


def test_upload_8mib_chunked(proxy, pool):
    """8 MiB as Transfer-Encoding: chunked, in chunks of irregular sizes (1 byte to 200 KiB)."""
    _, prefix, _, _ = pool
    data = os.urandom(8 * MiB)
    rng = random.Random(1234)
    pieces, pos = [], 0
    while pos < len(data):
        size = rng.choice([1, 7, 1000, 4096, 65536, 200_000])
        pieces.append(data[pos : pos + size])
        pos += size
    head = (
        f"POST {prefix}/upload HTTP/1.1\r\nHost: e2e.test\r\n"
        "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with proxy.connect(timeout=30) as conn:
        conn.send(head + chunked_body(pieces))
        resp = conn.read_response()
    assert resp.status == 200, resp.body[:300]
    assert resp.json() == {"bytes": len(data), "sha256": sha256(data)}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_download_10mb(proxy, http, pool, chunked):
    _, prefix, _, _ = pool
    n = 10 * 1000 * 1000
    params = {"n": str(n), **({"chunked": "1"} if chunked else {})}
    r = http.get(f"{proxy.url}{prefix}/bytes", params=params, timeout=(5, 60))
    assert r.status_code == 200
    if not chunked:
        assert r.headers.get("Content-Length") == str(n)
    expected = pattern_bytes(n)
    assert len(r.content) == n
    assert r.content == expected, first_difference(r.content, expected)


def test_download_10mb_raw_framing(proxy, pool):
    """The same 10 MB with Content-Length, read on a raw socket: exactly n body bytes, nothing after."""
    _, prefix, _, _ = pool
    n = 10 * 1000 * 1000
    with proxy.connect(timeout=30) as conn:
        resp = conn.request("GET", f"{prefix}/bytes?n={n}")
        assert resp.status == 200
        assert resp.header("content-length") == str(n)
        assert resp.body == pattern_bytes(n), first_difference(resp.body, pattern_bytes(n))
        # The connection is still good for another request, and nothing stray came after the body.
        resp2 = conn.request("GET", f"{prefix}/bytes?n=5")
        assert (resp2.status, resp2.body) == (200, b"01234")


def test_async_pool_streams_server_sent_events(proxy):
    """An async pool's response streams: the first event arrives long before the last is sent."""
    with proxy.connect() as conn:
        conn.send(b"GET /api/sse?events=4&interval_ms=400 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        started = time.monotonic()
        head = conn.read_head()
        assert head.status == 200
        assert head.header("content-type", "").startswith("text/event-stream")
        # Read until the first event; with chunked framing it is inside the first chunk.
        while b"data: 0\n\n" not in conn.buf:
            conn._fill()
        first_after = time.monotonic() - started
    # The whole stream takes 3 x 400 ms; a proxy that buffers it would deliver "data: 0" after ~1.2 s.
    assert first_after < 0.6, f"first event arrived after {first_after:.2f} s: the response was buffered"


def test_websocket_echo_through_async_pool(proxy):
    """An async pool tunnels a WebSocket upgrade: text and binary messages echo back."""
    from websockets.sync.client import connect

    with connect(f"{proxy.ws_scheme}://{proxy.host}:{proxy.port}/api/ws", open_timeout=5, close_timeout=2,
                 ssl=proxy.context, server_hostname="site.test" if proxy.context else None) as ws:
        ws.send("hello through paddock")
        assert ws.recv(timeout=5) == "hello through paddock"
        blob = os.urandom(100_000)
        ws.send(blob)
        assert ws.recv(timeout=5) == blob
