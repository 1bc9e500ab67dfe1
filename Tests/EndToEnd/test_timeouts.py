"""Client-side timeouts: a client that stops reading its response does not hold a buffered response
(and its temp file) or a streaming server forever; client_send bounds it."""

from __future__ import annotations

import socket
import time

from harness import (
    Paddock, async_pool, health, open_files_under, pool_health, short_tempdir, sync_pool, wait_for,
)

# client_send is 1 s; allow for scheduling on a busy 2-core machine.
CLOSED_WITHIN = 4.0


def _request_without_reading(paddock: Paddock, target: str) -> socket.socket:
    # Default socket buffers: the kernel absorbs a few MiB, far less than the responses used here.
    # (A tiny SO_RCVBUF would make the final drain crawl through TCP window probes.)
    sock = socket.create_connection(paddock.addr, timeout=10)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
    return sock


def _drain_until_closed(sock: socket.socket, limit: float) -> int | None:
    """Reads what the kernel holds; the byte count once the peer has closed or reset the
    connection, None if it has not within `limit` seconds."""
    sock.settimeout(0.5)
    received = 0
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            data = sock.recv(1 << 20)
            if not data:
                return received
            received += len(data)
    except ConnectionResetError:
        # paddock aborts a response it cannot complete with a reset, so the cut is never clean.
        return received
    except socket.timeout:
        pass
    return None


def test_a_client_that_stops_reading_a_buffered_response_is_dropped(work_dir, web_backend):
    temp = short_tempdir("paddock-send-timeout-")
    paddock = Paddock("paddock-send-timeout", work_dir, pools={"web": sync_pool(web_backend, workers=2)},
                      routes=[{"pool": "web"}],
                      proxy_extra={"buffer_memory": "64KiB", "temp_dir": str(temp)},
                      tables={"timeouts": {"client_send": "1s"}})
    try:
        sock = _request_without_reading(paddock, "/bytes?n=33554432")
        # The response spills to a temp file while the client does not read.
        wait_for(lambda: open_files_under(paddock.proc.pid, temp), timeout=5, what="a temp file")
        started = time.monotonic()
        wait_for(lambda: not open_files_under(paddock.proc.pid, temp), timeout=CLOSED_WITHIN,
                 what="the temp file to be released")
        assert time.monotonic() - started < CLOSED_WITHIN
        received = _drain_until_closed(sock, CLOSED_WITHIN)
        sock.close()
        assert received is not None, "the connection was not closed"
        assert received < 33554432, "the whole response arrived: the client was not cut off"
        assert list(temp.iterdir()) == []
    finally:
        paddock.stop()


def test_a_client_that_stops_reading_a_streamed_response_is_dropped(work_dir, api_backend):
    paddock = Paddock("paddock-send-timeout-stream", work_dir, pools={"api": async_pool(api_backend)},
                      routes=[{"pool": "api"}], tables={"timeouts": {"client_send": "1s"}})
    try:
        sock = _request_without_reading(paddock, "/bytes?n=104857600")
        # Not reading at all for longer than client_send; only then look.
        time.sleep(2.5)
        received = _drain_until_closed(sock, CLOSED_WITHIN)
        sock.close()
        assert received is not None, "the connection was not closed"
        assert received < 104857600, "the whole response arrived: the client was not cut off"
        # The upstream side was released too: nothing is left in flight.
        assert wait_for(lambda: pool_health(health(paddock), "api")["servers"][0]["in_flight"] == 0,
                        timeout=2, what="in_flight back to 0")
    finally:
        paddock.stop()
