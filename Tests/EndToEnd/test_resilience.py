"""Named timeouts and limits, end to end: slow-header clients are cut after client_header while
others are served; a hung backend gives 504 at upstream_response; a response body that stops is
reset after upstream_idle; [limits] gives 414 and 431; max_connections stops accepting while the
admin listener still answers; [timeouts] shutdown bounds a stop."""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest

from harness import (
    API_HOST, Paddock, RawConn, async_pool, build_request, health, pool_health, start_gunicorn, sync_pool, wait_for,
)

CLIENT_HEADER = 2.0  # seconds; [timeouts] client_header of the proxy below
UPSTREAM_RESPONSE = 1.0  # pool "web"
UPSTREAM_IDLE = 1.0  # pool "api"
SLOW_CLIENTS = 300


@pytest.fixture(scope="module")
def hung_backend(work_dir):
    """A gunicorn of this module's own: the tests here leave its workers sleeping on purpose."""
    backend = start_gunicorn("e2e-web-resilience", work_dir, workers=2)
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def strict_proxy(work_dir, hung_backend, api_backend):
    p = Paddock(
        "paddock-resilience", work_dir,
        pools={
            "web": sync_pool(hung_backend, workers=2, timeouts={"upstream_response": f"{UPSTREAM_RESPONSE}s"}),
            "api": async_pool(api_backend, timeouts={"upstream_idle": f"{UPSTREAM_IDLE}s"}),
        },
        routes=[{"host": API_HOST, "pool": "api"}, {"pool": "web"}],
        tables={
            "timeouts": {"client_header": f"{CLIENT_HEADER}s"},
            "limits": {"max_header_bytes": 2048, "max_headers": 20, "max_uri_bytes": 512},
        },
    )
    yield p
    p.stop()


def _still_open(sock: socket.socket) -> bool:
    """Nothing received and no EOF yet, without waiting."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer, or EOF: no longer hanging
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_slowloris_is_cut_after_client_header_while_others_are_served(strict_proxy):
    slow: list[socket.socket] = []
    try:
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(strict_proxy.addr, timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: e2e.test\r\nX-Slow: ")  # and never the rest
            slow.append(sock)
        opened = time.monotonic()
        # Other clients are served while all of them hang.
        for _ in range(5):
            with strict_proxy.connect() as conn:
                assert conn.request("GET", "/whoami").status == 200
        assert all(_still_open(s) for s in slow), "a slow client was cut before client_header"
        assert time.monotonic() - opened < CLIENT_HEADER

        # Each gets a 408 and a close, at client_header after its first byte.
        answers = []
        for sock in slow:
            sock.settimeout(max(0.1, opened + CLIENT_HEADER + 8 - time.monotonic()))
            data = b""
            try:
                while chunk := sock.recv(4096):
                    data += chunk
            except ConnectionResetError:
                pass
            answers.append(data)
        closed = time.monotonic()
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), {a[:40] for a in answers}
        assert closed - opened < CLIENT_HEADER + 8
    finally:
        for sock in slow:
            sock.close()
    # And the proxy is its old self.
    with strict_proxy.connect() as conn:
        assert conn.request("GET", "/whoami").status == 200


def test_hung_backend_gives_504_at_upstream_response(strict_proxy):
    with strict_proxy.connect(timeout=10) as conn:
        started = time.monotonic()
        response = conn.request("GET", "/sleep?ms=4000")
        elapsed = time.monotonic() - started
    assert response.status == 504
    assert UPSTREAM_RESPONSE * 0.9 <= elapsed < UPSTREAM_RESPONSE + 2.0, elapsed


def test_response_body_that_stops_is_reset_after_upstream_idle(strict_proxy, api_backend):
    """An SSE stream whose next event is 3 s away: cut after upstream_idle, and never with a clean
    end of the chunked body, so the client cannot take the cut stream for a complete one. A quiet
    stream is not a sick server: it stays up."""
    with RawConn(strict_proxy.addr, timeout=10) as conn:
        conn.send(build_request("GET", "/sse?events=2&interval_ms=3000", host=API_HOST))
        head = conn.read_head()
        assert head.status == 200
        started = time.monotonic()
        assert conn.wait_closed(timeout=UPSTREAM_IDLE + 2.0), "the stalled stream stayed open"
        elapsed = time.monotonic() - started
    assert elapsed < 3.0, "closed only when the server went on"
    received = bytes(conn.buf)
    assert b"data: 1" not in received and not received.endswith(b"0\r\n\r\n")
    states = {s["address"]: s["state"] for s in pool_health(health(strict_proxy), "api")["servers"]}
    assert states == {api_backend.address: "up"}


@pytest.mark.parametrize("request_bytes, status", [
    (build_request("GET", "/" + "a" * 600), 414),
    (build_request("GET", "/", headers=[(f"X-H{i}", "v") for i in range(25)]), 431),
    (build_request("GET", "/", headers=[("X-Big", "b" * 3000)]), 431),
], ids=["uri over max_uri_bytes", "headers over max_headers", "head over max_header_bytes"])
def test_limits_answer_and_close(strict_proxy, request_bytes, status):
    with RawConn(strict_proxy.addr) as conn:
        conn.send(request_bytes)
        response = conn.read_response()
        assert response.status == status
        assert conn.wait_closed(timeout=3)


def test_max_connections_stops_accepting_but_not_the_admin_listener(work_dir, web_backend):
    p = Paddock("paddock-maxconn", work_dir, pools={"web": sync_pool(web_backend)}, routes=[{"pool": "web"}],
                tables={"limits": {"max_connections": 3}})
    held: list[RawConn] = []
    try:
        # The smoke check's connection may still be closing; three keep-alive clients then fill it.
        time.sleep(0.2)
        for _ in range(3):
            conn = p.connect()
            assert conn.request("GET", "/whoami").status == 200
            held.append(conn)
        with p.connect(timeout=10) as waiting:
            # The kernel completes the handshake (backlog), but paddock does not take the client.
            waiting.send(build_request("GET", "/whoami"))
            assert waiting.pending_data(wait=1.0) == b"", "a fourth client was served at max_connections = 3"
            assert health(p)["status"] == "ok"  # the admin listener is never refused
            held.pop().close()
            response = waiting.read_response()
            assert response.status == 200
        wait_for(lambda: "max_connections (3) reached" in p.log(), timeout=5, what="the log line")
    finally:
        for conn in held:
            conn.close()
        p.stop()


def test_shutdown_timeout_bounds_a_stop(work_dir, hung_backend):
    """[timeouts] shutdown = 1s: a request still running then is cut, and paddock exits 0."""
    p = Paddock("paddock-shutdown", work_dir, pools={"web": sync_pool(hung_backend)}, routes=[{"pool": "web"}],
                tables={"timeouts": {"shutdown": "1s"}})
    try:
        result: dict = {}

        def slow_request():
            try:
                with p.connect(timeout=10) as conn:
                    result["status"] = conn.request("GET", "/sleep?ms=4000").status
            except Exception as exc:  # the cut connection
                result["error"] = exc

        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.4)
        started = time.monotonic()
        p.proc.signal(signal.SIGTERM)
        code = p.proc.wait(timeout=5)
        elapsed = time.monotonic() - started
        worker.join(timeout=5)
        assert code == 0
        assert 0.9 <= elapsed < 3.0, elapsed
        assert "status" not in result, "the request outlived the shutdown timeout"
        assert "still busy after the grace period" in p.log()
    finally:
        p.stop()
