"""The admin GET /health: shape, and ok / degraded / down as servers go away and come back;
plus 502 once queue_timeout has passed when every server of a pool is down."""

from __future__ import annotations

import time

import pytest
import requests

from harness import DeadPorts, Paddock, async_pool, free_port, start_uvicorn


def get_health(paddock) -> tuple[int, dict]:
    r = requests.get(f"{paddock.admin_url}/health", timeout=5)
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    check_shape(body)
    return r.status_code, body


def check_shape(body: dict) -> None:
    assert set(body) >= {"status", "pools"}, body
    assert body["status"] in ("ok", "degraded", "down"), body
    assert isinstance(body["pools"], list) and body["pools"], body
    for pool in body["pools"]:
        assert set(pool) >= {"name", "kind", "servers"}, pool
        assert pool["kind"] in ("sync", "async"), pool
        assert isinstance(pool["servers"], list) and pool["servers"], pool
        for server in pool["servers"]:
            assert set(server) >= {"address", "state", "in_flight"}, server
            assert isinstance(server["address"], str), server
            assert isinstance(server["state"], str), server
            assert isinstance(server["in_flight"], int) and server["in_flight"] >= 0, server


def server_states(body: dict) -> dict[str, str]:
    """address -> state, over all pools."""
    return {s["address"]: s["state"] for p in body["pools"] for s in p["servers"]}


def get(paddock, path="/whoami") -> int:
    with paddock.connect() as conn:
        return conn.request("GET", path).status


def test_health_ok(proxy, http, web_backend, api_backend):
    assert http.get(f"{proxy.url}/whoami").status_code == 200
    assert http.get(f"{proxy.url}/api/whoami").status_code == 200
    code, body = get_health(proxy)
    assert (code, body["status"]) == (200, "ok"), body
    pools = {p["name"]: p for p in body["pools"]}
    assert set(pools) == {"web", "api"}, body
    assert pools["web"]["kind"] == "sync" and pools["api"]["kind"] == "async", body
    assert [s["address"] for s in pools["web"]["servers"]] == [web_backend.address]
    assert [s["address"] for s in pools["api"]["servers"]] == [api_backend.address]
    assert set(server_states(body).values()) == {"up"}, body


@pytest.fixture
def pair(work_dir):
    """Two uvicorns in one round-robin async pool; the test stops them as it likes."""
    a = start_uvicorn("e2e-pair-a", work_dir)
    b = start_uvicorn("e2e-pair-b", work_dir)
    p = Paddock("paddock-pair", work_dir, pools={"api": async_pool(a, b, balance="round_robin")},
                routes=[{"pool": "api"}])
    yield p, a, b
    p.stop()
    a.stop()
    b.stop()


def test_health_degraded_when_one_of_two_servers_is_down(pair):
    paddock, a, b = pair
    assert get(paddock) == 200
    code, body = get_health(paddock)
    assert (code, body["status"]) == (200, "ok"), body

    b.stop()
    # Round robin: within a few requests one goes to b, whose connect fails. Paddock may retry
    # it on a (200) or answer 502; either way, a never fails.
    statuses = [get(paddock) for _ in range(4)]
    assert set(statuses) <= {200, 502}, statuses
    code, body = get_health(paddock)
    assert (code, body["status"]) == (200, "degraded"), body
    assert server_states(body) == {a.address: "up", b.address: "down"}, body
    # The pool keeps serving from a.
    assert [get(paddock) for _ in range(4)] == [200] * 4


@pytest.fixture
def single(work_dir):
    """One uvicorn in an async pool, on a port the test can restart it on."""
    port = free_port()
    backend = start_uvicorn("e2e-single", work_dir, port=port)
    p = Paddock("paddock-single", work_dir, pools={"api": async_pool(backend, queue_timeout="300ms")},
                routes=[{"pool": "api"}])
    state = {"backend": backend}
    yield p, port, state
    p.stop()
    state["backend"].stop()


def test_server_marked_down_then_up_again(single, work_dir):
    paddock, port, state = single
    assert get(paddock) == 200
    state["backend"].stop()
    assert get(paddock) == 502
    code, body = get_health(paddock)
    assert (code, body["status"]) == (503, "down"), body
    assert set(server_states(body).values()) == {"down"}, body

    state["backend"] = start_uvicorn("e2e-single", work_dir, port=port)
    # Marked up after a later successful connect; allow a few seconds for whatever retries it.
    deadline = time.monotonic() + 15
    while True:
        status = get(paddock)
        code, body = get_health(paddock)
        if status == 200 and body["status"] == "ok":
            break
        assert time.monotonic() < deadline, f"still {status} / {body} 15 s after the server came back"
        time.sleep(0.25)
    assert code == 200
    assert set(server_states(body).values()) == {"up"}, body


DEAD_WAIT = 0.5  # queue_timeout of the pools with no live server


@pytest.fixture(scope="module")
def dead_proxy(work_dir):
    """Pools whose servers are ports with nothing listening."""
    ports = DeadPorts(3)
    dead = ports.addresses
    p = Paddock(
        "paddock-dead", work_dir,
        pools={
            "web": {"kind": "sync", "queue_timeout": f"{DEAD_WAIT}s", "servers": [{"address": dead[0], "workers": 2}]},
            # round robin: successive requests try both servers, whatever the retry policy
            "api": async_pool(addresses=dead[1:], balance="round_robin", queue_timeout=f"{DEAD_WAIT}s"),
        },
        routes=[{"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}],
    )
    yield p, dead
    p.stop()
    ports.close()


@pytest.mark.parametrize("path", ["/whoami", "/api/whoami"], ids=["sync-pool", "async-pool"])
def test_all_backends_down_gives_502_after_queue_timeout(dead_proxy, path):
    """Nothing was sent, so the request waits for a server to come back, up to queue_timeout."""
    paddock, _ = dead_proxy
    with paddock.connect() as conn:
        started = time.monotonic()
        resp = conn.request("GET", path)
        elapsed = time.monotonic() - started
    assert resp.status == 502, resp
    assert DEAD_WAIT * 0.9 <= elapsed < DEAD_WAIT + 2.0, f"502 after {elapsed:.3f} s"


def test_health_down_when_all_servers_of_a_pool_are_down(dead_proxy):
    paddock, dead = dead_proxy
    for path in ("/whoami", "/api/whoami", "/api/whoami"):
        assert get(paddock, path) == 502
    code, body = get_health(paddock)
    assert (code, body["status"]) == (503, "down"), body
    assert server_states(body) == {address: "down" for address in dead}, body
