"""Paddock demo backend: a small Starlette (ASGI) app, meant to run under uvicorn.

    uvicorn --host 127.0.0.1 --port 8002 --app-dir examples asgi_app:app

Every route is served both at /x and at /api/x, so the app works behind a Paddock route with
`path_prefix = "/api/"` (Paddock forwards the path as it is; it does not strip prefixes).

Endpoints (see examples/README.md for the full list):
    GET  /                           short text naming the app and the server
    GET  /whoami                     {"server": name, "pid": pid}
    POST /upload (also PUT)          {"bytes": n, "sha256": hex} of the body, streamed
    GET  /sleep?ms=N                 sleeps N ms, then "slept N"
    GET  /bytes?n=N[&chunked=1]      exactly N bytes of a repeating "0123456789abcdef" pattern
    GET  /headers                    the request headers as the app saw them (lowercased), plus
                                     "_remote_addr"
    GET  /sse?events=N&interval_ms=M text/event-stream: "data: <i>\\n\\n" for i in 0..N-1
    WS   /ws                         WebSocket echo (text as text, binary as binary)
    GET  /peer                       {"addr": ip, "port": port} of the connection the request
                                     came on (run uvicorn with --no-proxy-headers, or it reports
                                     X-Forwarded-For from 127.0.0.1 with port 0)

The name is taken from $PADDOCK_DEMO_NAME (default "starlette").
"""

from __future__ import annotations

import asyncio
import hashlib
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

NAME = os.environ.get("PADDOCK_DEMO_NAME", "starlette")

PATTERN = b"0123456789abcdef"
BLOCK = PATTERN * 4096  # 64 KiB; a multiple of len(PATTERN), so every block starts aligned

MAX_BYTES = 1 << 30  # /bytes refuses more than 1 GiB
MAX_SLEEP_MS = 600_000  # /sleep refuses more than 10 minutes
MAX_EVENTS = 100_000


class BadParam(ValueError):
    pass


def int_param(request: Request, name: str, default: int | None, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        if default is None:
            raise BadParam(f"missing query parameter {name!r}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParam(f"{name} must be an integer, got {raw!r}") from None
    if value < 0 or value > maximum:
        raise BadParam(f"{name} must be between 0 and {maximum}")
    return value


def bad_request(exc: Exception) -> PlainTextResponse:
    return PlainTextResponse(f"{exc}\n", status_code=400)


async def pattern_blocks(n: int):
    """Yield exactly n bytes of the repeating pattern, in blocks of at most 64 KiB."""
    while n > 0:
        take = min(n, len(BLOCK))
        yield BLOCK[:take]
        n -= take


async def index(request: Request):
    return PlainTextResponse(f"hello from {NAME} (Starlette on uvicorn, pid {os.getpid()})\n")


async def whoami(request: Request):
    return JSONResponse({"server": NAME, "pid": os.getpid()})


async def upload(request: Request):
    # request.stream() yields the body as it arrives; uvicorn de-chunks chunked bodies.
    digest = hashlib.sha256()
    total = 0
    async for chunk in request.stream():
        digest.update(chunk)
        total += len(chunk)
    return JSONResponse({"bytes": total, "sha256": digest.hexdigest()})


async def sleep(request: Request):
    try:
        ms = int_param(request, "ms", 0, MAX_SLEEP_MS)
    except BadParam as exc:
        return bad_request(exc)
    await asyncio.sleep(ms / 1000)
    return PlainTextResponse(f"slept {ms}\n")


async def some_bytes(request: Request):
    try:
        n = int_param(request, "n", None, MAX_BYTES)
    except BadParam as exc:
        return bad_request(exc)
    chunked = request.query_params.get("chunked", "0") not in ("", "0", "false", "no")
    # With an explicit Content-Length uvicorn streams the body as is; without one (chunked=1)
    # it uses Transfer-Encoding: chunked.
    headers = {} if chunked else {"content-length": str(n)}
    return StreamingResponse(pattern_blocks(n), media_type="application/octet-stream", headers=headers)


async def headers(request: Request):
    seen: dict[str, str] = {}
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        # Repeated fields are joined with "," as a WSGI server does.
        seen[name] = f"{seen[name]},{value}" if name in seen else value
    client = request.client
    seen["_remote_addr"] = client.host if client else ""
    return JSONResponse(seen)


async def sse(request: Request):
    try:
        events = int_param(request, "events", 5, MAX_EVENTS)
        interval_ms = int_param(request, "interval_ms", 1000, MAX_SLEEP_MS)
    except BadParam as exc:
        return bad_request(exc)

    async def stream():
        for i in range(events):
            if i:
                await asyncio.sleep(interval_ms / 1000)
            yield f"data: {i}\n\n".encode()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


async def peer(request: Request):
    client = request.client
    return JSONResponse({"addr": client.host if client else "", "port": client.port if client else None})


async def ws_echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            elif message.get("bytes") is not None:
                await websocket.send_bytes(message["bytes"])
    except WebSocketDisconnect:
        return


ROUTES = [
    Route("/", index, methods=["GET"]),
    Route("/whoami", whoami, methods=["GET"]),
    Route("/upload", upload, methods=["POST", "PUT"]),
    Route("/sleep", sleep, methods=["GET"]),
    Route("/bytes", some_bytes, methods=["GET"]),
    Route("/headers", headers, methods=["GET"]),
    Route("/sse", sse, methods=["GET"]),
    Route("/peer", peer, methods=["GET"]),
    WebSocketRoute("/ws", ws_echo),
]

# /x and /api/x: the demo config routes path_prefix "/api/" to this app unchanged.
app = Starlette(routes=ROUTES + [Mount("/api", routes=ROUTES)])
