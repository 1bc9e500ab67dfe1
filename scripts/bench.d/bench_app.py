"""Tiny fixed-response apps used as the backend by scripts/bench.

``app``  - raw ASGI (uvicorn): any GET answers 200 with a small fixed body.
``wsgi`` - the same for WSGI servers (gunicorn).

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
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


_WSGI_HEADERS = [(k.decode(), v.decode()) for k, v in _HEADERS]


def wsgi(environ, start_response):
    start_response("200 OK", _WSGI_HEADERS)
    return [BODY]
