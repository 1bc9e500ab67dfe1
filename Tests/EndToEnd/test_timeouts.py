"""Client-side timeouts: a client that stops reading its response does not hold a buffered response
(and its temp file) or a streaming server forever; client_timeout bounds it."""

from __future__ import annotations

import socket
import time

from harness import (
    Paddock, async_pool, health, open_files_under, pool_health, short_tempdir, sync_pool, wait_for,
)

# client_timeout is 1 s; allow for scheduling on a busy 2-core machine.
CLOSED_WITHIN = 4.0


def _request_without_reading(paddock: Paddock, target: str) -> socket.socket:
    # Default socket buffers: the kernel absorbs a few MiB, far less than the responses used here.
    # (A tiny SO_RCVBUF would make the final drain crawl through TCP window probes.)
    sock = socket.create_connection(paddock.addr, timeout=10)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
    return sock


def _closed_by_peer(sock: socket.socket) -> bool:
    """Drains what is buffered; true once the peer has closed (EOF or reset)."""
    sock.settimeout(0.2)
    try:
        while True:
            data = sock.recv(1 << 20)
            if not data:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_a_client_that_stops_reading_a_buffered_response_is_dropped(work_dir, web_backend):
    temp = short_tempdir("paddock-send-timeout-")
    paddock = Paddock("paddock-send-timeout", work_dir, pools={"web": sync_pool(web_backend, workers=2)},
                      routes=[{"pool": "web"}],
                      proxy_extra={"client_timeout": "1s", "buffer_memory": "64KiB", "temp_dir": str(temp)})
    try:
        sock = _request_without_reading(paddock, "/bytes?n=33554432")
        # The response spills to a temp file while the client does not read.
        wait_for(lambda: open_files_under(paddock.proc.pid, temp), timeout=5, what="a temp file")
        started = time.monotonic()
        wait_for(lambda: not open_files_under(paddock.proc.pid, temp), timeout=CLOSED_WITHIN,
                 what="the temp file to be released")
        assert time.monotonic() - started < CLOSED_WITHIN
        assert wait_for(lambda: _closed_by_peer(sock), timeout=CLOSED_WITHIN, what="the connection to close")
        sock.close()
        assert list(temp.iterdir()) == []
    finally:
        paddock.stop()


def test_a_client_that_stops_reading_a_streamed_response_is_dropped(work_dir, api_backend):
    paddock = Paddock("paddock-send-timeout-stream", work_dir, pools={"api": async_pool(api_backend)},
                      routes=[{"pool": "api"}], proxy_extra={"client_timeout": "1s"})
    try:
        sock = _request_without_reading(paddock, "/bytes?n=104857600")
        assert wait_for(lambda: _closed_by_peer(sock), timeout=2 + CLOSED_WITHIN, what="the connection to close")
        sock.close()
        # The upstream side was released too: nothing is left in flight.
        assert wait_for(lambda: pool_health(health(paddock), "api")["servers"][0]["in_flight"] == 0,
                        timeout=2, what="in_flight back to 0")
    finally:
        paddock.stop()
