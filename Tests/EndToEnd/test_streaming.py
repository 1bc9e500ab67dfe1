"""Async pools stream and tunnel: server-sent events arrive as sent, WebSockets are byte tunnels
with their own idle timeout, 1 GB each way passes with bounded memory, and upstream keep-alive
never races uvicorn's close (or recovers from it with one retry on a fresh connection).

Timing bounds are generous (2 shared cores, a fuzzer beside us) and explained where asserted.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
import time

import pytest

from harness import (
    ConnectionClosed, Paddock, RawConn, RssSampler, ScriptedServer, async_pool, free_port, health,
    pool_health, start_uvicorn, wait_for,
)

KiB = 1024
MiB = 1024 * KiB


# --------------------------------------------------------------------------------------------
# Server-sent events
# --------------------------------------------------------------------------------------------

def test_sse_events_arrive_as_they_are_sent(proxy):
    """Five events 300 ms apart through the async pool: each arrives on its own schedule."""
    interval = 0.3
    with proxy.connect() as conn:
        started = time.monotonic()
        conn.send(b"GET /api/sse?events=5&interval_ms=300 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        head = conn.read_head()
        assert head.status == 200 and head.header("content-type", "").startswith("text/event-stream"), head
        arrivals = []
        while len(arrivals) < 5:
            if f"data: {len(arrivals)}\n\n".encode() in conn.buf:
                arrivals.append(time.monotonic() - started)
                continue
            conn._fill()
    # Event i is sent at i x 300 ms. Streamed, event 0 arrives at once (0.5 s: loaded machine) and
    # no event arrives before it is sent (50 ms of timer slack); buffered, all would come at 1.2 s.
    assert arrivals[0] < 0.5, f"first event after {arrivals[0]:.2f} s: {arrivals}"
    for i, t in enumerate(arrivals):
        assert t >= i * interval - 0.05, f"event {i} at {t:.2f} s, before it was sent? {arrivals}"
    assert arrivals[3] < 1.2 - 0.1, f"events bunched up at the end: {arrivals}"


# --------------------------------------------------------------------------------------------
# WebSockets
# --------------------------------------------------------------------------------------------

WS_CLIENTS = 50
WS_MESSAGES = 20


def test_fifty_websocket_clients_echo_twenty_messages(proxy):
    """50 concurrent WebSocket clients through paddock to uvicorn, 20 messages each (text and
    binary, up to 64 KiB), every echo exact; afterwards no tunnel is left in flight."""
    from websockets.asyncio.client import connect

    url = f"ws://{proxy.host}:{proxy.port}/api/ws"

    async def client(i: int) -> int:
        async with connect(url, open_timeout=10, close_timeout=5, ping_interval=None,
                           max_size=1 << 20) as ws:
            for j in range(WS_MESSAGES):
                message = f"client {i} message {j}" if j % 2 else os.urandom(64 * j * 50 + 1)
                await ws.send(message)
                echo = await asyncio.wait_for(ws.recv(), timeout=10)
                assert echo == message, f"client {i} message {j}: wrong echo"
        return WS_MESSAGES

    async def run_all():
        return await asyncio.gather(*(client(i) for i in range(WS_CLIENTS)))

    started = time.monotonic()
    # 1,000 round trips over 50 connections take about a second here; 45 s is a hang guard.
    counts = asyncio.run(asyncio.wait_for(run_all(), timeout=45))
    elapsed = time.monotonic() - started
    print(f"{WS_CLIENTS} WebSocket clients x {WS_MESSAGES} messages in {elapsed:.2f} s")
    assert counts == [WS_MESSAGES] * WS_CLIENTS
    # The clients closed; each close ends its tunnel (both connections) and frees its slot.
    wait_for(lambda: pool_health(health(proxy), "api")["servers"][0]["in_flight"] == 0,
             timeout=3, what="every tunnel closed")


@pytest.fixture(scope="module")
def short_tunnels(work_dir, api_backend):
    p = Paddock("paddock-tunnel-idle", work_dir, pools={"api": async_pool(api_backend, timeouts={"tunnel_idle": "1s"})},
                routes=[{"pool": "api"}])
    yield p
    p.stop()


def test_idle_tunnel_is_closed_after_tunnel_idle(short_tunnels):
    from websockets.exceptions import ConnectionClosed as WsClosed
    from websockets.sync.client import connect

    with connect(f"ws://{short_tunnels.host}:{short_tunnels.port}/ws", open_timeout=5, close_timeout=1,
                 ping_interval=None) as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
        last_activity = time.monotonic()
        with pytest.raises(WsClosed):
            ws.recv(timeout=10)
        closed_after = time.monotonic() - last_activity
    # tunnel_idle = 1 s: not before it (0.9 s: clock granularity), and "within a couple of seconds"
    # (2.5 s: the idle timer, then the close reaching the client, on a loaded machine).
    assert 0.9 <= closed_after < 2.5, f"closed {closed_after:.2f} s after the last message"


def test_active_tunnel_outlives_tunnel_idle(short_tunnels):
    """A message every 300 ms keeps a tunnel with tunnel_idle = 1 s open for 2.5 s and more."""
    from websockets.sync.client import connect

    with connect(f"ws://{short_tunnels.host}:{short_tunnels.port}/ws", open_timeout=5, close_timeout=1,
                 ping_interval=None) as ws:
        started = time.monotonic()
        i = 0
        while time.monotonic() - started < 2.5:
            ws.send(f"m{i}")
            assert ws.recv(timeout=5) == f"m{i}"
            i += 1
            time.sleep(0.3)
    assert i >= 6


# --------------------------------------------------------------------------------------------
# Bounded memory: 1 GB each way
# --------------------------------------------------------------------------------------------

GB = 1000 * 1000 * 1000
# Paddock's resident memory while 1 GB goes up and 1 GB comes down at the same time, streamed
# through an async pool. What it needs is per connection: a 128 KiB input buffer and a write
# queue held near the 256 KiB high-water mark, plus the binary (~20 MiB resident here). 64 MiB
# leaves room for allocator slack and is still 15x less than buffering either body would take.
RSS_BOUND = 64 * MiB


@pytest.fixture(scope="module")
def memory_proxy(work_dir, api_backend):
    p = Paddock("paddock-memory", work_dir, pools={"api": async_pool(api_backend)}, routes=[{"pool": "api"}],
                tables={"limits": {"max_body_bytes": "2GB"}})
    yield p
    p.stop()


def upload_gigabyte(addr, result: dict) -> None:
    block = os.urandom(1 * MiB)
    digest = hashlib.sha256()
    try:
        with RawConn(addr, timeout=60) as conn:
            conn.send(f"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: {GB}\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n".encode())
            left = GB
            while left:
                piece = block if left >= len(block) else block[:left]
                conn.sock.sendall(piece)
                digest.update(piece)
                left -= len(piece)
            result["sent_sha256"] = digest.hexdigest()
            result["response"] = conn.read_response()
    except (OSError, ConnectionClosed, ValueError) as exc:
        result["error"] = repr(exc)


def download_gigabyte(addr, result: dict) -> None:
    buf = bytearray(1 * MiB)
    view = memoryview(buf)
    try:
        with RawConn(addr, timeout=60) as conn:
            conn.send(f"GET /bytes?n={GB} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
            head = conn.read_head()
            result["status"] = head.status
            result["content_length"] = head.header("content-length")
            got = len(conn.buf)
            tail = bytes(conn.buf[-16:])
            while got < GB:
                n = conn.sock.recv_into(view, min(len(buf), GB - got))
                if n == 0:
                    break
                got += n
                tail = (tail + bytes(view[max(0, n - 16) : n]))[-16:]
            result["bytes"] = got
            result["tail"] = tail
    except (OSError, ConnectionClosed, ValueError) as exc:
        result["error"] = repr(exc)


def test_gigabyte_each_way_with_bounded_memory(memory_proxy):
    """1 GB up (sha256 checked by the app) and 1 GB down (byte count and the pattern's last bytes)
    at the same time, while paddock's RSS, sampled every 100 ms, stays under RSS_BOUND."""
    up, down = {}, {}
    threads = [threading.Thread(target=upload_gigabyte, args=(memory_proxy.addr, up), daemon=True),
               threading.Thread(target=download_gigabyte, args=(memory_proxy.addr, down), daemon=True)]
    started = time.monotonic()
    with RssSampler(memory_proxy.proc.pid, interval=0.1) as rss:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=75)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a transfer did not finish within 75 s"
    print(f"1 GB up and 1 GB down in {elapsed:.1f} s; paddock RSS {rss.samples[0] / MiB:.1f} MiB at start, "
          f"peak {rss.peak / MiB:.1f} MiB over {len(rss.samples)} samples")

    assert "error" not in up, up["error"]
    assert up["response"].status == 200, up["response"].body[:200]
    assert up["response"].json() == {"bytes": GB, "sha256": up["sent_sha256"]}
    assert "error" not in down, down["error"]
    assert (down["status"], down["content_length"], down["bytes"]) == (200, str(GB), GB), down
    expected_tail = (b"0123456789abcdef" * 2)[GB % 16 : GB % 16 + 16]
    assert down["tail"] == expected_tail, down["tail"]
    assert len(rss.samples) >= 10, "too few RSS samples"
    assert rss.peak < RSS_BOUND, f"paddock RSS peaked at {rss.peak / MiB:.1f} MiB (bound {RSS_BOUND / MiB:.0f} MiB)"


# --------------------------------------------------------------------------------------------
# Upstream keep-alive against a server's own idle close
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def short_keepalive(work_dir):
    """uvicorn closing idle connections after 1 s (its default is 5 s; paddock keeps idle upstream
    connections for 2 s, so here the server closes first)."""
    # --no-proxy-headers: /peer then reports paddock's upstream socket, not X-Forwarded-For with port 0.
    backend = start_uvicorn("e2e-keepalive-1s", work_dir,
                            extra_args=["--timeout-keep-alive", "1", "--no-proxy-headers"])
    p = Paddock("paddock-keepalive", work_dir, pools={"api": async_pool(backend)}, routes=[{"pool": "api"}])
    yield p
    p.stop()
    backend.stop()


def peer_port(paddock: Paddock) -> int:
    with RawConn(paddock.addr, timeout=10) as conn:
        resp = conn.request("GET", "/peer", headers=[("Connection", "close")])
    assert resp.status == 200, (resp.status, resp.body[:200])
    return resp.json()["port"]


def test_requests_around_uvicorns_keepalive_close_all_succeed(short_keepalive):
    """Pairs of requests on new client connections, the second sent 0.97 to 1.5 s after the first:
    around 1 s it may meet uvicorn closing the idle upstream connection. Every one must succeed
    (paddock noticed the close, or retried once on a fresh connection). Ten pairs run at once,
    three rounds."""
    paddock = short_keepalive
    delays = [0.97, 0.98, 0.99, 0.995, 1.0, 1.005, 1.01, 1.02, 1.1, 1.5]
    outcomes: list = []
    lock = threading.Lock()

    def pair(delay: float) -> None:
        try:
            first = peer_port(paddock)
            time.sleep(delay)
            second = peer_port(paddock)
            outcome = (delay, first, second)
        except (OSError, ConnectionClosed, ValueError, AssertionError) as exc:
            outcome = (delay, repr(exc))
        with lock:
            outcomes.append(outcome)

    for _ in range(3):
        threads = [threading.Thread(target=pair, args=(d,), daemon=True) for d in delays]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        assert not any(t.is_alive() for t in threads), "a request hung"
    failures = [o for o in outcomes if len(o) == 2]
    assert not failures, f"{len(failures)} of {len(outcomes)} failed: {failures[:5]}"
    assert "warning" not in paddock.log_tail(200), paddock.log_tail(20)


def test_sequential_requests_after_uvicorns_keepalive_close(short_keepalive):
    """The plain case: one request, a pause of 1.1 to 1.5 s (uvicorn has closed the idle upstream
    connection by then), another on a new client connection: always 200, on a fresh upstream
    connection."""
    paddock = short_keepalive
    for delay in (1.1, 1.3, 1.5):
        first = peer_port(paddock)
        time.sleep(delay)
        second = peer_port(paddock)
        assert second != first, f"after {delay} s paddock reused a connection uvicorn had closed"


def test_requests_in_quick_succession_reuse_the_upstream_connection(short_keepalive):
    """The point of keep-alive to async servers: well inside the idle time, one upstream connection."""
    ports = [peer_port(short_keepalive) for _ in range(3)]
    assert len(set(ports)) == 1, f"uvicorn saw several upstream connections: {ports}"


class FlakyKeepAliveServer(ScriptedServer):
    """A raw HTTP/1.1 server on loopback that answers the first request on each connection with
    keep-alive, and closes the connection (after reading it, without answering) on any later
    request: what a server's idle close looks like when it crosses a reused connection's request.
    The body of each answer is "c<connection>r<request>"."""

    def __init__(self):
        listener = socket.create_server(("127.0.0.1", free_port()))
        self.port = listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.dropped = 0
        super().__init__(listener)

    def handle(self, sock: socket.socket, number: int) -> None:
        sock.settimeout(10)
        with sock:
            buf, served = b"", 0
            while not self.stopping:
                try:
                    while b"\r\n\r\n" not in buf:
                        chunk = sock.recv(65536)
                        if not chunk:
                            return
                        buf += chunk
                except OSError:
                    return
                head, _, buf = buf.partition(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                               if line.lower().startswith(b"content-length:")), 0)
                try:
                    while len(buf) < length:
                        buf += sock.recv(65536)
                except OSError:
                    return
                buf = buf[length:]
                served += 1
                if served > 1:
                    self.dropped += 1
                    return  # closes: a FIN, as from an idle timeout that fired just now
                body = f"c{number}r{served}".encode()
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@pytest.fixture
def flaky_proxy(work_dir):
    server = FlakyKeepAliveServer()
    p = Paddock("paddock-flaky", work_dir, pools={"api": async_pool(addresses=[server.address])},
                routes=[{"pool": "api"}])
    yield p, server
    p.stop()
    server.stop()


def test_reused_connection_closed_by_the_server_is_retried_once_fresh(flaky_proxy):
    paddock, server = flaky_proxy
    with paddock.connect() as conn:
        # (This one may itself reuse the connection of paddock's start-up smoke check, and be retried.)
        first = conn.request("GET", "/a")
        assert first.status == 200 and first.body.endswith(b"r1"), first
        n = int(first.body[1:-2])
        dropped = server.dropped
        # Reuses connection n (parked for 2 s), which the server closes: retried on a fresh one.
        second = conn.request("GET", "/b")
        assert (second.status, second.body) == (200, f"c{n + 1}r1".encode()), second
    assert server.dropped == dropped + 1


def test_request_with_a_body_is_not_retried(flaky_proxy):
    """Documented: only requests without a body are retried (an async pool streams the body, so it
    cannot be sent again); such a request gets 502."""
    paddock, server = flaky_proxy
    with paddock.connect() as conn:
        assert conn.request("GET", "/a").status == 200
        dropped = server.dropped
        resp = conn.request("POST", "/b", body=b"payload")
    assert resp.status == 502, resp
    assert server.dropped == dropped + 1


# --------------------------------------------------------------------------------------------
# Tunnels: a side that closes has its last bytes delivered first
# --------------------------------------------------------------------------------------------
# Regression tests: paddock used to close both connections at once when one side sent EOF,
# dropping what was still queued for the other (a last WebSocket frame, a close frame).
# Unix sockets make these exact: their kernel buffers are fixed (~200 KiB, no TCP autotuning), so
# 300,000 bytes that nobody reads yet leave ~90 KB queued inside paddock, under its 256 KiB
# high-water mark, when the sender's EOF arrives. Over loopback TCP the loss was random (kernel
# buffers autotune to ~4 MB; about one run in three lost the tail of a 4.1 MB burst).

TAIL_BYTES = 300_000
UPGRADE_REQUEST = (b"GET /ws HTTP/1.1\r\nHost: e2e.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")


class RawUpgradeServer(ScriptedServer):
    """Answers an upgrade request with 101 on a unix socket, then either writes `send` bytes into
    the tunnel and closes, or (send=0) waits 0.5 s and counts what arrives until EOF."""

    def __init__(self, path: str, send: int = 0):
        self.path, self.send = path, send
        self.received: int | None = None
        self.error: str | None = None  # how the tunnel ended, if not with EOF
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(16)
        self.done = threading.Event()  # a tunnel ended (at the server)
        super().__init__(listener)

    def handle(self, sock: socket.socket, number: int) -> None:
        sock.settimeout(10)
        tunnel = False
        with sock:
            try:
                buf = b""
                while b"\r\n\r\n" not in buf:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                if b"upgrade: websocket" not in buf.lower():  # paddock's smoke check, say
                    sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    return
                tunnel = True
                sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
                if self.send:
                    sock.sendall(b"z" * self.send)
                    return  # and close
                self.received = len(buf.partition(b"\r\n\r\n")[2])
                time.sleep(0.5)
                while True:
                    chunk = sock.recv(1 << 20)
                    if not chunk:
                        break
                    self.received += len(chunk)
            except OSError as exc:
                self.error = repr(exc)
            finally:
                if tunnel:
                    self.done.set()


@pytest.fixture
def upgrade_server(scratch_dir, work_dir, request):
    """(paddock, server): paddock listening on TCP and on a unix socket, its async pool the
    RawUpgradeServer (on a unix socket too) with send=request.param."""
    server = RawUpgradeServer(str(scratch_dir / "up.sock"), send=request.param)
    client_path = str(scratch_dir / "paddock.sock")
    p = Paddock("paddock-raw-tunnel", work_dir, pools={"api": async_pool(addresses=[f"unix:{server.path}"])},
                routes=[{"pool": "api"}], extra_listen=[f"unix:{client_path}"])
    yield p, server, client_path
    p.stop()
    server.stop()


@pytest.mark.parametrize("upgrade_server", [TAIL_BYTES], indirect=True)
def test_tunnel_delivers_the_servers_last_bytes_before_closing(upgrade_server):
    """The server writes 300,000 bytes into the tunnel and closes; the client, which starts reading
    only 0.5 s later, must still get all of them, then EOF."""
    _, _, client_path = upgrade_server
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(client_path)
        sock.sendall(UPGRADE_REQUEST)
        time.sleep(0.5)
        data = b""
        while True:
            try:
                chunk = sock.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, tunnel = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 "), head[:100]
    assert len(tunnel) == TAIL_BYTES, f"the client got {len(tunnel)} of the {TAIL_BYTES} tunnel bytes"


@pytest.mark.parametrize("upgrade_server", [0], indirect=True)
def test_tunnel_delivers_the_clients_last_bytes_before_closing(upgrade_server):
    """The client writes 300,000 bytes into the tunnel and closes; the server, which starts reading
    only 0.5 s after the upgrade, must still get all of them."""
    _, server, client_path = upgrade_server
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(client_path)
        sock.sendall(UPGRADE_REQUEST)
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 101 "), head[:100]
        sock.sendall(b"z" * TAIL_BYTES)
    assert server.done.wait(timeout=10), "the server never saw the tunnel end"
    assert (server.received, server.error) == (TAIL_BYTES, None), \
        f"the server got {server.received} of the {TAIL_BYTES} tunnel bytes, then {server.error or 'EOF'}"
