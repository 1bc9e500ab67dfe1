"""Sync pools buffer both ways, so slow clients never hold a gunicorn worker: slow uploads are read
whole before a worker is taken, slow readers are fed from paddock's buffer (memory, then an unlinked
temp file) after the worker is done. `X-Accel-Buffering: no` opts a response out; sync servers get
a fresh connection with `Connection: close` per request, async servers do not.

The main proxy's "web" pool is a 2-worker gunicorn (conftest.py). Timing bounds are generous (2
shared cores, a fuzzer beside us) and explained where asserted.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import socket
import threading
import time

import pytest

from harness import (
    ConnectionClosed, HealthSampler, Paddock, RawConn, RssSampler, async_pool, chunked_body, first_difference,
    health, open_files_under, pattern_bytes, pool_health, sha256, short_tempdir, sync_pool, wait_for,
)

KiB = 1024
MiB = 1024 * KiB

# A fast request must answer within this while slow clients are busy. A GET through paddock to an
# idle Flask worker takes a few ms; 0.5 s allows for a loaded machine, and is far below what a
# held worker costs here (seconds: the slow clients below take 1.5 s and more each).
FAST_BOUND = 0.5


def fast_get(addr, target: str = "/whoami") -> float:
    """One GET on a fresh connection; returns its latency (and fails on a non-200)."""
    started = time.monotonic()
    with RawConn(addr, timeout=10) as conn:
        resp = conn.request("GET", target, headers=[("Connection", "close")])
    elapsed = time.monotonic() - started
    assert resp.status == 200, (resp.status, resp.body[:200])
    return elapsed


# --------------------------------------------------------------------------------------------
# Slow uploads
# --------------------------------------------------------------------------------------------

UPLOADERS = 8
UPLOAD_BYTES = 64 * KiB
PIECE = 4 * KiB  # 16 pieces, one per 100 ms: each upload takes 1.5 s


def test_slow_uploads_do_not_hold_workers(proxy):
    """Eight clients trickle 64 KiB bodies over 1.5 s into a 2-worker gunicorn. Meanwhile fast GETs
    answer at once, and paddock never has more than the one fast GET in flight: the uploads wait
    in paddock, not in a worker. Then each upload completes, byte-exact."""
    bodies = [os.urandom(UPLOAD_BYTES) for _ in range(UPLOADERS)]
    last_piece = threading.Event()
    results: list = [None] * UPLOADERS
    trickle_done = [0.0] * UPLOADERS

    def upload(i: int) -> None:
        body = bodies[i]
        try:
            with RawConn(proxy.addr, timeout=15) as conn:
                conn.send(f"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: {len(body)}\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n".encode())
                started = time.monotonic()
                for pos in range(0, len(body) - PIECE, PIECE):
                    conn.send(body[pos : pos + PIECE])
                    time.sleep(0.1)
                trickle_done[i] = time.monotonic() - started
                last_piece.wait(timeout=10)
                conn.send(body[-PIECE:])
                results[i] = conn.read_response()
        except (OSError, ConnectionClosed, ValueError) as exc:
            results[i] = repr(exc)

    threads = [threading.Thread(target=upload, args=(i,), daemon=True) for i in range(UPLOADERS)]
    for t in threads:
        t.start()
    latencies = []
    with HealthSampler(proxy, "web", interval=0.02) as sampler:
        time.sleep(0.2)  # every uploader has sent its head and first pieces
        deadline = time.monotonic() + 1.2  # stay inside the 1.5 s trickle
        while time.monotonic() < deadline:
            latencies.append(fast_get(proxy.addr))
            time.sleep(0.02)
    last_piece.set()
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "an upload never finished"

    for i, resp in enumerate(results):
        assert not isinstance(resp, str), f"upload {i}: {resp}"
        assert resp.status == 200, (i, resp.status, resp.body[:200])
        assert resp.json() == {"bytes": UPLOAD_BYTES, "sha256": sha256(bodies[i])}, i
    # The uploads really were slow while we measured.
    assert min(trickle_done) >= 1.4, trickle_done
    print(f"fast GETs during slow uploads: n={len(latencies)}, max {max(latencies) * 1000:.0f} ms")
    assert len(latencies) >= 10, latencies
    assert max(latencies) < FAST_BOUND, f"fast GET latencies (s): {sorted(latencies)[-5:]}"
    assert not sampler.errors, sampler.errors[:3]
    worst = max(server["in_flight"] for sample in sampler.samples for server in sample["servers"])
    assert worst <= 1, f"{worst} requests in flight: an unfinished upload took a worker"


@pytest.fixture
def buffered_async(work_dir, api_backend):
    """An async pool with buffer_requests = true: uvicorn shielded from slow uploads."""
    p = Paddock("paddock-async-buffered", work_dir, pools={"api": async_pool(api_backend, buffer_requests=True)},
                routes=[{"pool": "api"}])
    yield p
    p.stop()


def test_async_pool_with_buffer_requests_dispatches_only_complete_bodies(buffered_async):
    """The override works: a trickled upload reaches uvicorn only once complete (nothing in flight
    while it trickles), then byte-exact."""
    paddock = buffered_async
    body = os.urandom(UPLOAD_BYTES)
    with paddock.connect(timeout=15) as conn:
        conn.send(f"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        in_flight = []
        for pos in range(0, len(body) - PIECE * 4, PIECE * 4):  # all but the last 16 KiB
            conn.send(body[pos : pos + PIECE * 4])
            time.sleep(0.05)
            in_flight.append(pool_health(health(paddock), "api")["servers"][0]["in_flight"])
        conn.send(body[len(in_flight) * PIECE * 4 :])
        resp = conn.read_response()
    assert in_flight == [0] * len(in_flight), f"in flight while the body was still arriving: {in_flight}"
    assert resp.status == 200 and resp.json() == {"bytes": len(body), "sha256": sha256(body)}, resp.body[:200]


def test_chunked_upload_reaches_gunicorn_with_content_length(proxy):
    """A chunked upload, larger than buffer_memory (1 MiB, so part of it goes to a temp file), in
    irregular chunks: gunicorn sees one Content-Length and no Transfer-Encoding, and every byte."""
    data = os.urandom(3 * MiB + 12345)
    rng = random.Random(7)
    pieces, pos = [], 0
    while pos < len(data):
        size = rng.choice([1, 100, 4096, 65536, 300_000])
        pieces.append(data[pos : pos + size])
        pos += size
    with proxy.connect(timeout=30) as conn:
        conn.send(b"POST /inspect HTTP/1.1\r\nHost: e2e.test\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/octet-stream\r\n\r\n" + chunked_body(pieces))
        resp = conn.read_response()
    assert resp.status == 200, resp.body[:300]
    seen = resp.json()
    assert (seen["bytes"], seen["sha256"]) == (len(data), sha256(data))
    assert seen["headers"].get("content-length") == str(len(data)), seen["headers"]
    assert "transfer-encoding" not in seen["headers"], seen["headers"]


# --------------------------------------------------------------------------------------------
# Slow readers, and where their responses wait
# --------------------------------------------------------------------------------------------

READERS = 6
DOWNLOAD_BYTES = 32 * MiB
# Paddock keeps this much of each buffered body in memory, the rest in an (unlinked) temp file.
SMALL_BUFFER_MEMORY = 64 * KiB
# Paddock's RSS while six 32 MiB responses wait for their readers. They are in temp files (page
# cache, not RSS), so RSS is the binary plus small per-connection buffers (a few MiB); 64 MiB
# is far below the 192 MiB that keeping them in memory would take.
SPILLED_RSS_BOUND = 64 * MiB
SPILL_MAX_BODY = 4 * MiB  # max_body_bytes of the spilling proxy


@pytest.fixture
def spilling_proxy(work_dir, web_backend):
    """A paddock in front of the 2-worker gunicorn that spills buffered bodies beyond 64 KiB to a
    temp directory of its own."""
    temp = short_tempdir("paddock-spill-")
    p = Paddock("paddock-spill", work_dir, pools={"web": sync_pool(web_backend, workers=2)},
                routes=[{"pool": "web"}],
                proxy_extra={"buffer_memory": SMALL_BUFFER_MEMORY, "temp_dir": str(temp)},
                tables={"limits": {"max_body_bytes": SPILL_MAX_BODY}})
    yield p, temp
    p.stop()
    leftovers = os.listdir(temp)
    shutil.rmtree(temp, ignore_errors=True)
    assert not leftovers, f"temp files left behind in {temp}: {leftovers}"


class SlowReader(threading.Thread):
    """GET /bytes?n=DOWNLOAD_BYTES with a small receive buffer, read 16 KiB per 50 ms (320 KiB/s)
    until `drain` is set, then read the rest at full speed."""

    def __init__(self, addr, drain: threading.Event):
        super().__init__(daemon=True)
        self.addr, self.drain = addr, drain
        self.read_slowly = 0  # body bytes read before drain was set
        self.body_bytes = 0
        self.digest = hashlib.sha256()
        self.head = b""
        self.error: str | None = None

    def run(self) -> None:
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            # A small receive buffer (set before connect, so no window scaling past it): the kernel
            # cannot soak up the response for us; what we do not read waits in paddock.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * KiB)
            sock.settimeout(20)
            with sock:
                sock.connect(self.addr)
                sock.sendall(f"GET /bytes?n={DOWNLOAD_BYTES} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
                buf = b""
                while b"\r\n\r\n" not in buf:
                    chunk = sock.recv(16 * KiB)
                    if not chunk:
                        raise ConnectionClosed("closed before the response head")
                    buf += chunk
                self.head, _, rest = buf.partition(b"\r\n\r\n")
                if rest:
                    self._take(rest)
                while not self.drain.is_set():
                    self._take(sock.recv(16 * KiB))
                    self.read_slowly = self.body_bytes
                    time.sleep(0.05)
                while self.body_bytes < DOWNLOAD_BYTES:
                    chunk = sock.recv(1 * MiB)
                    if not chunk:
                        raise ConnectionClosed(f"closed after {self.body_bytes} body bytes")
                    self._take(chunk)
        except (OSError, ConnectionClosed) as exc:
            self.error = repr(exc)

    def _take(self, data: bytes) -> None:
        if not data:
            raise ConnectionClosed(f"closed after {self.body_bytes} body bytes")
        self.body_bytes += len(data)
        self.digest.update(data)


def test_slow_readers_do_not_hold_workers_and_spill_to_unlinked_files(spilling_proxy):
    """Six clients read 32 MiB responses from a 2-worker gunicorn at 320 KiB/s. Paddock takes each
    response at gunicorn's speed and frees the worker, so fast GETs answer at once while the readers
    have barely started; the rest waits in temp files that were unlinked at creation (the temp
    directory stays empty throughout). Finally every reader gets every byte."""
    paddock, temp = spilling_proxy
    pid = paddock.proc.pid
    drain = threading.Event()
    readers = [SlowReader(paddock.addr, drain) for _ in range(READERS)]
    try:
        with RssSampler(pid) as rss:
            for r in readers:
                r.start()

            def all_taken():
                pool = pool_health(health(paddock), "web")
                return pool["queued"] == 0 and all(s["in_flight"] == 0 for s in pool["servers"]) \
                    and all(r.head for r in readers)

            # gunicorn writes 6 x 32 MiB through two workers in a second or two; 15 s is only a
            # safety net: what matters is that it happens while the readers are still slow.
            started = time.monotonic()
            wait_for(all_taken, timeout=15, interval=0.05, what="every response read from gunicorn")
            taken_after = time.monotonic() - started
            progress = [r.read_slowly for r in readers]
            # At 320 KiB/s nobody can have more than a few MiB yet: paddock holds the rest.
            assert max(progress) < 8 * MiB, f"readers were not slow: {progress}"

            # Where the waiting bytes are: open, unlinked files in temp_dir, nothing visible in it.
            spilled = open_files_under(pid, temp)
            listing = os.listdir(temp)
            # Fast GETs while the readers go on slowly, until 2 s after they started.
            latencies = [fast_get(paddock.addr)]
            while time.monotonic() - started < 2.0:
                time.sleep(0.05)
                latencies.append(fast_get(paddock.addr))
            drain.set()
            for r in readers:
                r.join(timeout=60)
    finally:
        drain.set()
    print(f"responses taken from gunicorn after {taken_after:.2f} s; slow progress then "
          f"{[p // KiB for p in progress]} KiB; fast GET max {max(latencies) * 1000:.0f} ms; "
          f"{len(spilled)} spill files; peak RSS {rss.peak / MiB:.1f} MiB")

    assert len(spilled) >= READERS, f"expected a spill file per reader, found {spilled}"
    assert all(path.endswith(" (deleted)") for path in spilled), spilled
    assert listing == [], f"temp_dir should stay empty (files are unlinked at creation): {listing}"
    assert max(latencies) < FAST_BOUND, f"fast GET latencies (s): {latencies}"
    assert rss.peak < SPILLED_RSS_BOUND, f"paddock RSS peaked at {rss.peak / MiB:.1f} MiB"

    expected = hashlib.sha256(pattern_bytes(DOWNLOAD_BYTES)).hexdigest()
    for i, r in enumerate(readers):
        assert not r.is_alive(), f"reader {i} still reading"
        assert r.error is None, f"reader {i}: {r.error}"
        assert r.head.startswith(b"HTTP/1.1 200 "), r.head
        assert r.body_bytes == DOWNLOAD_BYTES, (i, r.body_bytes)
        assert r.digest.hexdigest() == expected, f"reader {i}: wrong bytes"
    # Every spill file is closed once its response is delivered.
    wait_for(lambda: open_files_under(pid, temp) == [], timeout=2, what="spill files closed")
    assert os.listdir(temp) == []


def test_abandoned_downloads_close_their_spill_files(spilling_proxy):
    """Clients that hang up halfway through a buffered download: their temp files are closed."""
    paddock, temp = spilling_proxy
    pid = paddock.proc.pid
    conns = []
    try:
        for _ in range(3):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * KiB)
            sock.settimeout(10)
            sock.connect(paddock.addr)
            sock.sendall(f"GET /bytes?n={DOWNLOAD_BYTES} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
            sock.recv(64 * KiB)
            conns.append(sock)
        wait_for(lambda: len(open_files_under(pid, temp)) == 3, timeout=10, what="three spill files")
    finally:
        for sock in conns:
            sock.close()
    wait_for(lambda: open_files_under(pid, temp) == [], timeout=2, what="spill files closed")
    assert os.listdir(temp) == []


def test_slow_upload_spills_to_an_unlinked_file(spilling_proxy):
    """A 1 MiB upload (over buffer_memory = 64 KiB) sent in two halves: between them paddock holds
    the first half in an unlinked temp file; then gunicorn gets all of it, and the file is closed."""
    paddock, temp = spilling_proxy
    pid = paddock.proc.pid
    data = os.urandom(1 * MiB)
    with paddock.connect(timeout=15) as conn:
        conn.send(f"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: {len(data)}\r\n\r\n".encode())
        conn.send(data[: len(data) // 2])
        spilled = wait_for(lambda: open_files_under(pid, temp), timeout=5, what="a spill file")
        assert len(spilled) == 1 and spilled[0].endswith(" (deleted)"), spilled
        assert os.listdir(temp) == []
        conn.send(data[len(data) // 2 :])
        resp = conn.read_response()
    assert resp.status == 200 and resp.json() == {"bytes": len(data), "sha256": sha256(data)}, resp.body[:200]
    wait_for(lambda: open_files_under(pid, temp) == [], timeout=2, what="spill file closed")


def test_abandoned_upload_drops_its_spill(spilling_proxy):
    """A client that hangs up halfway through a buffered upload: the temp file is closed, and
    nothing is left in flight."""
    paddock, temp = spilling_proxy
    pid = paddock.proc.pid
    with paddock.connect(timeout=15) as conn:
        conn.send(f"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: {1 * MiB}\r\n\r\n".encode())
        conn.send(os.urandom(512 * KiB))
        wait_for(lambda: open_files_under(pid, temp), timeout=5, what="a spill file")
    wait_for(lambda: open_files_under(pid, temp) == [], timeout=2, what="spill file closed")
    assert os.listdir(temp) == []
    assert pool_health(health(paddock), "web")["servers"][0]["in_flight"] == 0


def test_oversized_chunked_upload_gets_413_and_drops_its_spill(spilling_proxy):
    """A chunked upload (no length known up front) passing max_body_bytes (4 MiB here) while it
    is being buffered: 413, the connection closes, and the partial temp file is gone."""
    paddock, temp = spilling_proxy
    pid = paddock.proc.pid
    piece = os.urandom(256 * KiB)
    with paddock.connect(timeout=15) as conn:
        conn.send(b"POST /upload HTTP/1.1\r\nHost: e2e.test\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(SPILL_MAX_BODY // len(piece) + 4):
                conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # paddock answered and stopped reading; the answer is still there to read
        resp = conn.read_response()
        assert resp.status == 413, (resp.status, resp.body[:200])
        assert conn.wait_closed(timeout=5)
    wait_for(lambda: open_files_under(pid, temp) == [], timeout=2, what="spill file closed")
    assert os.listdir(temp) == []


# --------------------------------------------------------------------------------------------
# X-Accel-Buffering: no
# --------------------------------------------------------------------------------------------

def read_events(conn: RawConn, count: int, started: float) -> list[float]:
    """Reads a chunked event stream; returns when each "data: i" arrived (seconds since started)."""
    head = conn.read_head()
    assert head.status == 200, head
    assert head.header("content-type", "").startswith("text/event-stream"), head.headers
    arrivals = []
    while len(arrivals) < count:
        if f"data: {len(arrivals)}\n\n".encode() in conn.buf:
            arrivals.append(time.monotonic() - started)
            continue
        conn._fill()
    return arrivals


def test_x_accel_buffering_no_streams_through_a_sync_pool(proxy):
    """A Flask event stream with `X-Accel-Buffering: no`: four events 400 ms apart arrive one by one."""
    with proxy.connect() as conn:
        started = time.monotonic()
        conn.send(b"GET /stream?events=4&interval_ms=400 HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
        arrivals = read_events(conn, 4, started)
    # The stream lasts 1.2 s. Streamed, event 0 comes at once (0.6 s is generous) and event 3 about
    # 1.2 s after it; held back until complete, all four would arrive together after 1.2 s. (Paddock's
    # buffering passes bytes on while the client keeps up, so this alone does not show that the
    # header is honoured: the backpressure test below does.)
    assert arrivals[0] < 0.6, f"first event after {arrivals[0]:.2f} s: the response was buffered"
    assert arrivals[3] - arrivals[0] > 0.8, f"events arrived together: {arrivals}"


STREAM_EVENTS, STREAM_PAD = 256, 64 * KiB  # a 16 MiB stream: more than kernel buffers hold


def dechunk(data: bytes) -> bytes:
    """The payload of a complete chunked body (no trailers expected)."""
    out, pos = bytearray(), 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        pos = end + 2
        if size == 0:
            assert data[pos:] == b"\r\n", data[pos : pos + 100]
            return bytes(out)
        out += data[pos : pos + size]
        assert data[pos + size : pos + size + 2] == b"\r\n", "chunk not followed by CRLF"
        pos += size + 2


@pytest.mark.parametrize("header", [True, False], ids=["x-accel-buffering-no", "buffered"])
def test_x_accel_buffering_no_means_backpressure_instead_of_buffering(proxy, header):
    """With the header the response is streamed, so a client that does not read holds the worker
    (as through nginx with the same header); without it paddock takes the whole 16 MiB from the
    worker, which is free at once, and the client still gets every byte afterwards."""
    target = f"/stream?events={STREAM_EVENTS}&interval_ms=0&pad={STREAM_PAD}" + ("" if header else "&buffering=yes")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * KiB)
    sock.settimeout(20)
    with sock:
        sock.connect(proxy.addr)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: e2e.test\r\nConnection: close\r\n\r\n".encode())
        # Not reading. Buffered: gunicorn writes 16 MiB into paddock in well under a second.
        # Streamed: the worker stalls once kernel buffers (a few MiB) and paddock's 256 KiB
        # high-water mark are full. 1.5 s is ample for the former; the latter never finishes.
        time.sleep(1.5)
        busy = pool_health(health(proxy), "web")["servers"][0]["in_flight"]
        received = bytearray()
        while True:
            chunk = sock.recv(1 * MiB)
            if not chunk:
                break
            received += chunk
    if header:
        assert busy == 1, "the streamed response did not hold its worker: was it buffered?"
    else:
        assert busy == 0, "the worker was still busy: the response was not buffered"
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head[:200]
    assert (b"\r\nx-accel-buffering: no" in head.lower()) == header, head
    assert b"\r\ntransfer-encoding: chunked" in head.lower(), head
    expected = b"".join(f"data: {i} ".encode() + b"x" * STREAM_PAD + b"\n\n" for i in range(STREAM_EVENTS))
    events = dechunk(body)
    assert events == expected, first_difference(events, expected)


# --------------------------------------------------------------------------------------------
# Connection: close to sync servers, keep-alive to async ones
# --------------------------------------------------------------------------------------------

def test_sync_pool_sends_connection_close_and_connects_per_request(proxy):
    with proxy.connect() as conn:
        headers = conn.request("GET", "/headers").json()
        assert headers.get("connection") == "close", headers
        # Two requests on one client connection: two upstream connections.
        ports = [conn.request("GET", "/peer").json()["port"] for _ in range(2)]
    assert ports[0] != ports[1], f"gunicorn saw one upstream connection for two requests: {ports}"


def test_async_pool_does_not_send_connection_close(proxy):
    """(That it reuses upstream connections is checked in test_streaming.py, with a uvicorn whose
    /peer sees paddock's socket rather than X-Forwarded-For.)"""
    with proxy.connect() as conn:
        headers = conn.request("GET", "/api/headers").json()
    assert "close" not in headers.get("connection", "").lower(), headers
