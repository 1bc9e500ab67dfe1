"""Backends on unix sockets: uvicorn --uds (async pool) and gunicorn -b unix: (sync pool),
behind pools with `address = "unix:/path"`."""

from __future__ import annotations

import os
import shutil

import pytest

from harness import Paddock, async_pool, sha256, short_tempdir, start_gunicorn, start_uvicorn, sync_pool


@pytest.fixture(scope="module")
def uds_proxy(work_dir):
    sock_dir = short_tempdir()
    started = []
    try:
        api = start_uvicorn("e2e-uds-api", work_dir, uds=str(sock_dir / "api.sock"))
        started.append(api)
        web = start_gunicorn("e2e-uds-web", work_dir, uds=str(sock_dir / "web.sock"))
        started.append(web)
        p = Paddock(
            "paddock-uds", work_dir,
            pools={"api": async_pool(api), "web": sync_pool(web, workers=2)},
            routes=[{"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}],
        )
        started.append(p)
        yield p, api, web
    finally:
        for proc in reversed(started):
            proc.stop()
        shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.mark.parametrize("prefix, which", [("/api", "api"), ("", "web")], ids=["uvicorn-uds", "gunicorn-uds"])
def test_unix_socket_backend(uds_proxy, prefix, which):
    paddock, api, web = uds_proxy
    backend = api if which == "api" else web
    assert backend.address.startswith("unix:/")
    data = os.urandom(256 * 1024)
    with paddock.connect() as conn:
        resp = conn.request("GET", f"{prefix}/whoami")
        assert resp.status == 200, resp.body[:200]
        assert resp.json()["server"] == backend.name
        resp = conn.request("POST", f"{prefix}/upload", body=data)
        assert resp.status == 200, resp.body[:200]
        assert resp.json() == {"bytes": len(data), "sha256": sha256(data)}
