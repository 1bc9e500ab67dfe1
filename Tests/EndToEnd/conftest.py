"""Fixtures for the end-to-end suite: real gunicorn and uvicorn processes behind the real
paddock binary (PADDOCK_BIN, default .build/release/paddock), all on free loopback ports.

Shared processes are session- or module-scoped to keep the suite fast; tests that stop or
break a process get their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from harness import (
    LIVE_PROCS, WEB_NAME, API_NAME, API_HOST, Paddock, async_pool, short_tempdir, start_gunicorn, start_uvicorn,
    sync_pool,
)

# (pool, path prefix that routes there, server name /whoami reports, app server)
POOLS = [
    pytest.param(("web", "", WEB_NAME, "gunicorn"), id="sync-gunicorn"),
    pytest.param(("api", "/api", API_NAME, "uvicorn"), id="async-uvicorn"),
]


@pytest.fixture(scope="session")
def work_dir(request, tmp_path_factory) -> Path:
    """Configs and logs of the processes: removed after a clean run, kept after a failure."""
    path = tmp_path_factory.mktemp("paddock-e2e")
    yield path
    if request.session.testsfailed:
        print(f"\npaddock e2e: configs and logs kept in {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def web_backend(work_dir):
    backend = start_gunicorn(WEB_NAME, work_dir, workers=2)
    yield backend
    backend.stop()


@pytest.fixture(scope="session")
def api_backend(work_dir):
    backend = start_uvicorn(API_NAME, work_dir)
    yield backend
    backend.stop()


def main_pools(web, api) -> dict:
    return {"web": sync_pool(web, workers=2), "api": async_pool(api)}


MAIN_ROUTES = [
    {"host": API_HOST, "pool": "api"},
    {"path_prefix": "/api/", "pool": "api"},
    {"pool": "web"},
]


@pytest.fixture(scope="session")
def proxy(work_dir, web_backend, api_backend):
    """The main paddock: host api.example.test or /api/* -> uvicorn (async); the rest -> gunicorn (sync)."""
    p = Paddock("paddock-main", work_dir, main_pools(web_backend, api_backend), MAIN_ROUTES)
    yield p
    p.stop()


@pytest.fixture
def http():
    """A requests session with bounded timeouts (pass timeout= per call to change it)."""
    with requests.Session() as s:
        s.request = _with_default_timeout(s.request)
        yield s


def _with_default_timeout(request, timeout=(5, 10)):
    def wrapped(method, url, **kw):
        kw.setdefault("timeout", timeout)
        return request(method, url, **kw)

    return wrapped


@pytest.fixture(params=POOLS)
def pool(request):
    """Parametrizes a test over the sync (gunicorn) and async (uvicorn) pool of the main proxy."""
    return request.param


@pytest.fixture
def scratch_dir():
    """A short, private directory under /tmp (unix socket paths must stay short); removed after."""
    d = short_tempdir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of each running paddock's log (and of any backend that died)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for proc in list(LIVE_PROCS):
            if proc.name.startswith("paddock") or not proc.alive():
                state = "running" if proc.alive() else f"exited {proc.popen.returncode}"
                report.sections.append((f"{proc.name} log tail ({state})", proc.log_tail()))


def pytest_sessionfinish(session, exitstatus):
    # Last resort: nothing started by the suite outlives it.
    for proc in list(LIVE_PROCS):
        proc.stop(timeout=2)


def pytest_configure(config):
    config.addinivalue_line("markers", "pool_settings(**kw): pool settings for a test's own paddock (test_queueing.py)")
