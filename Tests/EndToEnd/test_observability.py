"""GET /metrics parses with the official Prometheus text parser and counts what happened; the access
log has one line per request with every field, in JSON and combined form, and SIGUSR1 reopens it."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from harness import API_HOST, Paddock, async_pool, sync_pool, wait_for


@pytest.fixture(scope="module")
def observed(work_dir, web_backend, api_backend):
    log_path = work_dir / "access.jsonl"
    p = Paddock("paddock-observed", work_dir,
                pools={"web": sync_pool(web_backend), "api": async_pool(api_backend)},
                routes=[{"host": API_HOST, "pool": "api"}, {"path_prefix": "/web/", "pool": "web"},
                        {"path_prefix": "/", "pool": "web"}],
                proxy_extra={"access_log": str(log_path), "access_log_format": "json"})
    yield p, log_path
    p.stop()


def scrape(paddock: Paddock) -> dict:
    response = requests.get(f"{paddock.admin_url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    return families


def samples(families: dict, name: str, sample: str | None = None, **labels) -> list:
    return [s for s in families[name].samples
            if (sample is None or s.name == sample) and all(s.labels.get(k) == v for k, v in labels.items())]


def test_metrics_parse_and_count_requests(observed, web_backend, api_backend):
    paddock, _ = observed
    before = scrape(paddock)

    def count(families, pool, status_class):
        found = samples(families, "paddock_requests", "paddock_requests_total", pool=pool, status_class=status_class)
        return found[0].value if found else 0

    with paddock.connect() as conn:
        for _ in range(3):
            assert conn.request("GET", "/whoami").status == 200
        for _ in range(2):
            assert conn.request("GET", "/whoami", host=API_HOST).status == 200
    after = scrape(paddock)
    assert count(after, "web", "2xx") - count(before, "web", "2xx") == 3
    assert count(after, "api", "2xx") - count(before, "api", "2xx") >= 2

    # Gauges, per pool and per server, with the labels the health endpoint uses.
    assert {s.labels["pool"] for s in samples(after, "paddock_queue_depth")} == {"web", "api"}
    assert samples(after, "paddock_server_up", pool="web", server=web_backend.address)[0].value == 1
    assert samples(after, "paddock_requests_in_flight", pool="web")[0].value == 0
    assert samples(after, "paddock_downstream_connections")[0].value >= 0
    assert samples(after, "paddock_config_generation")[0].value == 1
    # Histograms: cumulative buckets ending in +Inf equal to the count.
    latency = samples(after, "paddock_upstream_response_seconds", pool="web", server=web_backend.address)
    buckets = [s for s in latency if s.name.endswith("_bucket")]
    total = [s for s in latency if s.name.endswith("_count")][0].value
    assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == total >= 3
    assert [b.value for b in buckets] == sorted(b.value for b in buckets)
    assert samples(after, "paddock_queue_wait_seconds", "paddock_queue_wait_seconds_count", pool="web")[0].value >= 3


def test_metrics_count_a_health_transition_and_an_error_answer(work_dir):
    dead = "127.0.0.1:1"
    p = Paddock("paddock-metrics-dead", work_dir, pools={"api": async_pool(addresses=[dead], retries=0, queue_timeout="100ms")},
                routes=[{"pool": "api"}], proxy_extra={"access_log": "off"})
    try:
        def failed(families):
            found = samples(families, "paddock_requests", "paddock_requests_total", pool="api", status_class="5xx")
            return found[0].value if found else 0

        before = failed(scrape(p))  # the harness's smoke check made one already
        with p.connect() as conn:
            assert conn.request("GET", "/", headers=[("Connection", "close")]).status == 502
        families = scrape(p)
        down = samples(families, "paddock_health_transitions", "paddock_health_transitions_total",
                       pool="api", server=dead, to="down")
        assert down and down[0].value == 1
        assert samples(families, "paddock_server_up", pool="api", server=dead)[0].value == 0
        assert failed(families) - before == 1
    finally:
        p.stop()


def access_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_request_gets_an_access_log_line_with_every_field(observed, web_backend):
    paddock, log_path = observed
    with paddock.connect() as conn:
        assert conn.request("GET", "/whoami?x=1", headers=[("X-Request-ID", "trace-42")]).status == 200
    wait_for(lambda: any(l["request_id"] == "trace-42" for l in access_lines(log_path)), timeout=5, what="the line")
    line = next(l for l in access_lines(log_path) if l["request_id"] == "trace-42")
    assert set(line) == {"time", "client", "method", "target", "status", "bytes", "pool", "upstream",
                         "queue_ms", "upstream_ms", "total_ms", "retries", "request_id"}
    assert line["method"] == "GET" and line["target"] == "/whoami?x=1" and line["status"] == 200
    assert line["client"] == "127.0.0.1" and line["pool"] == "web" and line["upstream"] == web_backend.address
    assert line["bytes"] > 0 and line["retries"] == 0
    assert 0 <= line["queue_ms"] <= line["total_ms"] and 0 <= line["upstream_ms"] <= line["total_ms"]
    assert line["time"].endswith("Z") and line["time"][:4].isdigit()


def test_a_local_answer_is_logged_too(observed):
    paddock, log_path = observed
    with paddock.connect() as conn:
        conn.send(b"GET / HTTP/1.1\r\nHost: e2e.test\r\nBad Header: x\r\n\r\n")
        assert conn.read_response().status == 400
    wait_for(lambda: any(l["status"] == 400 for l in access_lines(log_path)), timeout=5, what="the 400 line")


def test_sigusr1_reopens_the_access_log(observed):
    paddock, log_path = observed
    rotated = log_path.with_suffix(".1")
    os.rename(log_path, rotated)
    paddock.proc.signal(signal.SIGUSR1)
    wait_for(lambda: log_path.exists(), timeout=5, what="the reopened log file")
    with paddock.connect() as conn:
        assert conn.request("GET", "/whoami", headers=[("X-Request-ID", "after-rotate")]).status == 200
    wait_for(lambda: any(l["request_id"] == "after-rotate" for l in access_lines(log_path)), timeout=5,
             what="the line in the new file")
    assert not any(l["request_id"] == "after-rotate" for l in access_lines(rotated))


def test_combined_format_on_stderr_by_default(work_dir, web_backend):
    p = Paddock("paddock-combined", work_dir, pools={"web": sync_pool(web_backend)}, routes=[{"pool": "web"}])
    try:
        with p.connect() as conn:
            assert conn.request("GET", "/whoami", headers=[("User-Agent", "e2e-agent/1"), ("X-Request-ID", "comb-1")]).status == 200
        wait_for(lambda: "request_id=comb-1" in p.log(), timeout=5, what="the combined line")
        line = next(l for l in p.log().splitlines() if "request_id=comb-1" in l)
        assert line.startswith("127.0.0.1 - - [")
        assert '"GET /whoami HTTP/1.1" 200 ' in line and '"-" "e2e-agent/1"' in line
        for field in ("pool=web", f"upstream={web_backend.address}", "queue_ms=", "upstream_ms=", "total_ms="):
            assert field in line, line
    finally:
        p.stop()
