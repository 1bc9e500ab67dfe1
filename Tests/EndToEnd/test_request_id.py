"""X-Request-ID: a sane one from the client is passed through, anything else is replaced by a
generated one; the backend sees the same id the client gets back, on proxied responses and on
the proxy's own error answers."""

from __future__ import annotations

import re

import pytest

from harness import Paddock, async_pool

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def ask(proxy, prefix: str, headers: list[tuple[str, str]]):
    with proxy.connect() as conn:
        resp = conn.request("GET", f"{prefix}/headers", headers=headers)
    assert resp.status == 200, resp.body[:300]
    return resp.header_all("X-Request-ID"), resp.json().get("x-request-id")


def test_a_sane_client_id_is_passed_through_and_echoed(proxy, pool):
    _, prefix, _, _ = pool
    echoed, seen = ask(proxy, prefix, [("X-Request-ID", "req-42.a:b")])
    assert echoed == ["req-42.a:b"] and seen == "req-42.a:b"


@pytest.mark.parametrize("sent", [None, "has space", "x" * 200, "two"], ids=["none", "space", "too-long", "two"])
def test_otherwise_an_id_is_generated_and_both_sides_see_the_same(proxy, pool, sent):
    _, prefix, _, _ = pool
    headers = [] if sent is None else [("X-Request-ID", sent)]
    if sent == "two":
        headers = [("X-Request-ID", "a"), ("X-Request-ID", "b")]
    echoed, seen = ask(proxy, prefix, headers)
    assert len(echoed) == 1 and GENERATED.match(echoed[0]), echoed
    assert seen == echoed[0], "the backend saw another id than the client got"


def test_each_request_gets_its_own_id(proxy, pool):
    _, prefix, _, _ = pool
    ids = {ask(proxy, prefix, [])[0][0] for _ in range(5)}
    assert len(ids) == 5


def test_the_proxys_own_error_answers_carry_the_id(work_dir):
    p = Paddock("paddock-request-id-502", work_dir, pools={"api": async_pool(addresses=["127.0.0.1:1"], retries=0, queue_timeout="100ms")},
                routes=[{"pool": "api"}])
    try:
        with p.connect() as conn:
            resp = conn.request("GET", "/x", headers=[("X-Request-ID", "trace-me"), ("Connection", "close")])
        assert resp.status == 502
        assert resp.header_all("X-Request-ID") == ["trace-me"]
    finally:
        p.stop()
