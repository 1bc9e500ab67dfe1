"""Process lifecycle: SIGTERM stops paddock cleanly (exit 0, within a few seconds), also with
an idle keep-alive client connection open; an IPv6 loopback listener."""

from __future__ import annotations

import signal
import time

import pytest

from harness import (
    WEB_NAME, Paddock, RawConn, can_connect, free_port, ipv6_loopback_available, sync_pool, wait_until_accepting,
)

STOP_WITHIN = 5.0


def sigterm_and_wait(paddock: Paddock) -> tuple[int | None, float]:
    started = time.monotonic()
    paddock.proc.signal(signal.SIGTERM)
    code = paddock.proc.wait(timeout=STOP_WITHIN)
    return code, time.monotonic() - started


@pytest.fixture
def own_proxy(work_dir, web_backend):
    p = Paddock("paddock-lifecycle", work_dir, pools={"web": sync_pool(web_backend, workers=2)},
                routes=[{"pool": "web"}])
    yield p
    p.stop()


def test_sigterm_exits_0(own_proxy):
    with own_proxy.connect() as conn:
        assert conn.request("GET", "/whoami", headers=[("Connection", "close")]).status == 200
    code, took = sigterm_and_wait(own_proxy)
    assert code == 0, f"exit status {code} after SIGTERM ({took:.1f} s)"
    assert not can_connect(own_proxy.addr), "the listener still accepts after exit"


def test_sigterm_with_idle_keepalive_connection(own_proxy):
    conn = own_proxy.connect()
    try:
        assert conn.request("GET", "/whoami").status == 200  # then leave it open and idle
        code, took = sigterm_and_wait(own_proxy)
        assert code == 0, f"exit status {code} after SIGTERM with an idle client ({took:.1f} s)"
        assert conn.wait_closed(timeout=1), "the idle client connection was not closed"
    finally:
        conn.close()


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback here")
def test_ipv6_listener(work_dir, web_backend):
    port6 = free_port("::1")
    p = Paddock("paddock-ipv6", work_dir, pools={"web": sync_pool(web_backend, workers=2)},
                routes=[{"pool": "web"}], extra_listen=[f"[::1]:{port6}"])
    try:
        wait_until_accepting(("::1", port6), p.proc)
        with RawConn(("::1", port6)) as conn:
            resp = conn.request("GET", "/headers", host=f"[::1]:{port6}")
            assert resp.status == 200
            seen = resp.json()
            assert seen.get("x-forwarded-for") == "::1", seen
            assert conn.request("GET", "/whoami").json()["server"] == WEB_NAME
    finally:
        p.stop()


def test_sigterm_lets_requests_in_flight_finish(own_proxy):
    """A stop must not drop a request: two in progress (one per worker) complete, and only then
    does paddock exit 0."""
    import threading

    results: dict = {}

    def slow_request(index: int):
        with own_proxy.connect() as conn:
            results[index] = conn.request("GET", "/sleep?ms=1500")

    workers = [threading.Thread(target=slow_request, args=(i,)) for i in range(2)]
    for worker in workers:
        worker.start()
    time.sleep(0.4)  # both requests are at gunicorn now
    started = time.monotonic()
    own_proxy.proc.signal(signal.SIGTERM)
    time.sleep(0.3)
    # The listener closes at once, while the requests are still being served.
    assert not can_connect(own_proxy.addr), "still accepting after SIGTERM"
    assert own_proxy.proc.alive(), "exited with requests in flight"
    code = own_proxy.proc.wait(timeout=STOP_WITHIN)
    for worker in workers:
        worker.join(timeout=STOP_WITHIN)
    assert code == 0
    for index in range(2):
        response = results.get(index)
        assert response is not None and response.status == 200, f"request {index} in flight was dropped"
        assert response.body == b"slept 1500\n"
    # It exited once the responses were out, not at the end of the 30 s shutdown timeout.
    assert time.monotonic() - started < 3.0
