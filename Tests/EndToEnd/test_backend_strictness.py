"""Responses from backends are parsed strictly: invalid ones give 502 and are never passed on, and a
body that ends early resets the client connection instead of ending cleanly with a last chunk."""

from __future__ import annotations

import socket

import pytest

from harness import Paddock, ScriptedServer

# Each scripted backend answers every request on a connection with these bytes, then closes.
INVALID_RESPONSES = {
    "content-length-and-chunked": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "two-content-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "content-length-banana": b"HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\nhello",
    "bad-status-line": b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
    "obs-fold": b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n",
    "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    "huge-head": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\nContent-Length: 0\r\n\r\n",
}
TRUNCATED_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n100\r\npartial"
TRUNCATED_LENGTH = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it"


class ScriptedBackend(ScriptedServer):
    """Reads a request head, writes `reply`, closes; for every connection."""

    def __init__(self, reply: bytes):
        self.reply = reply
        listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{listener.getsockname()[1]}"
        super().__init__(listener)

    def handle(self, sock: socket.socket, number: int) -> None:
        with sock:
            sock.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            sock.sendall(self.reply)


def _proxy(work_dir, backend: ScriptedBackend, name: str) -> Paddock:
    return Paddock(name, work_dir, pools={"api": {"kind": "async", "servers": [{"address": backend.address}]}},
                   routes=[{"pool": "api"}])


def _exchange(paddock: Paddock) -> tuple[bytes, bool]:
    """Sends one GET; returns everything read and whether the connection ended with a reset."""
    sock = socket.create_connection(paddock.addr, timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
    data = b""
    reset = False
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.startswith(b"HTTP/1.1 502") and data.endswith(b"\n") and b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
                if len(body) >= length:
                    break
    except ConnectionResetError:
        reset = True
    finally:
        sock.close()
    return data, reset


@pytest.mark.parametrize("case", sorted(INVALID_RESPONSES))
def test_an_invalid_response_becomes_502(work_dir, case):
    backend = ScriptedBackend(INVALID_RESPONSES[case])
    paddock = _proxy(work_dir, backend, f"paddock-strict-{case}")
    try:
        data, _ = _exchange(paddock)
        assert data.startswith(b"HTTP/1.1 502 "), data[:200]
        # Nothing of the invalid response reaches the client.
        assert b"hello" not in data and b"X-A" not in data and b"X-Big" not in data
    finally:
        paddock.stop()
        backend.stop()


@pytest.mark.parametrize("reply", [TRUNCATED_CHUNKED, TRUNCATED_LENGTH], ids=["chunked", "content-length"])
def test_a_truncated_body_is_never_completed(work_dir, reply):
    backend = ScriptedBackend(reply)
    paddock = _proxy(work_dir, backend, "paddock-truncated")
    try:
        data, reset = _exchange(paddock)
        assert data.startswith(b"HTTP/1.1 200 "), data[:200]
        # The client sees an error, not a clean end: no last chunk, and a reset rather than a FIN.
        assert not data.endswith(b"0\r\n\r\n")
        assert reset, "the connection ended cleanly after a truncated body"
    finally:
        paddock.stop()
        backend.stop()
