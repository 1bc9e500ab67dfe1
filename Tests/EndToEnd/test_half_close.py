"""A client that half-closes after its request (RFC 9112 §9.6): it sends one complete request, then
`shutdown(SHUT_WR)` (as `nc -N`, curl scripts and many test tools do), and keeps reading. Paddock must
answer the request as usual (from the backend, or its own 4xx for a request it rejects) and close the
connection after the response, so that the client reads EOF. The EOF is not the client aborting."""

from __future__ import annotations

import os
import socket

import pytest

from harness import ConnectionClosed, RawConn, Response, build_request, chunked_body, pattern_bytes, sha256

TIMEOUT = 5.0  # per socket operation; loopback answers in milliseconds


def half_closed_exchange(proxy, data: bytes, method: str) -> tuple[RawConn, Response]:
    """Sends `data` (one complete request), half-closes the write side, reads and parses one response.
    Returns the connection (still open for reading) and the response; fails the test (never hangs)
    if paddock answers nothing."""
    conn = RawConn(proxy.addr, timeout=TIMEOUT)
    try:
        # TCP_CORK holds back the last partial segment until the shutdown, which tacks the FIN onto
        # it: the end of the request and the EOF reach paddock together, as from a client that
        # half-closes at once. (Without it, paddock could read the request before the FIN arrived
        # and see the EOF only after answering, which hides the mishandled EOF this file tests.)
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        conn.send(data)
        conn.sock.shutdown(socket.SHUT_WR)
        try:
            resp = conn.read_response(method)
        except ConnectionClosed:
            pytest.fail(f"paddock closed the half-closed connection without a (complete) response; "
                        f"got {bytes(conn.buf[:200])!r}")
        except socket.timeout:
            pytest.fail(f"no complete response within {TIMEOUT:g} s after the half-close; "
                        f"got {bytes(conn.buf[:200])!r}")
        except ConnectionResetError:
            pytest.fail(f"paddock reset the half-closed connection; got {bytes(conn.buf[:200])!r}")
        return conn, resp
    except BaseException:
        conn.close()
        raise


def assert_eof_next(conn: RawConn) -> None:
    """After the response, the next read is EOF: no stray bytes, no reset, no open connection."""
    assert not conn.buf, f"bytes after the response: {bytes(conn.buf[:80])!r}"
    try:
        rest = conn.sock.recv(1 << 16)
    except socket.timeout:
        pytest.fail(f"paddock kept the half-closed connection open more than {TIMEOUT:g} s after the response")
    except ConnectionResetError:
        pytest.fail("paddock reset the connection after the response instead of closing it")
    assert rest == b"", f"bytes after the response instead of EOF: {rest[:80]!r}"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("n", [10, 100_000])
def test_get_answered_then_eof(proxy, pool, chunked, n):
    _, prefix, _, _ = pool
    target = f"{prefix}/bytes?n={n}" + ("&chunked=1" if chunked else "")
    conn, resp = half_closed_exchange(proxy, build_request("GET", target), "GET")
    with conn:
        assert resp.status == 200, (resp.status, resp.body[:200])
        if chunked:
            assert "chunked" in resp.tokens("transfer-encoding"), resp.headers
        else:
            assert resp.header("content-length") == str(n), resp.headers
        assert resp.body == pattern_bytes(n)
        assert_eof_next(conn)


def test_get_whoami_answered_by_the_pool_then_eof(proxy, pool):
    _, prefix, name, _ = pool
    conn, resp = half_closed_exchange(proxy, build_request("GET", f"{prefix}/whoami"), "GET")
    with conn:
        assert resp.status == 200, (resp.status, resp.body[:200])
        assert resp.json()["server"] == name
        assert_eof_next(conn)


def test_half_close_while_the_backend_works(proxy, pool):
    """The EOF reaches paddock long before the backend answers (300 ms): the response still comes."""
    _, prefix, _, _ = pool
    conn, resp = half_closed_exchange(proxy, build_request("GET", f"{prefix}/sleep?ms=300"), "GET")
    with conn:
        assert resp.status == 200, (resp.status, resp.body[:200])
        assert resp.body == b"slept 300\n"
        assert_eof_next(conn)


@pytest.mark.parametrize("size", [11, 100 * 1024], ids=["small", "100KiB"])
def test_post_body_reaches_backend_then_eof(proxy, pool, size):
    """Half-closed right after the last body byte: /upload reports the length and sha256 it read."""
    _, prefix, _, _ = pool
    body = os.urandom(size)
    request = build_request("POST", f"{prefix}/upload", body=body,
                            headers=[("Content-Type", "application/octet-stream")])
    conn, resp = half_closed_exchange(proxy, request, "POST")
    with conn:
        assert resp.status == 200, (resp.status, resp.body[:200])
        assert resp.json() == {"bytes": size, "sha256": sha256(body)}
        assert_eof_next(conn)


def test_chunked_post_body_reaches_backend_then_eof(proxy, pool):
    """Half-closed right after the terminating zero-size chunk."""
    _, prefix, _, _ = pool
    pieces = [os.urandom(n) for n in (1, 5000, 70_000, 3)]
    body = b"".join(pieces)
    request = build_request("POST", f"{prefix}/upload", headers=[("Transfer-Encoding", "chunked")]) + chunked_body(pieces)
    conn, resp = half_closed_exchange(proxy, request, "POST")
    with conn:
        assert resp.status == 200, (resp.status, resp.body[:200])
        assert resp.json() == {"bytes": len(body), "sha256": sha256(body)}
        assert_eof_next(conn)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_head_answered_without_body_then_eof(proxy, pool, chunked):
    _, prefix, _, _ = pool
    target = f"{prefix}/bytes?n=1000" + ("&chunked=1" if chunked else "")
    conn, resp = half_closed_exchange(proxy, build_request("HEAD", target), "HEAD")
    with conn:
        assert resp.status == 200, resp.status
        if not chunked:
            assert resp.header("content-length") == "1000", resp.headers
        # No body bytes may follow the head: the next read must be EOF.
        assert_eof_next(conn)


REJECTED = {
    "malformed-request-line": lambda prefix: f"GET {prefix}/whoami HTTP/1.1 extra\r\nHost: e2e.test\r\n\r\n".encode(),
    "content-length-and-chunked": lambda prefix: (
        f"POST {prefix}/upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode(),
    "bad-header-line": lambda prefix: f"GET {prefix}/whoami HTTP/1.1\r\nHost: e2e.test\r\nBad Header\r\n\r\n".encode(),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_rejected_request_gets_400_then_eof(proxy, pool, case):
    _, prefix, _, _ = pool
    conn, resp = half_closed_exchange(proxy, REJECTED[case](prefix), "GET")
    with conn:
        assert resp.status == 400, (resp.status, resp.body[:200])
        assert_eof_next(conn)
