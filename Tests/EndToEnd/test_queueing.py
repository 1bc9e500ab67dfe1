"""Sync pools queue at the proxy by worker capacity: a server never gets more requests than its
gunicorn workers, the rest wait in the pool's FIFO queue; queue_timeout and max_queue answer 503
with Retry-After; a client that leaves while queued leaves the queue; /health shows it all.

Timing bounds are generous (2 shared cores, a fuzzer running beside us); each is explained where
it is asserted, and each still separates the behaviour under test from the failure it guards.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter

import pytest

from harness import (
    ConnectionClosed, HealthSampler, Paddock, RawConn, health, pool_health, start_gunicorn, wait_for,
)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

class Timed:
    """One request on its own connection, run on a thread; records status, body and timing."""

    def __init__(self, paddock: Paddock, target: str, timeout: float = 15):
        self.paddock, self.target, self.timeout = paddock, target, timeout
        self.resp = None
        self.error: str | None = None
        self.started = self.finished = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.started = time.monotonic()
        try:
            with RawConn(self.paddock.addr, timeout=self.timeout) as conn:
                self.resp = conn.request("GET", self.target, headers=[("Connection", "close")])
        except (OSError, ConnectionClosed, ValueError) as exc:
            self.error = repr(exc)
        self.finished = time.monotonic()

    def start(self) -> "Timed":
        self._thread.start()
        return self

    def join(self) -> "Timed":
        self._thread.join(timeout=self.timeout + 5)
        assert not self._thread.is_alive(), f"GET {self.target} still running after {self.timeout + 5} s"
        assert self.error is None, f"GET {self.target}: {self.error}"
        return self

    @property
    def status(self) -> int:
        return self.resp.status

    @property
    def elapsed(self) -> float:
        return self.finished - self.started


def queued(paddock: Paddock, pool: str = "web") -> int:
    return pool_health(health(paddock), pool)["queued"]


def in_flight(paddock: Paddock, pool: str = "web") -> list[int]:
    return [s["in_flight"] for s in pool_health(health(paddock), pool)["servers"]]


# --------------------------------------------------------------------------------------------
# Capacity-aware queueing over two servers of different sizes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uneven(work_dir):
    """gunicorn with 1 worker and gunicorn with 3, in one sync pool with workers 1 and 3."""
    small = start_gunicorn("e2e-q-small", work_dir, workers=1)
    try:
        big = start_gunicorn("e2e-q-big", work_dir, workers=3)
    except BaseException:
        small.stop()
        raise
    pool = {"kind": "sync", "servers": [{"address": small.address, "workers": 1},
                                        {"address": big.address, "workers": 3}]}
    try:
        p = Paddock("paddock-uneven", work_dir, pools={"web": pool}, routes=[{"pool": "web"}])
    except BaseException:
        small.stop()
        big.stop()
        raise
    yield p, small, big
    p.stop()
    small.stop()
    big.stop()


def burst(paddock: Paddock, n: int, target: str, timeout: float = 15) -> tuple[list[Timed], float]:
    """n concurrent requests released together; returns them and the wall time of the burst."""
    gate = threading.Barrier(n + 1)
    reqs = [Timed(paddock, target, timeout) for _ in range(n)]

    def go(r: Timed):
        gate.wait(timeout=10)
        r._run()

    threads = [threading.Thread(target=go, args=(r,), daemon=True) for r in reqs]
    for t in threads:
        t.start()
    gate.wait(timeout=10)
    started = time.monotonic()
    for t in threads:
        t.join(timeout=timeout + 5)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "some requests of the burst never finished"
    errors = [r.error for r in reqs if r.error]
    assert not errors, f"{len(errors)} client errors, e.g. {errors[:3]}"
    return reqs, elapsed


def test_forty_requests_spread_by_capacity(uneven):
    """40 x 100 ms over 1 + 3 workers: ten rounds of four, about 1 s. Blind round robin would put
    20 on the 1-worker server (2 s); a proxy that sends everything at once would leave them in that
    server's kernel backlog for the same 2 s."""
    paddock, small, big = uneven
    with HealthSampler(paddock, "web", interval=0.02) as sampler:
        reqs, elapsed = burst(paddock, 40, "/busy?ms=100")
    statuses = Counter(r.status for r in reqs)
    assert statuses == Counter({200: 40}), statuses
    servers = Counter(r.resp.json()["server"] for r in reqs)
    print(f"burst of 40: {elapsed:.2f} s, shares {dict(servers)}, {len(sampler.samples)} health samples")

    # 10 rounds x 100 ms = 1.0 s is the floor; gunicorn + Flask add a few ms per request. 1.6 s
    # leaves 60% for a loaded machine and is still well under the 2 s that ignoring capacity costs.
    assert elapsed < 1.6, f"40 requests took {elapsed:.2f} s (capacity-aware dispatch needs ~1 s)"
    # Capacity 1 of 4 means about 10 of 40; round robin would give it 20. Allow scheduling noise.
    assert 5 <= servers[small.name] <= 14, servers

    # The proxy's own view, sampled during the burst: never above capacity, and a queue formed.
    assert not sampler.errors, sampler.errors[:3]
    assert len(sampler.samples) >= 10, "too few /health samples to judge"
    for sample in sampler.samples:
        for server in sample["servers"]:
            assert server["in_flight"] <= server["workers"], sample
    assert max(s["queued"] for s in sampler.samples) > 0, "no health sample saw a queue"
    assert max(s["queued"] for s in sampler.samples) <= 36, "more queued than the burst had requests"
    final = pool_health(health(paddock), "web")
    assert final["queued"] == 0 and [s["in_flight"] for s in final["servers"]] == [0, 0], final


def test_health_shows_the_queue_while_workers_are_full(uneven):
    """12 requests of 1 s on 1 + 3 workers: at the peak /health shows exactly 4 in flight (each
    server at its workers) and 8 queued; then everything drains back to zero."""
    paddock, _, _ = uneven
    reqs = [Timed(paddock, "/busy?ms=1000").start() for _ in range(12)]

    def peak():
        pool = pool_health(health(paddock), "web")
        full = [(s["in_flight"], s["workers"]) for s in pool["servers"]]
        return pool if pool["queued"] == 8 and full == [(1, 1), (3, 3)] else None

    # The 12 requests reach paddock within milliseconds; 0.9 s is before the first worker frees.
    pool = wait_for(peak, timeout=0.9, what="4 in flight and 8 queued")
    assert [s["workers"] for s in pool["servers"]] == [1, 3], pool
    for r in reqs:
        r.join()
    assert [r.status for r in reqs] == [200] * 12
    wait_for(lambda: queued(paddock) == 0 and in_flight(paddock) == [0, 0], timeout=2, what="drained")


# --------------------------------------------------------------------------------------------
# queue_timeout, max_queue, clients leaving the queue: one gunicorn worker
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_worker(work_dir):
    backend = start_gunicorn("e2e-q-one", work_dir, workers=1)
    yield backend
    backend.stop()


@pytest.fixture
def single_slot(request, work_dir, one_worker):
    """A paddock whose pool "web" is one 1-worker gunicorn, with the test's pool settings
    (pytest.mark.pool_settings(**kw))."""
    marker = request.node.get_closest_marker("pool_settings")
    settings = marker.kwargs if marker else {}
    pool = {"kind": "sync", **settings, "servers": [{"address": one_worker.address, "workers": 1}]}
    p = Paddock(f"paddock-{request.node.name[:40]}", work_dir, pools={"web": pool}, routes=[{"pool": "web"}])
    yield p
    p.stop()


def hold_worker(paddock: Paddock, ms: int) -> Timed:
    """Occupies the only worker with /sleep?ms=ms; returns once paddock counts it in flight."""
    blocker = Timed(paddock, f"/sleep?ms={ms}").start()
    wait_for(lambda: in_flight(paddock) == [1], timeout=2, what="the blocker in flight")
    return blocker


@pytest.mark.pool_settings(queue_timeout="500ms")
def test_queue_timeout_gives_503_with_retry_after(single_slot):
    paddock = single_slot
    blocker = hold_worker(paddock, 2000)
    waiters = [Timed(paddock, "/whoami").start() for _ in range(3)]
    for w in waiters:
        w.join()
        assert w.status == 503, (w.status, w.resp.body)
        retry_after = w.resp.header("retry-after")
        assert retry_after is not None and retry_after.isdigit(), w.resp.headers
        # queue_timeout is 500 ms: not sooner (paddock's timer starts after our send), and well
        # before the blocker frees the worker at 2 s. 1.5 s is for a loaded machine.
        assert 0.45 <= w.elapsed < 1.5, f"503 after {w.elapsed:.2f} s; queue_timeout is 0.5 s"
    assert queued(paddock) == 0
    blocker.join()
    assert (blocker.status, blocker.resp.body) == (200, b"slept 2000\n")
    # The queue is not poisoned: the next request is served at once.
    after = Timed(paddock, "/whoami").start().join()
    assert after.status == 200 and after.elapsed < 0.5, (after.status, after.elapsed)


@pytest.mark.pool_settings(max_queue=1, queue_timeout="10s")
def test_max_queue_rejects_at_once(single_slot):
    paddock = single_slot
    blocker = hold_worker(paddock, 1500)
    waiting = Timed(paddock, "/whoami").start()
    wait_for(lambda: queued(paddock) == 1, timeout=2, what="one request queued")
    rejected = Timed(paddock, "/whoami").start().join()
    assert rejected.status == 503, (rejected.status, rejected.resp.body)
    assert rejected.resp.header("retry-after") is not None, rejected.resp.headers
    # "At once": a loopback round trip, nowhere near the ~1.4 s the blocker has left.
    assert rejected.elapsed < 0.5, f"the 503 took {rejected.elapsed:.2f} s"
    blocker.join()
    waiting.join()
    assert (blocker.status, waiting.status) == (200, 200)
    assert queued(paddock) == 0


@pytest.mark.pool_settings(queue_timeout="10s")
def test_client_leaving_the_queue_frees_its_place(single_slot):
    """A queued client disconnects: it leaves the queue at once, and it is never dispatched (had it
    been, its /sleep?ms=3000 would hold the only worker for 3 s after the blocker)."""
    paddock = single_slot
    blocker = hold_worker(paddock, 1000)
    with RawConn(paddock.addr) as quitter:
        quitter.send(b"GET /sleep?ms=3000 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        wait_for(lambda: queued(paddock) == 1, timeout=2, what="the quitter queued")
    # Closed. Paddock watches queued clients for EOF, so the queue empties long before the blocker ends.
    wait_for(lambda: queued(paddock) == 0, timeout=0.5, what="the quitter left the queue")
    assert in_flight(paddock) == [1], "the blocker should still be running"
    follower = Timed(paddock, "/whoami").start()
    blocker.join()
    follower.join()
    assert (blocker.status, follower.status) == (200, 200)
    # The follower waited for the blocker only. Had the quitter's request been dispatched, the
    # follower would finish ~3 s after the blocker; 1 s allows for a loaded machine.
    lag = follower.finished - blocker.finished
    assert lag < 1.0, f"the follower finished {lag:.2f} s after the blocker: was the quitter served?"
    assert queued(paddock) == 0 and in_flight(paddock) == [0]


@pytest.mark.pool_settings(queue_timeout="10s")
def test_queue_is_first_come_first_served(single_slot):
    """Five requests queue behind a blocker, 50 ms apart: the freed worker takes them in order."""
    paddock = single_slot
    blocker = hold_worker(paddock, 500)
    waiting = []
    for i in range(5):
        waiting.append(Timed(paddock, f"/sleep?ms={100 + i}").start())
        wait_for(lambda: queued(paddock) == i + 1, timeout=2, what=f"request {i} queued")
    blocker.join()
    for r in waiting:
        r.join()
    assert [r.status for r in waiting] == [200] * 5
    order = sorted(range(5), key=lambda i: waiting[i].finished)
    assert order == [0, 1, 2, 3, 4], f"served in the order {order}"


@pytest.mark.pool_settings(queue_timeout="10s")
def test_graceful_stop_serves_the_queued_requests_too(single_slot):
    """SIGTERM lets requests in progress finish, and a request waiting in the queue is one."""
    paddock = single_slot
    blocker = hold_worker(paddock, 800)
    waiting = [Timed(paddock, "/sleep?ms=200").start() for _ in range(2)]
    wait_for(lambda: queued(paddock) == 2, timeout=2, what="two queued")
    paddock.proc.signal(signal.SIGTERM)
    for r in (blocker, *waiting):
        r.join()
    assert [r.status for r in (blocker, *waiting)] == [200, 200, 200]
    # 0.8 s + 2 x 0.2 s of work; the stop waits up to 10 s for it.
    assert paddock.proc.wait(timeout=10) == 0, paddock.log_tail()


@pytest.mark.pool_settings(queue_timeout="500ms", buffer_requests=False)
def test_queue_timeout_holds_while_a_streamed_body_arrives(single_slot):
    """Unbuffered requests queue too; their queue_timeout must not depend on when the body comes.
    (Regression: body bytes arriving while queued used to re-arm the client body timeout on the
    connection's one timer, replacing the queue deadline.)"""
    paddock = single_slot
    blocker = hold_worker(paddock, 2500)
    started = time.monotonic()
    with RawConn(paddock.addr, timeout=10) as conn:
        conn.send(b"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: 10\r\n\r\n")
        wait_for(lambda: queued(paddock) == 1, timeout=2, what="the POST queued")
        conn.send(b"0123456789")  # the body arrives while the request waits for the worker
        resp = conn.read_response()
    elapsed = time.monotonic() - started
    blocker.join()
    # Same bounds as test_queue_timeout_gives_503_with_retry_after; the worker frees at 2.5 s.
    assert resp.status == 503 and elapsed < 1.5, (
        f"{resp.status} after {elapsed:.2f} s; expected 503 after queue_timeout (0.5 s)")
