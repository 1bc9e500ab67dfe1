"""Connection-level HTTP/1.1 behaviour, on raw sockets where exact bytes matter: keep-alive,
pipelining, HEAD, Expect: 100-continue (with curl) and malformed requests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from harness import ConnectionClosed, build_request, pattern_bytes, sha256


def test_keepalive_100_requests_on_one_connection(proxy, pool):
    _, prefix, name, _ = pool
    with proxy.connect() as conn:
        port = conn.local_port
        for i in range(100):
            target = f"{prefix}/whoami" if i % 2 else f"{prefix}/bytes?n={i}"
            try:
                resp = conn.request("GET", target)
            except ConnectionClosed:
                pytest.fail(f"paddock closed the keep-alive connection after {i} responses")
            assert resp.status == 200, (i, resp.status, resp.body[:200])
            assert not resp.closes, f"response {i} announced Connection: close"
            if i % 2:
                assert resp.json()["server"] == name
            else:
                assert resp.body == pattern_bytes(i)
        # Still the same TCP connection, and still usable.
        assert conn.local_port == port
        assert conn.request("GET", f"{prefix}/bytes?n=3").body == b"012"


def test_pipelined_requests_answered_in_order(proxy, pool):
    """Five requests in one send; a slow one first, so a proxy that answers out of order shows it."""
    _, prefix, name, _ = pool
    upload = b"pipelined body"
    batch = b"".join([
        build_request("GET", f"{prefix}/sleep?ms=50"),
        build_request("GET", f"{prefix}/whoami"),
        build_request("POST", f"{prefix}/upload", body=upload),
        build_request("GET", f"{prefix}/bytes?n=10"),
        build_request("GET", f"{prefix}/sleep?ms=1"),
    ])
    with proxy.connect() as conn:
        conn.send(batch)
        r1, r2, r3, r4, r5 = (conn.read_response() for _ in range(5))
        assert [r.status for r in (r1, r2, r3, r4, r5)] == [200] * 5
        assert r1.body == b"slept 50\n"
        assert json.loads(r2.body)["server"] == name
        assert json.loads(r3.body) == {"bytes": len(upload), "sha256": sha256(upload)}
        assert r4.body == b"0123456789"
        assert r5.body == b"slept 1\n"
        # Nothing extra was sent, and the connection still works.
        assert conn.pending_data(0.2) == b""
        assert conn.request("GET", f"{prefix}/bytes?n=4").body == b"0123"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_head_has_no_body_and_keeps_connection(proxy, pool, chunked):
    _, prefix, name, _ = pool
    target = f"{prefix}/bytes?n=1000" + ("&chunked=1" if chunked else "")
    with proxy.connect() as conn:
        resp = conn.request("HEAD", target)
        assert resp.status == 200
        if not chunked:
            assert resp.header("content-length") == "1000"
        assert not resp.closes
        # No body bytes follow the head...
        stray = conn.pending_data(0.3)
        assert stray == b"", f"bytes after a HEAD response: {stray[:80]!r}"
        # ...and the next request on the same connection gets a clean response.
        resp2 = conn.request("GET", f"{prefix}/whoami")
        assert resp2.status == 200
        assert resp2.json()["server"] == name


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed (scripts/setup installs it)")
def test_expect_100_continue_with_curl(proxy, pool, scratch_dir):
    """curl sends Expect: 100-continue and waits up to 1 s for 100 Continue before the body."""
    _, prefix, _, _ = pool
    data = os.urandom(64 * 1024)
    body_file = scratch_dir / "upload.bin"
    body_file.write_bytes(data)
    out_file = scratch_dir / "response.json"
    argv = [
        "curl", "--silent", "--show-error", "--verbose", "--max-time", "15",
        "--expect100-timeout", "1",  # curl's default; explicit so the test does not depend on it
        "-H", "Expect: 100-continue",  # curl 7.88 adds it by itself only above 1 MiB
        "-H", "Content-Type: application/octet-stream",
        "--data-binary", f"@{body_file}",
        "--output", str(out_file),
        "--write-out", "%{http_code} %{time_total}",
        f"{proxy.url}{prefix}/upload",
    ]
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "> Expect: 100-continue" in done.stderr, done.stderr
    code, time_total = done.stdout.split()
    assert code == "200", done.stderr
    assert json.loads(out_file.read_text()) == {"bytes": len(data), "sha256": sha256(data)}
    # Had nobody answered 100 Continue, curl would have sent the body only after its 1 s timeout.
    assert float(time_total) < 0.7, f"curl took {time_total} s (waited for 100 Continue?)\n{done.stderr}"
    assert elapsed < 0.9


def test_malformed_request_gets_400_and_close(proxy):
    with proxy.connect() as conn:
        conn.send(b"GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
        resp = conn.read_response()
        assert resp.status == 400
        assert conn.wait_closed(timeout=5), "paddock kept the connection open after a 400"
