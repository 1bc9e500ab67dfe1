"""Supervised pools: paddock runs the gunicorn and uvicorn processes it fronts (a pool's
`run = { ... }`). Start, crash and restart, rolling restarts under load, a broken deploy, reload
on a changed file, and no process left behind however paddock ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import EXAMPLES, Paddock, RawConn, health, paddock_bin, pool_health, short_tempdir, wait_for
from test_reload import SteadyLoad

START = 30  # seconds for supervised instances to come up (generous: CI machines are slow)


def load(paddock: Paddock, target: str, clients: int) -> SteadyLoad:
    """Steady GETs, bounded far beyond what a test needs, so the load outlasts the slowest restart."""
    return SteadyLoad(paddock, target, clients=clients, max_requests=50_000, max_seconds=120)


def uvicorn_run(instances: int = 2, app: str = "asgi_app:app", cwd: Path = EXAMPLES, **extra) -> dict:
    return {
        "command": [sys.executable, "-m", "uvicorn", "--uds", "{socket}", "--timeout-graceful-shutdown", "2",
                    "--log-level", "warning", "--no-access-log", app],
        "instances": instances, "cwd": str(cwd), "env": {"PADDOCK_DEMO_NAME": "supervised-api"},
        "stop_timeout": "5s", "start_timeout": "20s", **extra,
    }


def gunicorn_run(instances: int = 2, workers: int = 2) -> dict:
    return {
        "command": [sys.executable, "-m", "gunicorn", "-w", "{workers}", "-b", "127.0.0.1:{port}",
                    "--graceful-timeout", "2", "--log-level", "warning", "wsgi_app:app"],
        "instances": instances, "workers": workers, "cwd": str(EXAMPLES),
        "env": {"PADDOCK_DEMO_NAME": "supervised-web"}, "stop_timeout": "5s", "start_timeout": "20s",
    }


def pools(api_run: dict | None = None, web_run: dict | None = None) -> dict:
    return {
        "web": {"kind": "sync", "run": web_run or gunicorn_run()},
        "api": {"kind": "async", "run": api_run or uvicorn_run()},
    }


ROUTES = [{"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}]


def run_state(paddock: Paddock, pool: str) -> dict:
    return pool_health(health(paddock), pool)["run"]


def serving_pids(paddock: Paddock, pool: str) -> set[int]:
    return {i["pid"] for i in run_state(paddock, pool)["instances"] if i["state"] == "serving"}


def wait_serving(paddock: Paddock, pool: str, count: int, timeout: float = START, exclude: set[int] = frozenset()):
    """Until `count` instances serve (none of them in `exclude`) and nothing else is running."""
    def settled():
        run = run_state(paddock, pool)
        serving = {i["pid"] for i in run["instances"] if i["state"] == "serving"}
        others = [i for i in run["instances"] if i["state"] != "serving"]
        return serving if len(serving) == count and not others and not run["rolling"] and not serving & exclude else None
    return wait_for(settled, timeout=timeout, interval=0.1, what=f"{count} instances of {pool} serving")


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren...), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def supervised(work_dir, request):
    started: list[Paddock] = []

    def start(name: str, pools_: dict, extra_args: list[str] | None = None) -> Paddock:
        routes = ROUTES if "web" in pools_ else [{"pool": "api"}]
        paddock = Paddock(f"{name}-{len(started)}", work_dir, pools_, routes, extra_args=extra_args,
                          proxy_extra={"access_log": "off"})
        started.append(paddock)
        for pool, config in pools_.items():
            wait_serving(paddock, pool, config["run"]["instances"])
        return paddock

    yield start
    for paddock in started:
        paddock.stop()


def test_supervised_pools_start_serve_and_survive_kill_9_of_an_instance(supervised):
    paddock = supervised("sv-crash", pools())
    api_before, web_before = serving_pids(paddock, "api"), serving_pids(paddock, "web")
    assert len(api_before) == 2 and len(web_before) == 2
    with load(paddock, "/api/whoami", 3) as api_load, load(paddock, "/whoami", 3) as web_load:
        api_load.wait_for_requests(50)
        web_load.wait_for_requests(50)
        api_victim, web_victim = min(api_before), min(web_before)
        web_victim_workers = descendants(web_victim)
        assert len(web_victim_workers) == 2
        os.kill(api_victim, signal.SIGKILL)
        os.kill(web_victim, signal.SIGKILL)
        api_after = wait_serving(paddock, "api", 2, exclude={api_victim})
        web_after = wait_serving(paddock, "web", 2, exclude={web_victim})
        api_load.wait_for_requests(50)
        web_load.wait_for_requests(50)
    assert api_load.failures == [] and web_load.failures == [], (api_load.failures[:5], web_load.failures[:5])
    assert api_load.cut_mid_response == 0 and web_load.cut_mid_response == 0
    assert api_after - api_before and web_after - web_before
    assert run_state(paddock, "api")["restarts"] == 1
    assert "exited (killed by signal 9); starting another" in paddock.log()
    # The killed gunicorn master's workers are not left serving its old port.
    wait_for(lambda: not any(alive(pid) for pid in web_victim_workers), timeout=5, what="the orphaned workers gone")
    body = health(paddock)
    assert body["status"] == "ok", body


def test_rolling_restarts_under_load_lose_nothing_and_replace_every_instance(supervised, work_dir):
    paddock = supervised("sv-roll", pools())
    api_before, web_before = serving_pids(paddock, "api"), serving_pids(paddock, "web")
    with load(paddock, "/api/whoami", 3) as api_load, load(paddock, "/whoami", 3) as web_load:
        api_load.wait_for_requests(50)
        web_load.wait_for_requests(50)
        # One by `paddock restart`, the other by a reload (a reload is a deploy: every supervised pool rolls).
        out = subprocess.run([str(paddock_bin()), "restart", "api", "--admin", f"127.0.0.1:{paddock.admin_port}"],
                             capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, out.stderr
        assert "rolling restart of pool api started" in out.stdout
        api_after = wait_serving(paddock, "api", 2, exclude=api_before)
        paddock.reload(2)
        web_after = wait_serving(paddock, "web", 2, exclude=web_before)
        api_load.wait_for_requests(50)
        web_load.wait_for_requests(50)
    assert api_load.failures == [] and web_load.failures == [], (api_load.failures[:5], web_load.failures[:5])
    assert api_load.cut_mid_response == 0 and web_load.cut_mid_response == 0
    assert not api_after & api_before and not web_after & web_before
    assert run_state(paddock, "api")["restarts"] == 0
    # Nothing of the old instances is left running.
    assert not any(alive(pid) for pid in api_before | web_before)
    log = paddock.log()
    assert "pool api: rolling restart (paddock restart)" in log and "pool web: rolling restart (reload" in log


def test_paddock_restart_explains_a_pool_it_does_not_run(supervised):
    paddock = supervised("sv-cli", {"api": {"kind": "async", "run": uvicorn_run(instances=1)}})
    admin = ["--admin", f"127.0.0.1:{paddock.admin_port}"]
    out = subprocess.run([str(paddock_bin()), "restart", "nope", *admin], capture_output=True, text=True, timeout=10)
    assert out.returncode == 1 and "no pool named nope" in out.stderr
    # A web page's script could POST to a loopback admin listener: a request with Origin is refused.
    with RawConn((paddock.host, paddock.admin_port)) as conn:
        resp = conn.request("POST", "/pools/api/restart", headers=[("Origin", "http://evil.test"),
                                                                     ("Content-Length", "0"), ("Connection", "close")])
    assert resp.status == 403
    assert not run_state(paddock, "api")["rolling"]
    status = subprocess.run([str(paddock_bin()), "status", *admin], capture_output=True, text=True, timeout=10)
    assert status.returncode == 0, status.stderr
    assert "run api: 1 instance" in status.stdout and "serving" in status.stdout


def test_a_broken_deploy_keeps_the_old_instances_serving(supervised):
    paddock = supervised("sv-broken", pools())
    before = serving_pids(paddock, "api")
    broken = uvicorn_run()
    broken["command"] = ["sh", "-c", "echo 'ImportError: the deploy is broken' >&2; exit 3", "{socket}"]
    with load(paddock, "/api/whoami", 2) as traffic:
        traffic.wait_for_requests(20)
        paddock.write_config(pools(api_run=broken), ROUTES)
        paddock.reload(2)
        failure = wait_for(lambda: run_state(paddock, "api")["last_failure"], timeout=START, interval=0.1,
                           what="the failed roll in /health")
        traffic.wait_for_requests(20)
    assert traffic.failures == [], traffic.failures[:5]
    assert failure.startswith("rolling restart failed: api#3 exited (exit status 3) before passing its check"), failure
    assert serving_pids(paddock, "api") == before
    body = health(paddock)
    assert body["status"] == "degraded"
    log = paddock.log()
    assert "the deploy is broken" in log  # the new instance's own output is in paddock's log
    assert "the 2 running instances keep serving" in log


APP_TEMPLATE = '''
import os

VERSION = {version}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = ('{{"version": %d, "pid": %d}}' % (VERSION, os.getpid())).encode()
    await send({{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}})
    await send({{"type": "http.response.body", "body": body}})
'''


def current_version(paddock: Paddock) -> int | None:
    import requests
    try:
        return requests.get(f"{paddock.url}/api/", timeout=5).json()["version"]
    except (OSError, ValueError, KeyError, requests.RequestException):
        return None


def test_reload_mode_restarts_on_a_changed_file_and_keeps_serving_through_a_broken_edit(supervised):
    source = short_tempdir("paddock-e2e-app-")
    try:
        app = source / "app.py"
        app.write_text(APP_TEMPLATE.format(version=1))
        run = uvicorn_run(instances=1, app="app:app", cwd=source)
        paddock = supervised("sv-dev", {"api": {"kind": "async", "run": run}}, extra_args=["--reload"])
        assert current_version(paddock) == 1
        with load(paddock, "/api/", 2) as traffic:
            traffic.wait_for_requests(20)
            app.write_text(APP_TEMPLATE.format(version=2))
            wait_for(lambda: current_version(paddock) == 2, timeout=15, interval=0.1, what="the edited code answering")
            traffic.wait_for_requests(20)
            # An edit that breaks the app: the running instance keeps serving, the traceback is logged.
            app.write_text("def broken(:\n")
            wait_for(lambda: run_state(paddock, "api")["last_failure"], timeout=START, interval=0.1,
                     what="the failed reload in /health")
            traffic.wait_for_requests(20)
        assert traffic.failures == [], traffic.failures[:5]
        assert current_version(paddock) == 2
        assert "SyntaxError" in paddock.log()
        assert "app.py changed" in paddock.log()
    finally:
        subprocess.run(["rm", "-rf", str(source)], check=False)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_no_process_outlives_paddock(supervised, how):
    paddock = supervised(f"sv-orphans-{how.name.lower()}", pools())
    family = descendants(paddock.proc.pid)
    # Two uvicorn instances, two gunicorn masters with two workers each.
    assert len(family) >= 8, family
    paddock.proc.signal(how)
    assert paddock.proc.wait(15) is not None
    wait_for(lambda: not [pid for pid in family if alive(pid)], timeout=15, interval=0.1,
             what=f"every child of paddock gone after {how.name}")
