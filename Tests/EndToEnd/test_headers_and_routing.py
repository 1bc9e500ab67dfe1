"""What the backend sees (forwarded headers, hop-by-hop removal) and how routes pick a pool."""

from __future__ import annotations

import pytest

from harness import API_HOST, API_NAME, WEB_NAME, Paddock, sync_pool

HOP_BY_HOP = ("x-hop-secret", "keep-alive", "te", "proxy-connection")


def seen_headers(proxy, prefix, host, extra):
    with proxy.connect() as conn:
        resp = conn.request("GET", f"{prefix}/headers", host=host, headers=extra)
    assert resp.status == 200, resp.body[:300]
    return resp.json()


def test_forwarded_headers_set_by_paddock(proxy, pool):
    _, prefix, _, _ = pool
    seen = seen_headers(proxy, prefix, "front.example.test", [("X-End-To-End", "kept")])
    assert seen.get("x-forwarded-for") == "127.0.0.1", seen
    assert seen.get("x-forwarded-proto") == "http", seen
    assert seen.get("x-forwarded-host") == "front.example.test", seen
    assert seen.get("host") == "front.example.test", seen  # Host as the client sent it
    assert seen.get("x-end-to-end") == "kept", seen


def test_client_x_forwarded_for_is_replaced_by_default(proxy, pool):
    _, prefix, _, _ = pool
    seen = seen_headers(proxy, prefix, "front.example.test", [("X-Forwarded-For", "203.0.113.9")])
    # Not "203.0.113.9" and not "203.0.113.9, 127.0.0.1": trust_forwarded_for is false by default.
    assert seen.get("x-forwarded-for") == "127.0.0.1", seen


def test_hop_by_hop_fields_removed(proxy, pool):
    _, prefix, _, _ = pool
    extra = [
        ("Connection", "keep-alive, X-Hop-Secret"),
        ("X-Hop-Secret", "named in Connection, so hop-by-hop"),
        ("Keep-Alive", "timeout=5"),
        ("TE", "trailers"),
        ("Proxy-Connection", "keep-alive"),
        ("X-End-To-End", "kept"),
    ]
    seen = seen_headers(proxy, prefix, "front.example.test", extra)
    leaked = [h for h in HOP_BY_HOP if h in seen]
    assert not leaked, f"hop-by-hop fields reached the backend: {leaked}; saw {seen}"
    assert "x-hop-secret" not in seen.get("connection", "").lower(), seen
    assert seen.get("x-end-to-end") == "kept", seen


def whoami(proxy, target, host):
    with proxy.connect() as conn:
        resp = conn.request("GET", target, host=host)
    assert resp.status == 200, (target, host, resp.status, resp.body[:200])
    return resp.json()["server"]


def test_path_prefix_route(proxy):
    assert whoami(proxy, "/api/whoami", "front.example.test") == API_NAME
    assert whoami(proxy, "/whoami", "front.example.test") == WEB_NAME


def test_host_route(proxy):
    # The host route comes first: /whoami (no /api/ prefix) still goes to the async pool.
    assert whoami(proxy, "/whoami", API_HOST) == API_NAME
    assert whoami(proxy, "/whoami", "other.example.test") == WEB_NAME


def test_host_route_matches_host_with_port(proxy):
    # Clients send "Host: name:port" for a non-default port; a host route matches the name.
    assert whoami(proxy, "/whoami", f"{API_HOST}:{proxy.port}") == API_NAME


@pytest.fixture(scope="module")
def host_only_proxy(work_dir, web_backend):
    p = Paddock(
        "paddock-host-only", work_dir,
        pools={"web": sync_pool(web_backend, workers=2)},
        routes=[{"host": "only.example.test", "pool": "web"}],
    )
    yield p
    p.stop()


def test_404_when_no_route_matches(host_only_proxy):
    with host_only_proxy.connect() as conn:
        resp = conn.request("GET", "/whoami", host="elsewhere.example.test")
        assert resp.status == 404
        if not resp.closes:  # the connection, if kept, still routes the next request
            assert conn.request("GET", "/whoami", host="only.example.test").json()["server"] == WEB_NAME
    assert whoami(host_only_proxy, "/whoami", "only.example.test") == WEB_NAME
