"""Where connections end: tunnels release their upstream sockets, an abandoned sync request keeps its
worker's slot until the worker is done, a stop closes kept-alive clients after their response, and an
error answered mid-upload still reaches a client that sends its whole body before reading."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time

import requests
import websockets

from harness import (
    Paddock, async_pool, free_port, health, pool_health, start_gunicorn, sync_pool, wait_for,
)


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_finished_tunnels_release_their_upstream_sockets(work_dir, api_backend):
    paddock = Paddock("paddock-tunnel-fds", work_dir, pools={"api": async_pool(api_backend)},
                      routes=[{"pool": "api"}])
    try:
        async def session(i: int) -> None:
            async with websockets.connect(f"ws://{paddock.host}:{paddock.port}/ws", open_timeout=5) as ws:
                await ws.send(f"hello {i}")
                assert (await asyncio.wait_for(ws.recv(), 5)).endswith(f"hello {i}")

        async def sessions() -> None:
            for i in range(40):
                await session(i)

        asyncio.run(sessions())
        # Each session used a client and an upstream socket; all of them must be gone again.
        # (A leak of one upstream socket per tunnel would leave 40 descriptors behind.)
        wait_for(lambda: pool_health(health(paddock), "api")["servers"][0]["in_flight"] == 0,
                 timeout=5, what="tunnels to finish")
        baseline = _open_fds(paddock.proc.pid)
        asyncio.run(sessions())
        wait_for(lambda: _open_fds(paddock.proc.pid) <= baseline + 2, timeout=5,
                 what=f"descriptors back to about {baseline}")
    finally:
        paddock.stop()


def test_an_abandoned_sync_request_keeps_its_worker_slot(work_dir):
    backend = start_gunicorn("e2e-one-worker", work_dir, workers=1)
    paddock = Paddock("paddock-abandon", work_dir, pools={"web": sync_pool(backend, workers=1)},
                      routes=[{"pool": "web"}])
    try:
        # A client asks for 1.5 s of work and gives up after 0.2 s.
        quitter = socket.create_connection(paddock.addr, timeout=5)
        quitter.sendall(b"GET /sleep?ms=1500 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        time.sleep(0.2)
        quitter.close()
        started = time.monotonic()
        # The worker is still busy: its slot is not handed to the next request, which waits in the
        # queue (where queue_timeout and /health see it) instead of in gunicorn's backlog.
        time.sleep(0.3)
        web = pool_health(health(paddock), "web")
        assert web["servers"][0]["in_flight"] == 1, web
        result: dict = {}

        def next_request():
            result["response"] = requests.get(paddock.url + "/whoami", timeout=10)
            result["at"] = time.monotonic() - started

        t = threading.Thread(target=next_request)
        t.start()
        wait_for(lambda: pool_health(health(paddock), "web")["queued"] == 1, timeout=2, what="the next request to queue")
        t.join(timeout=10)
        assert result["response"].status_code == 200
        # It ran once the abandoned request's 1.5 s were over (minus the 0.2 s before the quit).
        assert result["at"] >= 1.0, result["at"]
        wait_for(lambda: pool_health(health(paddock), "web")["servers"][0]["in_flight"] == 0, timeout=3,
                 what="the slot to be free again")
    finally:
        paddock.stop()
        backend.stop()


def test_a_stop_closes_a_kept_alive_client_after_its_response(work_dir, api_backend):
    paddock = Paddock("paddock-stop-keepalive", work_dir, pools={"api": async_pool(api_backend)},
                      routes=[{"pool": "api"}])
    try:
        conn = socket.create_connection(paddock.addr, timeout=10)
        # An event stream: its head (keep-alive) is out before the stop arrives.
        conn.sendall(b"GET /sse?events=5&interval_ms=200 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        first = conn.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first[:100]
        started = time.monotonic()
        paddock.proc.signal(signal.SIGTERM)
        data = first
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
        assert data.endswith(b"0\r\n\r\n"), data[-60:]
        assert b"data: 4" in data
        # Closed after the response, and paddock exited then, not after an idle timeout.
        code = paddock.proc.wait(timeout=5)
        assert code == 0
        assert time.monotonic() - started < 2.5
    finally:
        paddock.stop()


def test_an_error_reaches_a_client_that_sends_its_whole_upload_first(work_dir):
    # A server whose accept backlog is full: connects to it hang until connect_timeout.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(full.getsockname())
        fillers.append(filler)
    time.sleep(0.2)
    address = f"127.0.0.1:{full.getsockname()[1]}"
    paddock = Paddock("paddock-linger", work_dir,
                      pools={"api": {"kind": "async", "timeouts": {"connect": "1s"}, "queue_timeout": "100ms", "servers": [{"address": address}]}},
                      routes=[{"pool": "api"}])
    try:
        # requests writes the whole 8 MB body before reading. While paddock waits for the connect,
        # the upload fills its input buffer; after the 502 paddock must drain the rest of the upload
        # instead of letting the full buffer turn the close into a reset.
        response = requests.post(paddock.url + "/upload", data=b"x" * (8 << 20), timeout=15)
        assert response.status_code == 502
    finally:
        paddock.stop()
        for filler in fillers:
            filler.close()
        full.close()
