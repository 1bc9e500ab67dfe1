"""The reference parsers, normalized to one result shape.

A result is None when the parser rejects the input (or never completes the head), else a dict:
method, target, version ("1.0"/"1.1"), fields [(name, value)] as bytes, body (bytes decoded so
far) and complete (the first message ended). Only the first message counts: parsing stops
when it completes.
"""
from __future__ import annotations

import h11
import httptools


class _FirstMessageDone(Exception):
    pass


class _Collector:
    def __init__(self) -> None:
        self.url = b""
        self.fields: list[tuple[bytes, bytes]] = []
        self.head_done = False
        self.body = bytearray()
        self.complete = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.head_done:  # later calls are trailer fields
            self.fields.append((bytes(name), bytes(value)))

    def on_headers_complete(self) -> None:
        self.head_done = True

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True
        raise _FirstMessageDone  # stop at the first message; what follows is another request


def llhttp(data: bytes) -> dict | None:
    """llhttp, through httptools' HttpRequestParser (default, strict settings)."""
    collector = _Collector()
    parser = httptools.HttpRequestParser(collector)
    try:
        parser.feed_data(data)
    except httptools.HttpParserCallbackError:
        if not collector.complete:
            return None
    except httptools.HttpParserUpgrade:
        pass  # llhttp stops at an upgrade or CONNECT; the head is complete
    except httptools.HttpParserError:
        return None
    if not collector.head_done:
        return None
    return {
        "method": parser.get_method(),
        "target": collector.url,
        "version": parser.get_http_version(),
        "fields": collector.fields,
        "body": bytes(collector.body),
        "complete": collector.complete,
    }


def h11_parse(data: bytes) -> dict | None:
    """h11 as a server (its default limits)."""
    conn = h11.Connection(h11.SERVER)
    result: dict | None = None
    body = bytearray()
    try:
        conn.receive_data(data)  # no end of input: a cut-short body stays incomplete, as in llhttp
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Request):
                result = {
                    "method": bytes(event.method),
                    "target": bytes(event.target),
                    "version": event.http_version.decode(),
                    "fields": [(bytes(n), bytes(v)) for n, v in event.headers.raw_items()],
                    "body": b"",
                    "complete": False,
                }
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert result is not None
                result["complete"] = True
                break
            elif event is h11.NEED_DATA or event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                break
    except h11.RemoteProtocolError:
        if result is None or not result["complete"]:
            return None if result is None else {**result, "body": bytes(body), "error": True}
    if result is not None:
        result["body"] = bytes(body)
    return result
