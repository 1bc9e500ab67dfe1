"""Paddock demo backend: a small Flask (WSGI) app, meant to run under gunicorn.

    gunicorn -w 4 --worker-class sync -b 127.0.0.1:8001 --chdir examples wsgi_app:app

Endpoints (see examples/README.md for the full list):
    GET  /                      short text naming the app and the server
    GET  /whoami                {"server": name, "pid": pid}
    POST /upload (also PUT)     {"bytes": n, "sha256": hex} of the body, read in a streaming way
    GET  /sleep?ms=N            sleeps N ms, then "slept N"
    GET  /bytes?n=N[&chunked=1] exactly N bytes of a repeating "0123456789abcdef" pattern
    GET  /headers               the request headers as the app saw them (lowercased), plus
                                "_remote_addr"
    GET  /busy?ms=N             sleeps N ms, then {"server": name, "pid": pid, "ms": N}
    GET  /stream?events=N&interval_ms=M[&pad=P][&buffering=yes]
                                text/event-stream, "data: <i>\n\n" for i in 0..N-1, one per
                                interval (pad=P: "data: <i> " and P "x"s), with
                                "X-Accel-Buffering: no" (unless buffering=yes)
    GET|POST|PUT /inspect       {"method", "headers", "bytes", "sha256"}: headers as /headers,
                                and the body as /upload sees it
    GET  /peer                  {"addr": ip, "port": port} of the connection the request came on

The name is taken from $PADDOCK_DEMO_NAME (default "flask").
"""

from __future__ import annotations

import hashlib
import os
import time

from flask import Flask, Response, jsonify, request

NAME = os.environ.get("PADDOCK_DEMO_NAME", "flask")

PATTERN = b"0123456789abcdef"
BLOCK = PATTERN * 4096  # 64 KiB; a multiple of len(PATTERN), so every block starts aligned
READ_SIZE = 64 * 1024

MAX_BYTES = 1 << 30  # /bytes refuses more than 1 GiB
MAX_SLEEP_MS = 600_000  # /sleep refuses more than 10 minutes
MAX_EVENTS = 100_000
MAX_PAD = 1 << 20  # /stream's pad: at most 1 MiB per event

app = Flask(__name__)


def pattern_blocks(n: int):
    """Yield exactly n bytes of the repeating pattern, in blocks of at most 64 KiB."""
    while n > 0:
        take = min(n, len(BLOCK))
        yield BLOCK[:take]
        n -= take


def int_arg(name: str, default: int | None, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise ValueError(f"missing query parameter {name!r}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < 0 or value > maximum:
        raise ValueError(f"{name} must be between 0 and {maximum}")
    return value


def bad_request(message: str) -> Response:
    return Response(message + "\n", status=400, mimetype="text/plain")


def request_body_chunks():
    """Yield the request body in pieces, without reading it all into memory.

    gunicorn's wsgi.input de-chunks a `Transfer-Encoding: chunked` body and stops at the end
    of it; with Content-Length it stops after that many bytes. gunicorn sets
    wsgi.input_terminated, so reading until b"" is safe either way.
    """
    stream = request.environ["wsgi.input"]
    while True:
        chunk = stream.read(READ_SIZE)
        if not chunk:
            return
        yield chunk


@app.get("/")
def index():
    return Response(f"hello from {NAME} (Flask on gunicorn, pid {os.getpid()})\n", mimetype="text/plain")


@app.get("/whoami")
def whoami():
    return jsonify(server=NAME, pid=os.getpid())


@app.route("/upload", methods=["POST", "PUT"])
def upload():
    digest = hashlib.sha256()
    total = 0
    for chunk in request_body_chunks():
        digest.update(chunk)
        total += len(chunk)
    return jsonify(bytes=total, sha256=digest.hexdigest())


@app.get("/sleep")
def sleep():
    try:
        ms = int_arg("ms", 0, MAX_SLEEP_MS)
    except ValueError as exc:
        return bad_request(str(exc))
    time.sleep(ms / 1000)
    return Response(f"slept {ms}\n", mimetype="text/plain")


@app.get("/bytes")
def some_bytes():
    try:
        n = int_arg("n", None, MAX_BYTES)
    except ValueError as exc:
        return bad_request(str(exc))
    chunked = request.args.get("chunked", "0") not in ("", "0", "false", "no")
    resp = Response(pattern_blocks(n), mimetype="application/octet-stream")
    if not chunked:
        # A generator body plus an explicit length: gunicorn sends Content-Length and streams.
        # Without it (chunked=1) gunicorn uses Transfer-Encoding: chunked on HTTP/1.1.
        resp.headers["Content-Length"] = str(n)
    return resp


@app.get("/headers")
def headers():
    env = request.environ
    seen: dict[str, str] = {}
    for key, value in env.items():
        if key.startswith("HTTP_"):
            seen[key[5:].replace("_", "-").lower()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if env.get(key):
            seen[key.replace("_", "-").lower()] = env[key]
    seen["_remote_addr"] = env.get("REMOTE_ADDR") or ""
    return jsonify(seen)


@app.get("/busy")
def busy():
    """Like /sleep, but says which server and worker process served it."""
    try:
        ms = int_arg("ms", 0, MAX_SLEEP_MS)
    except ValueError as exc:
        return bad_request(str(exc))
    time.sleep(ms / 1000)
    return jsonify(server=NAME, pid=os.getpid(), ms=ms)


@app.get("/stream")
def stream():
    """An event stream from a sync app. `X-Accel-Buffering: no` asks the proxy in front (nginx,
    Paddock) not to buffer it; with buffering=yes the header is left out."""
    try:
        events = int_arg("events", 5, MAX_EVENTS)
        interval_ms = int_arg("interval_ms", 1000, MAX_SLEEP_MS)
        pad = int_arg("pad", 0, MAX_PAD)
    except ValueError as exc:
        return bad_request(str(exc))
    buffering = request.args.get("buffering", "no") in ("1", "yes", "true")
    padding = b" " + b"x" * pad if pad else b""

    def generate():
        for i in range(events):
            if i:
                time.sleep(interval_ms / 1000)
            yield f"data: {i}".encode() + padding + b"\n\n"

    resp = Response(generate(), mimetype="text/event-stream")
    resp.headers["Cache-Control"] = "no-cache"
    if not buffering:
        resp.headers["X-Accel-Buffering"] = "no"
    return resp


@app.route("/inspect", methods=["GET", "POST", "PUT"])
def inspect():
    """The request headers (as /headers) and the body's length and sha256 (as /upload)."""
    env = request.environ
    seen = {key[5:].replace("_", "-").lower(): value for key, value in env.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if env.get(key):
            seen[key.replace("_", "-").lower()] = env[key]
    digest = hashlib.sha256()
    total = 0
    for chunk in request_body_chunks():
        digest.update(chunk)
        total += len(chunk)
    return jsonify(method=request.method, headers=seen, bytes=total, sha256=digest.hexdigest())


@app.get("/peer")
def peer():
    """The client end of the TCP connection this request arrived on (a proxy's upstream socket)."""
    env = request.environ
    port = env.get("REMOTE_PORT")
    return jsonify(addr=env.get("REMOTE_ADDR") or "", port=int(port) if port else None)
