"""Static routes: files served from a folder without waking a Python worker. Content types,
validators and 304s, single ranges (206, 416), precompressed siblings, GET and HEAD only (405),
and every way out of the root (.., encoded dots and slashes, backslash, NUL, symlinks, dotfiles)
answered 404; a folder is never listed."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess

import httpx
import pytest

from harness import Paddock, RawConn, build_request, sync_pool

HASHED = "app.0123456789ab.css"
BIG = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def site(work_dir):
    root = work_dir / "site"
    (root / "css").mkdir(parents=True)
    (root / "js").mkdir()
    (root / "docs").mkdir()
    (root / "empty").mkdir()
    (root / "index.html").write_text("<h1>home</h1>\n")
    (root / "docs" / "index.html").write_text("<h1>docs</h1>\n")
    (root / "css" / HASHED).write_text("body { color: red }\n")
    script = b"console.log('paddock');\n" * 200
    (root / "js" / "app.js").write_bytes(script)
    (root / "js" / "app.js.gz").write_bytes(gzip.compress(script))
    (root / "js" / "app.js.br").write_bytes(b"pretend-brotli")
    (root / "big.bin").write_bytes(os.urandom(BIG))
    (root / ".env").write_text("SECRET=1\n")
    (work_dir / "outside.txt").write_text("not yours\n")
    os.symlink(work_dir / "outside.txt", root / "escape.txt")
    os.symlink(root / "index.html", root / "alias.html")
    return root, script


@pytest.fixture(scope="module")
def static_proxy(work_dir, site, web_backend):
    root, _ = site
    p = Paddock(
        "paddock-static", work_dir, pools={"web": sync_pool(web_backend)},
        routes=[
            {"path_prefix": "/static/", "static": {"root": str(root), "max_age": "1h",
                                                   "immutable_pattern": r"\.[0-9a-f]{12}\."}},
            {"path_prefix": "/site/", "static": {"root": str(root), "index": "index.html", "max_age": "0s"}},
            {"pool": "web"},
        ],
        proxy_extra={"access_log": "off"},
    )
    yield p
    p.stop()


def get(paddock, target, method="GET", headers=None):
    with RawConn(paddock.addr) as conn:
        return conn.request(method, target, headers=headers or [])


def test_a_file_has_its_type_validators_and_cache_control(static_proxy):
    resp = get(static_proxy, f"/static/css/{HASHED}")
    assert resp.status == 200 and resp.body == b"body { color: red }\n"
    assert resp.header("content-type") == "text/css; charset=utf-8"
    assert resp.header("etag", "").startswith('"') and resp.header("last-modified", "").endswith(" GMT")
    assert resp.header("cache-control") == "public, max-age=3600, immutable"
    assert resp.header("accept-ranges") == "bytes"
    plain = get(static_proxy, "/static/index.html")
    assert plain.header("content-type") == "text/html; charset=utf-8"
    assert plain.header("cache-control") == "public, max-age=3600"
    assert get(static_proxy, "/site/index.html").header("cache-control") == "no-cache"


def test_head_has_the_headers_and_no_body(static_proxy):
    with RawConn(static_proxy.addr) as conn:
        head = conn.request("HEAD", "/static/index.html")
        assert head.status == 200 and head.body == b"" and head.header("content-length") == "14"
        # Keep-alive goes on after it.
        assert conn.request("GET", "/static/index.html").body == b"<h1>home</h1>\n"


def test_other_methods_get_405_with_allow(static_proxy):
    resp = get(static_proxy, "/static/index.html", method="DELETE")
    assert resp.status == 405 and resp.header("allow") == "GET, HEAD"


def test_conditional_requests_get_304(static_proxy):
    first = get(static_proxy, "/static/index.html")
    etag, modified = first.header("etag"), first.header("last-modified")
    by_tag = get(static_proxy, "/static/index.html", headers=[("If-None-Match", etag)])
    assert by_tag.status == 304 and by_tag.body == b"" and by_tag.header("etag") == etag
    assert get(static_proxy, "/static/index.html", headers=[("If-Modified-Since", modified)]).status == 304
    assert get(static_proxy, "/static/index.html", headers=[("If-None-Match", '"other"')]).status == 200


def test_single_ranges_give_206_and_unsatisfiable_ones_416(static_proxy, site):
    root, _ = site
    data = (root / "big.bin").read_bytes()
    part = get(static_proxy, "/static/big.bin", headers=[("Range", "bytes=1000-1999")])
    assert part.status == 206 and part.body == data[1000:2000]
    assert part.header("content-range") == f"bytes 1000-1999/{BIG}"
    tail = get(static_proxy, "/static/big.bin", headers=[("Range", "bytes=-10")])
    assert tail.status == 206 and tail.body == data[-10:]
    none = get(static_proxy, "/static/big.bin", headers=[("Range", f"bytes={BIG}-")])
    assert none.status == 416 and none.header("content-range") == f"bytes */{BIG}"


def test_precompressed_siblings_follow_accept_encoding(static_proxy, site):
    _, script = site
    gz = get(static_proxy, "/static/js/app.js", headers=[("Accept-Encoding", "gzip")])
    assert gz.header("content-encoding") == "gzip" and gz.header("vary") == "Accept-Encoding"
    assert gzip.decompress(gz.body) == script
    br = get(static_proxy, "/static/js/app.js", headers=[("Accept-Encoding", "gzip, br")])
    assert br.header("content-encoding") == "br" and br.body == b"pretend-brotli"
    plain = get(static_proxy, "/static/js/app.js")
    assert plain.header("content-encoding") is None and plain.body == script and plain.header("vary") == "Accept-Encoding"
    # httpx asks for gzip and decodes it, as a browser would.
    with httpx.Client(timeout=5) as client:
        resp = client.get(f"{static_proxy.url}/static/js/app.js", headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200 and resp.content == script and resp.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("target", [
    "/static/../outside.txt", "/static/%2e%2e/outside.txt", "/static/%2E%2E/outside.txt",
    "/static/css/..%2f..%2foutside.txt", "/static/css%2f..%2f..%2foutside.txt", "/static/..%5coutside.txt",
    "/static/index.html%00.css", "/static/escape.txt", "/static/.env", "/static/%2eenv", "/static/css/",
    "/static/empty/", "/static/empty", "/static/missing.txt",
], ids=["dotdot", "encoded dots", "encoded dots upper", "encoded slashes", "encoded slash in name", "backslash",
        "nul", "symlink outside", "dotfile", "encoded dotfile", "folder without index", "empty folder",
        "folder without slash", "missing"])
def test_nothing_outside_the_root_and_no_listing(static_proxy, target):
    with RawConn(static_proxy.addr) as conn:
        conn.send(f"GET {target} HTTP/1.1\r\nHost: e2e.test\r\n\r\n".encode())
        resp = conn.read_response()
    assert resp.status in (400, 404), (target, resp.status)
    assert b"not yours" not in resp.body and b"SECRET" not in resp.body and b"<h1>" not in resp.body


def test_a_symlink_inside_the_root_and_an_index_are_served(static_proxy):
    assert get(static_proxy, "/static/alias.html").body == b"<h1>home</h1>\n"
    assert get(static_proxy, "/site/docs/").body == b"<h1>docs</h1>\n"
    assert get(static_proxy, "/site/docs").body == b"<h1>docs</h1>\n"
    assert get(static_proxy, "/site/").body == b"<h1>home</h1>\n"


def test_a_big_file_arrives_whole_with_curl(static_proxy, site, work_dir):
    root, _ = site
    out = work_dir / "big.download"
    subprocess.run(["curl", "-sS", "--max-time", "20", "-o", str(out), f"{static_proxy.url}/static/big.bin"], check=True)
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256((root / "big.bin").read_bytes()).digest()
    headers = subprocess.run(["curl", "-sS", "-I", "--max-time", "5", f"{static_proxy.url}/static/big.bin"],
                             check=True, capture_output=True, text=True).stdout.lower()
    assert f"content-length: {BIG}" in headers and "etag:" in headers


def test_pool_routes_still_go_to_the_app(static_proxy):
    assert get(static_proxy, "/whoami").status == 200


def test_a_fifo_under_the_root_does_not_stall_the_proxy(static_proxy, site):
    root, _ = site
    fifo = root / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    with RawConn(static_proxy.addr, timeout=5) as conn:
        assert conn.request("GET", "/static/pipe").status == 404
    assert get(static_proxy, "/static/index.html").status == 200


def test_a_symlink_does_not_lead_to_a_dotfile(static_proxy, site):
    root, _ = site
    for name, target in (("config.txt", root / ".env"), ("repo", root / ".hidden")):
        (root / ".hidden").mkdir(exist_ok=True)
        (root / ".hidden" / "file.txt").write_text("hidden\n")
        if not (root / name).exists():
            os.symlink(target, root / name)
    assert get(static_proxy, "/static/config.txt").status == 404
    assert get(static_proxy, "/static/repo/file.txt").status == 404
