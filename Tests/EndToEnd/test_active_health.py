"""Active health checks and retries on another server: a killed uvicorn under steady load costs
no request, shows down within fall x interval with the failed check in /health, and takes
traffic again after a restart; a server whose check fails but whose port accepts gets no
requests; a check never lands on a busy sync worker."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest

from harness import (
    RawConn, Paddock, async_pool, free_port, health, pool_health, start_gunicorn, start_uvicorn, sync_pool, wait_for,
)
from test_reload import SteadyLoad

INTERVAL_MS, FALL, RISE = 200, 2, 2


def check(path: str = "/whoami", **extra) -> dict:
    return {"path": path, "interval": f"{INTERVAL_MS}ms", "timeout": "150ms", "rise": RISE, "fall": FALL, **extra}


def servers(paddock: Paddock, pool: str = "api") -> dict[str, dict]:
    return {s["address"]: s for s in pool_health(health(paddock), pool)["servers"]}


def served_by(paddock: Paddock, n: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    with RawConn(paddock.addr) as conn:
        for _ in range(n):
            resp = conn.request("GET", "/whoami")
            assert resp.status == 200, resp.status
            name = json.loads(resp.body)["server"]
            counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.fixture
def pair(work_dir):
    """Two uvicorns in one async pool with active checks on /whoami."""
    first = start_uvicorn("e2e-hc-a", work_dir)
    try:
        second = start_uvicorn("e2e-hc-b", work_dir)
    except BaseException:
        first.stop()
        raise
    p = None
    try:
        p = Paddock("paddock-active-health", work_dir, pools={"api": async_pool(first, second, health=check())},
                    routes=[{"pool": "api"}])
        yield p, first, second
    finally:
        if p is not None:
            p.stop()
        first.stop()
        second.stop()


def test_killed_backend_under_load_costs_no_request_and_comes_back(pair, work_dir):
    p, first, second = pair
    wait_for(lambda: all(s["last_check"] and s["last_check"]["ok"] for s in servers(p).values()), timeout=3,
             what="a passing check on both servers")
    with SteadyLoad(p, "/whoami", clients=4) as load:
        load.wait_for_requests(100)
        killed_at = time.monotonic()
        first.proc.signal(signal.SIGKILL)
        first.proc.wait(timeout=5)
        state = wait_for(lambda: servers(p)[first.address]["state"] == "down" and servers(p)[first.address],
                         timeout=5, what="the killed server marked down")
        took = time.monotonic() - killed_at
        load.wait_for_requests(100)
    assert not load.failures, f"{len(load.failures)} failed requests while a server died, e.g. {load.failures[:3]}"
    # A request whose response head had already reached the client when the server died cannot be
    # retried (the client has part of an answer) and is reset: at most the few in flight at the kill.
    assert load.cut_mid_response <= 4, f"{load.cut_mid_response} responses cut midway"
    # fall failed checks at most one interval apart, plus a check's timeout and the polling here.
    # Within fall checks at most one interval apart, plus a timeout and the polling here (under load
    # the failed connects of real requests count too, and usually get there first).
    assert took < (FALL + 1) * INTERVAL_MS / 1000 + 1.0, f"marked down after {took:.2f} s"
    state = wait_for(lambda: (s := servers(p)[first.address])["last_check"]["ok"] is False and s, timeout=2,
                     what="a failed check shown in /health")
    assert "connect" in state["last_check"]["error"], state
    assert set(served_by(p, 10)) == {"e2e-hc-b"}, "a down server got requests"

    # Restart it on the same port: up again after `rise` passing checks, and it takes traffic.
    host, port = first.connect_to
    restarted = start_uvicorn("e2e-hc-a", work_dir, port=port)
    try:
        wait_for(lambda: servers(p)[first.address]["state"] == "up", timeout=5, what="the restarted server up again")
        assert servers(p)[first.address]["since_change_s"] <= 1
        assert "e2e-hc-a" in served_by(p, 20), "the restarted server got no traffic"
    finally:
        restarted.stop()
    assert f"server {first.address} is down" in p.log() and f"server {first.address} is up (check passed)" in p.log()


def test_a_failing_check_keeps_requests_away_from_a_server_that_still_accepts(work_dir):
    # The check asks for a path the Flask app answers 404: the server accepts connections and would
    # serve /whoami, but its check fails, so it is down and gets nothing while the other is up.
    good = start_uvicorn("e2e-hc-good", work_dir)
    gunicorn = start_gunicorn("e2e-hc-404", work_dir, workers=1)
    p = None
    try:
        p = Paddock("paddock-health-404", work_dir,
                    pools={"api": async_pool(good, gunicorn, health=check("/api/whoami"))}, routes=[{"pool": "api"}])
        wait_for(lambda: servers(p)[gunicorn.address]["state"] == "down", timeout=3, what="the 404 server down")
        entry = servers(p)[gunicorn.address]
        assert entry["last_check"]["status"] == 404 and entry["last_check"]["error"] == "status 404, expected 2xx"
        assert set(served_by(p, 10)) == {"e2e-hc-good"}
        assert health(p)["status"] == "degraded"
    finally:
        if p is not None:
            p.stop()
        good.stop()
        gunicorn.stop()


def test_a_check_waits_for_a_busy_sync_worker_instead_of_failing(work_dir):
    # One worker busy for 1.5 s, far longer than the check's timeout: the check is skipped while the
    # worker's only slot is taken (never queued behind the request and timed out), so the server stays up.
    backend = start_gunicorn("e2e-hc-busy", work_dir, workers=1)
    p = None
    try:
        p = Paddock("paddock-health-busy", work_dir,
                    pools={"web": sync_pool(backend, workers=1, health=check(fall=1))}, routes=[{"pool": "web"}])
        wait_for(lambda: servers(p, "web")[backend.address]["last_check"], timeout=3, what="a first check")
        with RawConn(p.addr, timeout=10) as conn:
            resp = conn.request("GET", "/sleep?ms=1500", headers=[("Connection", "close")])
        assert resp.status == 200
        assert servers(p, "web")[backend.address]["state"] == "up"
        assert "is down" not in p.log()
    finally:
        if p is not None:
            p.stop()
        backend.stop()


def test_a_restart_of_the_only_server_is_ridden_out(work_dir):
    """The pool's only server is down (and marked so): a request waits, up to queue_timeout, and is
    served once the restarted server passes its checks. No 502 for a one-second restart."""
    port = free_port()
    backend = start_uvicorn("e2e-hc-restart", work_dir, port=port)
    p = Paddock("paddock-restart", work_dir, pools={"api": async_pool(backend, health=check(), queue_timeout="15s")},
                routes=[{"pool": "api"}])
    try:
        backend.stop()
        wait_for(lambda: servers(p)[backend.address]["state"] == "down", timeout=5, what="the server to show down")
        result: dict = {}

        def request():
            with RawConn(p.addr, timeout=20) as conn:
                started = time.monotonic()
                result["status"] = conn.request("GET", "/whoami").status
                result["waited"] = time.monotonic() - started

        waiter = threading.Thread(target=request)
        waiter.start()
        time.sleep(1.0)
        assert waiter.is_alive(), f"answered {result} while no server was up"
        backend = start_uvicorn("e2e-hc-restart", work_dir, port=port)
        waiter.join(timeout=15)
        assert result.get("status") == 200, result
        assert result["waited"] >= 1.0
    finally:
        p.stop()
        backend.stop()
