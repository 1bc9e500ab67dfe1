"""Load spreads over an async pool of two uvicorn servers: 2,000 requests, 64 concurrent
keep-alive connections, all 200, and each server gets a real share."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from harness import ConnectionClosed, Paddock, RawConn, async_pool, start_uvicorn

TOTAL = 2000
CONCURRENCY = 64
MIN_SHARE = 0.20


@pytest.fixture(scope="module")
def two_uvicorns(work_dir):
    a = start_uvicorn("e2e-bal-a", work_dir)
    try:
        b = start_uvicorn("e2e-bal-b", work_dir)
    except BaseException:
        a.stop()
        raise
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture(scope="module", params=["least_outstanding", "round_robin"])
def balanced_proxy(request, work_dir, two_uvicorns):
    p = Paddock(
        f"paddock-balance-{request.param}", work_dir,
        pools={"api": async_pool(*two_uvicorns, balance=request.param)},
        routes=[{"pool": "api"}],
    )
    yield p
    p.stop()


def run_load(addr, total: int, concurrency: int):
    """`total` GET /whoami over `concurrency` keep-alive connections. Returns (statuses, servers, errors, connects)."""
    statuses, servers, errors = Counter(), Counter(), []
    connects = [0]
    lock = threading.Lock()
    start = threading.Barrier(concurrency)
    shares = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]

    def worker(n: int):
        conn = None
        try:
            start.wait(timeout=10)
            for _ in range(n):
                if conn is None:
                    conn = RawConn(addr, timeout=15)
                    with lock:
                        connects[0] += 1
                resp = conn.request("GET", "/whoami")
                server = resp.json().get("server") if resp.status == 200 else None
                with lock:
                    statuses[resp.status] += 1
                    servers[server] += 1
                if resp.closes:  # the proxy may close; a client then reconnects
                    conn.close()
                    conn = None
        except (OSError, ConnectionClosed, ValueError, threading.BrokenBarrierError) as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    hung = sum(t.is_alive() for t in threads)
    if hung:
        errors.append(f"{hung} client threads still running after 60 s")
    return statuses, servers, errors, connects[0]


def test_2000_requests_64_concurrent_spread_over_two_servers(balanced_proxy, two_uvicorns):
    statuses, servers, errors, connects = run_load(balanced_proxy.addr, TOTAL, CONCURRENCY)
    assert not errors, f"{len(errors)} client errors, e.g. {errors[:3]}"
    assert statuses == Counter({200: TOTAL}), statuses
    names = {b.name for b in two_uvicorns}
    assert set(servers) == names, servers
    for name in names:
        assert servers[name] >= MIN_SHARE * TOTAL, f"{name} got {servers[name]} of {TOTAL}: {servers}"
    print(f"shares: {dict(servers)}, client connections: {connects}")
