"""Tiny fixed-response apps used as the backend by scripts/bench.

``app``  - raw ASGI (uvicorn): any GET answers 200 with a small fixed body;
           GET /bytes?n=N answers N bytes (with Content-Length) in 256 KiB
           blocks (the large-response scenario).
``wsgi`` - the same for WSGI servers (gunicorn), plus what the slow-clients
           scenario needs: POST /upload reads the whole body and answers its
           length; GET /bytes?n=N answers N bytes (with Content-Length),
           written in 64 KiB blocks.

No framework on purpose: the benchmark measures the proxies, so the backend
should spend as little CPU per request as a Python server can. The body size
can be changed with PADDOCK_BENCH_BODY_BYTES (default: 13, "Hello, world!").
"""

import os

_size = int(os.environ.get("PADDOCK_BENCH_BODY_BYTES", "0") or 0)
BODY = (b"x" * _size) if _size > 0 else b"Hello, world!"
_HEADERS = [
    (b"content-type", b"text/plain"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope, receive, send):
    kind = scope["type"]
    if kind == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if kind != "http":
        return
    # Drain a request body if there is one (keeps keep-alive sane for POSTs).
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if scope["path"] == "/bytes":
        query = dict(p.partition("=")[::2] for p in scope["query_string"].decode().split("&"))
        n = max(0, min(int(query.get("n", "0") or 0), 1 << 34))
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/octet-stream"), (b"content-length", str(n).encode())]})
        while n > 0:
            block = _BIG_BLOCK if n >= len(_BIG_BLOCK) else _BIG_BLOCK[:n]
            n -= len(block)
            await send({"type": "http.response.body", "body": block, "more_body": n > 0})
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


_BIG_BLOCK = b"x" * (256 * 1024)


_WSGI_HEADERS = [(k.decode(), v.decode()) for k, v in _HEADERS]


_BLOCK = b"x" * 65536


def _blocks(n):
    while n > 0:
        yield _BLOCK[:n] if n < len(_BLOCK) else _BLOCK
        n -= len(_BLOCK)


def wsgi(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/upload":
        stream, total = environ["wsgi.input"], 0
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            total += len(chunk)
        body = b"%d\n" % total
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/bytes":
        query = dict(p.partition("=")[::2]
                     for p in environ.get("QUERY_STRING", "").split("&"))
        try:
            n = max(0, min(int(query.get("n", "0")), 1 << 30))
        except ValueError:
            n = 0
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(n))])
        return _blocks(n)
    start_response("200 OK", _WSGI_HEADERS)
    return [BODY]
