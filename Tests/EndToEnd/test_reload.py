"""Hot reload: SIGHUP (or `paddock reload --pid-file`) re-reads the config file. New requests use
the new config at once, requests in flight and in the queue finish, listeners are added and
removed without dropping a connection, and a config that does not validate changes nothing."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time

import pytest

from harness import (
    API_NAME, WEB_NAME, ConnectionClosed, Paddock, RawConn, async_pool, can_connect, free_port, health,
    paddock_bin, pool_health, start_gunicorn, sync_pool, wait_for,
)

from test_queueing import Timed, hold_worker, in_flight, queued


class _TrackedConn(RawConn):
    """Remembers whether the current response's head arrived, to tell a failure before any
    response byte (which the proxy must never let through) from a cut mid-response."""

    head_seen = False

    def read_head(self):
        resp = super().read_head()
        self.head_seen = True
        return resp


class SteadyLoad:
    """`clients` threads, each sending GETs over one keep-alive connection (a new one when the
    server closes it), until stopped; bounded to `max_requests` each and `max_seconds`.
    `failures` are requests that got no response head or a non-200; `cut_mid_response` those
    whose connection failed after the head arrived."""

    def __init__(self, paddock: Paddock, target: str, clients: int = 4, max_requests: int = 3000,
                 max_seconds: float = 20):
        self.paddock, self.target = paddock, target
        self.max_requests, self.deadline = max_requests, time.monotonic() + max_seconds
        self.done = threading.Event()
        self.ok = 0
        self.failures: list[str] = []
        self.cut_mid_response = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> "SteadyLoad":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for t in self.threads:
            t.join(timeout=10)

    def _run(self) -> None:
        conn = None
        for _ in range(self.max_requests):
            if self.done.is_set() or time.monotonic() > self.deadline:
                break
            try:
                if conn is None:
                    conn = _TrackedConn(self.paddock.addr, timeout=5)
                conn.head_seen = False
                resp = conn.request("GET", self.target)
                with self.lock:
                    if resp.status == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"status {resp.status}")
                if resp.closes:
                    conn.close()
                    conn = None
            except (OSError, ConnectionClosed, ValueError) as exc:
                with self.lock:
                    if conn is not None and conn.head_seen:
                        self.cut_mid_response += 1
                    else:
                        self.failures.append(repr(exc))
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    def wait_for_requests(self, count: int, timeout: float = 10) -> None:
        start = self.ok
        wait_for(lambda: self.ok >= start + count, timeout=timeout, what=f"{count} more requests under load")


def whoami(paddock: Paddock, target: str = "/whoami", addr=None) -> tuple[int, str | None]:
    with RawConn(addr or paddock.addr) as conn:
        resp = conn.request("GET", target, headers=[("Connection", "close")])
    server = json.loads(resp.body).get("server") if resp.status == 200 else None
    return resp.status, server


@pytest.fixture
def reloadable(work_dir, web_backend, request):
    name = f"paddock-reload-{request.node.name[:30]}"
    pid_file = work_dir / f"{name}.pid"
    p = Paddock(name, work_dir, pools={"web": sync_pool(web_backend)}, routes=[{"pool": "web"}],
                extra_args=["--pid-file", str(pid_file)])
    p.pid_file = pid_file
    yield p
    p.stop()


def test_sighup_adding_a_route_under_load_loses_no_request(reloadable, web_backend, api_backend):
    p = reloadable
    assert whoami(p, "/api/whoami")[0] == 404, "before the reload /api/ goes to Flask, which has no such path"
    with SteadyLoad(p, "/whoami") as load:
        load.wait_for_requests(50)
        p.write_config({"web": sync_pool(web_backend), "api": async_pool(api_backend)},
                       [{"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}])
        p.reload(generation=2)
        assert whoami(p, "/api/whoami") == (200, API_NAME), "the new route answers at once"
        load.wait_for_requests(50)
    assert not load.failures, f"{len(load.failures)} failed requests around the reload, e.g. {load.failures[:3]}"
    assert load.cut_mid_response == 0
    assert whoami(p) == (200, WEB_NAME)


def test_a_broken_config_on_sighup_changes_nothing(reloadable, web_backend):
    p = reloadable
    good = p.config_text
    p.config_path.write_text(good.replace('kind = "sync"', 'kind = "synk"'))
    with SteadyLoad(p, "/whoami", clients=2) as load:
        load.wait_for_requests(20)
        p.proc.signal(signal.SIGHUP)
        wait_for(lambda: "config generation 1 stays in use" in p.log(), timeout=5, what="the rejection logged")
        load.wait_for_requests(20)
    assert not load.failures and load.cut_mid_response == 0, load.failures[:3]
    log = p.log()
    # The same message `paddock check` prints: file, key and reason.
    assert f"reload rejected: {p.config_path}: pools.web.kind:" in log, log[-2000:]
    assert "config generation 2" not in log
    assert whoami(p) == (200, WEB_NAME)


def test_reload_adds_and_removes_listeners_without_dropping_a_connection(reloadable, web_backend):
    p = reloadable
    old_port, new_port = p.port, free_port()
    kept = RawConn(p.addr)
    try:
        assert kept.request("GET", "/whoami").status == 200
        p.write_config({"web": sync_pool(web_backend)}, [{"pool": "web"}], listen=[f"127.0.0.1:{new_port}"])
        p.reload(generation=2)
        assert whoami(p, addr=("127.0.0.1", new_port)) == (200, WEB_NAME), "the added listener answers"
        assert not can_connect(("127.0.0.1", old_port)), "the removed listener still accepts"
        resp = kept.request("GET", "/whoami")
        assert resp.status == 200, "a kept-alive connection accepted on the removed listener was dropped"
    finally:
        kept.close()
    assert f"no longer listening on 127.0.0.1:{old_port}" in p.log()


def test_a_listener_that_cannot_be_bound_rejects_the_whole_reload(reloadable, web_backend):
    p = reloadable
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        p.write_config({"web": sync_pool(web_backend)}, [{"path_prefix": "/nowhere/", "pool": "web"}],
                       listen=[f"127.0.0.1:{p.port}", f"127.0.0.1:{taken}"])
        p.proc.signal(signal.SIGHUP)
        wait_for(lambda: "config generation 1 stays in use" in p.log(), timeout=5, what="the rejection logged")
    finally:
        blocker.close()
    assert f"cannot listen on 127.0.0.1:{taken}" in p.log()
    assert whoami(p) == (200, WEB_NAME), "the old routes still apply"


@pytest.fixture(scope="module")
def two_single_workers(work_dir):
    first = start_gunicorn("e2e-reload-w1", work_dir, workers=1)
    try:
        second = start_gunicorn("e2e-reload-w2", work_dir, workers=1)
    except BaseException:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


def test_a_reload_keeps_slots_and_the_queue_and_gives_added_capacity_to_waiters(work_dir, two_single_workers):
    first, second = two_single_workers
    p = Paddock("paddock-reload-queue", work_dir, pools={"web": sync_pool(first, workers=1)},
                routes=[{"pool": "web"}])
    try:
        blocker = hold_worker(p, 4000)
        waiting = Timed(p, "/whoami").start()
        wait_for(lambda: queued(p) == 1, timeout=2, what="the second request queued")
        # The same server (slot still taken: nothing new is sent to it) plus a second one.
        p.write_config({"web": sync_pool(first, second, workers=1)}, [{"pool": "web"}])
        p.reload(generation=2)
        waiting.join()
        assert waiting.status == 200
        assert waiting.elapsed < 3, f"the queued request waited {waiting.elapsed:.1f} s: the added server did not take it"
        assert json.loads(waiting.resp.body)["server"] == "e2e-reload-w2"
        assert in_flight(p) == [1, 0], "the blocker's slot on the first server was kept across the reload"
        blocker.join()
        assert blocker.status == 200
        assert pool_health(health(p), "web")["queued"] == 0
    finally:
        p.stop()


def test_paddock_reload_signals_the_process_named_by_the_pid_file(reloadable, web_backend, api_backend):
    p = reloadable
    wait_for(lambda: p.pid_file.exists(), timeout=2, what="the pid file")
    assert int(p.pid_file.read_text()) == p.proc.pid
    p.write_config({"web": sync_pool(web_backend), "api": async_pool(api_backend)},
                   [{"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}])
    out = subprocess.run([str(paddock_bin()), "reload", "--pid-file", str(p.pid_file), "--config", str(p.config_path)],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    assert f"sent SIGHUP to pid {p.proc.pid}" in out.stdout
    wait_for(lambda: "config generation 2 installed" in p.log(), timeout=5, what="the reload")
    assert whoami(p, "/api/whoami") == (200, API_NAME)


def test_paddock_reload_refuses_a_broken_config_and_a_missing_pid_file(reloadable, work_dir):
    p = reloadable
    broken = work_dir / "reload-broken.toml"
    broken.write_text(p.config_text.replace('kind = "sync"', 'kind = "synk"'))
    out = subprocess.run([str(paddock_bin()), "reload", "--pid-file", str(p.pid_file), "--config", str(broken)],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 1
    assert f"{broken}: pools.web.kind:" in out.stderr
    time.sleep(0.3)
    assert "received SIGHUP" not in p.log(), "a broken config was signalled anyway"

    missing = work_dir / "no-such.pid"
    out = subprocess.run([str(paddock_bin()), "reload", "--pid-file", str(missing)],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 1
    assert f"cannot read pid file {missing}: No such file or directory" in out.stderr


def test_the_pid_file_is_removed_at_exit(reloadable):
    p = reloadable
    wait_for(lambda: p.pid_file.exists(), timeout=2, what="the pid file")
    assert p.stop() == 0
    assert not p.pid_file.exists()


def test_moving_the_admin_address_to_a_proxy_listener_is_rejected(reloadable, web_backend):
    # The admin listener moves away and a proxy listener takes its old address, in one step: the old
    # one is still bound when the new one would be, so the reload is rejected and nothing changes.
    p = reloadable
    old_admin = f"127.0.0.1:{p.admin_port}"
    p.write_config({"web": sync_pool(web_backend)}, [{"pool": "web"}], listen=[f"127.0.0.1:{p.port}", old_admin],
                   admin=f"127.0.0.1:{free_port()}")
    p.proc.signal(signal.SIGHUP)
    wait_for(lambda: "config generation 1 stays in use" in p.log(), timeout=5, what="the rejection logged")
    assert f"cannot listen on {old_admin}: EADDRINUSE" in p.log()
    assert health(p)["status"] == "ok", "the admin listener still answers where it was"
    assert whoami(p) == (200, WEB_NAME)
