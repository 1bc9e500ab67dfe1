"""TLS termination with a throwaway CA made by the openssl CLI: curl, Python's ssl and httpx
connect; SNI picks the certificate; ALPN says http/1.1; TLS 1.0 and 1.1 are refused; garbage,
plain HTTP and a client that vanishes mid-handshake cost one connection; upstream sees
X-Forwarded-Proto: https; WebSocket, SSE and a large body work over TLS; `check` names a bad file."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time

import httpx
import pytest

from harness import (
    API_HOST, Paddock, async_pool, free_port, make_pki, paddock_bin, pattern_bytes, sync_pool, wait_for,
    wait_until_accepting,
)

CLIENT_HEADER = 2.0


@pytest.fixture(scope="module")
def pki(work_dir):
    """A CA and two leaf certificates: site.test (the default) and api.test."""
    return make_pki(work_dir / "pki")


@pytest.fixture(scope="module")
def tls_proxy(work_dir, pki, web_backend, api_backend):
    port = free_port()
    p = Paddock(
        "paddock-tls", work_dir,
        pools={"web": sync_pool(web_backend), "api": async_pool(api_backend)},
        routes=[{"host": API_HOST, "pool": "api"}, {"path_prefix": "/api/", "pool": "api"}, {"pool": "web"}],
        proxy_extra={"access_log": "off"},
        tables={
            "tls": {"listen": [f"127.0.0.1:{port}"],
                    "certificates": [{"cert": str(pki / "site.pem"), "key": str(pki / "site.key")},
                                     {"cert": str(pki / "api.pem"), "key": str(pki / "api.key")}]},
            "timeouts": {"client_header": f"{CLIENT_HEADER}s"},
            "limits": {"max_body_bytes": "1GB"},
        },
    )
    wait_until_accepting(("127.0.0.1", port), p.proc)
    p.tls_port = port
    yield p
    p.stop()


def client_context(pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki / "ca.pem"))


def tls_connect(paddock, pki, server_name: str | None = "site.test", context: ssl.SSLContext | None = None):
    raw = socket.create_connection(("127.0.0.1", paddock.tls_port), timeout=5)
    ctx = context or client_context(pki)
    if server_name is None:
        ctx.check_hostname = False
    return ctx.wrap_socket(raw, server_hostname=server_name)


def request(sock, target: str, host: str = "site.test", extra: str = "") -> tuple[int, dict, bytes]:
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n".encode())
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_curl_gets_through_and_the_app_sees_https(tls_proxy, pki):
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "5", "--cacert", str(pki / "ca.pem"),
         "--resolve", f"site.test:{tls_proxy.tls_port}:127.0.0.1", f"https://site.test:{tls_proxy.tls_port}/headers"],
        check=True, capture_output=True, text=True).stdout
    seen = json.loads(out)
    assert seen["x-forwarded-proto"] == "https" and seen["x-forwarded-for"] == "127.0.0.1"
    # The plain listener still says http.
    with tls_proxy.connect() as conn:
        assert conn.request("GET", "/headers").json()["x-forwarded-proto"] == "http"


def test_sni_picks_the_certificate_and_the_first_is_the_default(tls_proxy, pki):
    for name, expected in (("site.test", "site.test"), ("api.test", "api.test"), ("www.api.test", "api.test")):
        with tls_connect(tls_proxy, pki, name) as sock:
            subject = dict(x[0] for x in sock.getpeercert()["subject"])
            assert subject["commonName"] == expected, name
    ctx = client_context(pki)
    ctx.check_hostname = False
    with tls_connect(tls_proxy, pki, None, ctx) as sock:  # no SNI at all
        assert request(sock, "/whoami")[0] == 200


def test_alpn_offers_http11_and_modern_versions_only(tls_proxy, pki):
    ctx = client_context(pki)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with tls_connect(tls_proxy, pki, "site.test", ctx) as sock:
        assert sock.selected_alpn_protocol() == "http/1.1"
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{tls_proxy.tls_port}", "-servername", "api.test",
                          "-alpn", "http/1.1", "-CAfile", str(pki / "ca.pem")],
                         input="", capture_output=True, text=True, timeout=10)
    assert "ALPN protocol: http/1.1" in out.stdout and "subject=CN = api.test" in out.stdout, out.stdout


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["1.0", "1.1"])
def test_tls_10_and_11_are_refused(tls_proxy, pki, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.set_ciphers("DEFAULT@SECLEVEL=0")
        ctx.minimum_version = version
        ctx.maximum_version = version
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python's OpenSSL cannot even offer the old version")
    # Control: the same client context does reach a server that allows the old version, so the
    # refusal below is paddock's, not this client's.
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(pki / "site.pem"), str(pki / "site.key"))
    server_ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    server_ctx.minimum_version = version
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def serve():
            conn, _ = listener.accept()
            try:
                server_ctx.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()
        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            with ctx.wrap_socket(socket.create_connection(listener.getsockname(), timeout=5), server_hostname="site.test"):
                pass
        except (ssl.SSLError, OSError):
            pytest.skip("this machine's OpenSSL cannot speak the old version at all")
        thread.join(5)
    with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
        with tls_connect(tls_proxy, pki, "site.test", ctx):
            pass


def test_garbage_plain_http_and_vanishing_clients_cost_one_connection(tls_proxy, pki):
    for payload in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(600), b""):
        with socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=5) as sock:
            if payload:
                sock.sendall(payload)
                sock.settimeout(5)
                try:
                    while sock.recv(4096):
                        pass
                except (ConnectionResetError, socket.timeout):
                    pass
    # A client that starts a handshake and leaves.
    raw = socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=5)
    ctx = client_context(pki)
    obj = ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="site.test")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    raw.close()
    with tls_connect(tls_proxy, pki) as sock:
        assert request(sock, "/whoami")[0] == 200
    assert tls_proxy.proc.alive()


def test_failed_handshakes_leak_nothing(tls_proxy, pki):
    """Fifty bad connections later, paddock holds the descriptors it held before (none is kept)."""
    fd_dir = f"/proc/{tls_proxy.proc.pid}/fd"

    def open_descriptors():
        return len(os.listdir(fd_dir))

    with tls_connect(tls_proxy, pki) as sock:  # warm: the upstream keep-alive connection exists
        request(sock, "/api/whoami")
    before = open_descriptors()
    for i in range(50):
        with socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=5) as sock:
            sock.sendall(os.urandom(64) if i % 2 else b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                while sock.recv(4096):
                    pass
            except (ConnectionResetError, socket.timeout):
                pass
    wait_for(lambda: open_descriptors() <= before, timeout=5, what=f"descriptors back to {before}")


def test_a_silent_client_is_closed_after_client_header(tls_proxy):
    with socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=CLIENT_HEADER + 5) as sock:
        started = time.monotonic()
        try:
            data = sock.recv(4096)
        except ConnectionResetError:
            data = b""
        assert data == b"" and CLIENT_HEADER * 0.9 <= time.monotonic() - started < CLIENT_HEADER + 4


def test_httpx_keep_alive_static_and_sse(tls_proxy, pki):
    with httpx.Client(verify=client_context(pki), timeout=10) as client:
        transport_url = f"https://127.0.0.1:{tls_proxy.tls_port}"
        for _ in range(3):
            resp = client.get(f"{transport_url}/whoami")
            assert resp.status_code == 200 and resp.http_version == "HTTP/1.1"
        events = client.get(f"{transport_url}/api/sse?events=3&interval_ms=50").text
        assert events.count("data: ") == 3


def test_websocket_over_tls(tls_proxy, pki):
    import websockets

    async def echo():
        async with websockets.connect(f"wss://127.0.0.1:{tls_proxy.tls_port}/api/ws", ssl=client_context(pki),
                                      server_hostname="site.test", open_timeout=5) as ws:
            await ws.send("over tls")
            return await asyncio.wait_for(ws.recv(), 5)

    assert asyncio.run(echo()) == "over tls"


def test_a_large_body_both_ways_over_tls(tls_proxy, pki):
    size = 64 * 1024 * 1024
    body = pattern_bytes(size)
    with httpx.Client(verify=client_context(pki), timeout=60) as client:
        url = f"https://127.0.0.1:{tls_proxy.tls_port}"
        down = client.get(f"{url}/api/bytes?n={size}")
        assert down.status_code == 200 and len(down.content) == size and down.content == body
        up = client.post(f"{url}/api/upload", content=body)
        assert up.json() == {"bytes": size, "sha256": hashlib.sha256(body).hexdigest()}


def tls_only_config(path, certificates: str):
    """A config file with one TLS listener and the given certificate tables (paths relative to it)."""
    path.write_text(
        "[proxy]\nlisten = [\"127.0.0.1:%d\"]\n[tls]\nlisten = [\"127.0.0.1:%d\"]\n"
        "certificates = [%s]\n"
        "[pools.web]\nkind = \"sync\"\nservers = [{ address = \"127.0.0.1:1\" }]\n[[routes]]\npool = \"web\"\n"
        % (free_port(), free_port(), certificates))
    return path


def test_check_names_a_file_that_does_not_load(work_dir, pki):
    (pki / "bad.pem").write_text("not a certificate\n")
    config = tls_only_config(work_dir / "tls-bad.toml", '{ cert = "pki/bad.pem", key = "pki/site.key" }, '
                                                       '{ cert = "pki/site.pem", key = "pki/api.key" }')
    out = subprocess.run([str(paddock_bin()), "check", "--config", str(config)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"{pki}/bad.pem: not a usable PEM certificate" in out.stderr, out.stderr
    assert f"{pki}/api.key: does not match the certificate {pki}/site.pem" in out.stderr, out.stderr


def test_redirect_http_and_hsts(work_dir, pki, web_backend):
    port = free_port()
    p = Paddock(
        "paddock-tls-redirect", work_dir, pools={"web": sync_pool(web_backend)}, routes=[{"pool": "web"}],
        proxy_extra={"access_log": "off"},
        tables={"tls": {"listen": [f"127.0.0.1:{port}"], "redirect_http": True, "hsts": "max-age=31536000",
                        "certificates": [{"cert": str(pki / "site.pem"), "key": str(pki / "site.key")}]}},
    )
    try:
        wait_until_accepting(("127.0.0.1", port), p.proc)
        with p.connect() as conn:
            resp = conn.request("GET", "/whoami?x=1", host="site.test:8080")
        assert resp.status == 308 and resp.header("location") == f"https://site.test:{port}/whoami?x=1"
        assert resp.header("strict-transport-security") is None, "HSTS goes over TLS only"
        p.tls_port = port
        with tls_connect(p, pki) as sock:
            status, headers, _ = request(sock, "/whoami")
        assert status == 200 and headers["strict-transport-security"] == "max-age=31536000"
    finally:
        p.stop()


def test_a_reload_picks_up_renewed_certificates_and_open_connections_keep_theirs(work_dir, pki, web_backend):
    live = work_dir / "live-certs"
    live.mkdir()
    (live / "cert.pem").write_bytes((pki / "site.pem").read_bytes())
    (live / "key.pem").write_bytes((pki / "site.key").read_bytes())
    port = free_port()
    tables = {"tls": {"listen": [f"127.0.0.1:{port}"],
                      "certificates": [{"cert": str(live / "cert.pem"), "key": str(live / "key.pem")}]}}
    p = Paddock("paddock-tls-reload", work_dir, pools={"web": sync_pool(web_backend)}, routes=[{"pool": "web"}],
                proxy_extra={"access_log": "off"}, tables=tables)
    p.tls_port = port
    try:
        wait_until_accepting(("127.0.0.1", port), p.proc)
        ctx = client_context(pki)
        ctx.check_hostname = False
        before = tls_connect(p, pki, "site.test", ctx)
        assert dict(x[0] for x in before.getpeercert()["subject"])["commonName"] == "site.test"
        # The files are renewed in place (here: replaced by the api.test pair), then SIGHUP.
        (live / "cert.pem").write_bytes((pki / "api.pem").read_bytes())
        (live / "key.pem").write_bytes((pki / "api.key").read_bytes())
        p.reload(generation=2)
        with tls_connect(p, pki, "site.test", ctx) as after:
            assert dict(x[0] for x in after.getpeercert()["subject"])["commonName"] == "api.test"
            assert request(after, "/whoami")[0] == 200
        # The connection opened before the reload still works, with its own certificate.
        with before:
            assert request(before, "/whoami")[0] == 200
        # A broken file on reload changes nothing.
        (live / "key.pem").write_text("broken\n")
        p.proc.signal(signal.SIGHUP)
        wait_for(lambda: "reload rejected" in p.log(), timeout=5, what="the rejected reload")
        with tls_connect(p, pki, "site.test", ctx) as still:
            assert dict(x[0] for x in still.getpeercert()["subject"])["commonName"] == "api.test"
    finally:
        p.stop()


GB = 1_000_000_000


def test_a_gigabyte_each_way_over_tls(tls_proxy, pki):
    """1 GB down (the pattern's bytes, counted and hashed) and 1 GB up (hashed by the app), at once."""
    results: dict = {}

    def download():
        expected = hashlib.sha256()
        block = pattern_bytes(1 << 20)
        left = GB
        while left:
            piece = block if left >= len(block) else block[:left]
            expected.update(piece)
            left -= len(piece)
        got, digest = 0, hashlib.sha256()
        with tls_connect(tls_proxy, pki) as sock:
            sock.settimeout(60)
            sock.sendall(f"GET /api/bytes?n={GB} HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, rest = data.partition(b"\r\n\r\n")
            got, digest = len(rest), hashlib.sha256(rest)
            while got < GB:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
                digest.update(chunk)
        results["down"] = (head.split(b" ")[1], got, digest.hexdigest() == expected.hexdigest())

    def upload():
        block = os.urandom(1 << 20)
        digest = hashlib.sha256()
        with tls_connect(tls_proxy, pki) as sock:
            sock.settimeout(60)
            sock.sendall(f"POST /api/upload HTTP/1.1\r\nHost: site.test\r\nContent-Length: {GB}\r\n"
                         "Connection: close\r\n\r\n".encode())
            left = GB
            while left:
                piece = block if left >= len(block) else block[:left]
                sock.sendall(piece)
                digest.update(piece)
                left -= len(piece)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        results["up"] = (json.loads(data.partition(b"\r\n\r\n")[2]), digest.hexdigest())

    threads = [threading.Thread(target=download, daemon=True), threading.Thread(target=upload, daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a transfer did not finish within 120 s"
    assert results["down"] == (b"200", GB, True)
    body, sent = results["up"]
    assert body == {"bytes": GB, "sha256": sent}


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["1.2", "1.3"])
def test_sessions_resume_with_a_ticket(tls_proxy, pki, version):
    ctx = client_context(pki)
    ctx.maximum_version = version
    ctx.minimum_version = version
    with tls_connect(tls_proxy, pki, "site.test", ctx) as first:
        assert request(first, "/whoami")[0] == 200  # TLS 1.3 tickets arrive after the handshake
        session = first.session
    assert session is not None and session.has_ticket
    raw = socket.create_connection(("127.0.0.1", tls_proxy.tls_port), timeout=5)
    with ctx.wrap_socket(raw, server_hostname="site.test", session=session) as second:
        assert second.session_reused, "the ticket was not accepted"
        assert request(second, "/whoami")[0] == 200


def test_check_refuses_an_expired_certificate(work_dir, pki):
    d = work_dir / "expired"
    d.mkdir()
    (d / "index.txt").write_text("")
    (d / "serial").write_text("01\n")
    (d / "ca.cnf").write_text("[ca]\ndefault_ca = old\n[old]\ndatabase = index.txt\nserial = serial\n"
                              "new_certs_dir = .\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "old.key", "-out", "old.csr",
                    "-subj", "/CN=old.test"], cwd=d, check=True, capture_output=True)
    subprocess.run(["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", str(pki / "ca.pem"), "-keyfile",
                    str(pki / "ca.key"), "-in", "old.csr", "-out", "old.pem",
                    "-startdate", "20200101000000Z", "-enddate", "20200102000000Z"], cwd=d, check=True, capture_output=True)
    config = tls_only_config(d / "paddock.toml", '{ cert = "old.pem", key = "old.key" }')
    out = subprocess.run([str(paddock_bin()), "check", "--config", str(config)], capture_output=True, text=True)
    assert out.returncode == 1 and f"{d}/old.pem: the certificate has expired" in out.stderr, out.stderr
    run = subprocess.run([str(paddock_bin()), "run", "--config", str(config)], capture_output=True, text=True, timeout=10)
    assert run.returncode == 1 and "the certificate has expired" in run.stderr


def test_a_tls_connection_that_never_sends_a_request_is_closed_quietly(tls_proxy, pki):
    """A preconnect or probe: handshake done, no request. No 408 comes back, only the close."""
    with tls_connect(tls_proxy, pki) as sock:
        sock.settimeout(CLIENT_HEADER + 5)
        try:
            data = sock.recv(4096)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        assert data == b"", data[:60]


def test_an_upload_over_tls_is_not_held_in_memory_while_no_server_can_take_it(work_dir, pki):
    """The pool's only server is down and the request waits; the client keeps sending. As on a plain
    connection, paddock stops reading once its buffers are full instead of holding the upload."""
    from harness import DeadPorts, rss_bytes
    dead = DeadPorts(1)
    port = free_port()
    p = Paddock("paddock-tls-upload", work_dir,
                pools={"api": async_pool(addresses=dead.addresses, queue_timeout="30s")},
                # The harness's smoke check gets a quick 404 here instead of waiting for the dead pool.
                routes=[{"host": "smoke.e2e.test", "static": {"root": str(work_dir)}}, {"pool": "api"}],
                proxy_extra={"access_log": "off"},
                tables={"tls": {"listen": [f"127.0.0.1:{port}"],
                                "certificates": [{"cert": str(pki / "site.pem"), "key": str(pki / "site.key")}]},
                        "limits": {"max_body_bytes": "10GB"}})
    p.tls_port = port
    try:
        wait_until_accepting(("127.0.0.1", port), p.proc)
        before = rss_bytes(p.proc.pid)
        with tls_connect(p, pki) as sock:
            sock.sendall(b"POST /upload HTTP/1.1\r\nHost: site.test\r\nContent-Length: 4000000000\r\n\r\n")
            sock.settimeout(0.5)
            block, sent = os.urandom(1 << 20), 0
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline and sent < 400 << 20:
                try:
                    sent += sock.send(block)
                except (socket.timeout, ssl.SSLWantWriteError):
                    pass
            grown = rss_bytes(p.proc.pid) - before
        assert sent < 64 << 20, f"paddock took {sent >> 20} MiB of an upload it could not forward"
        assert grown < 32 << 20, f"RSS grew by {grown >> 20} MiB"
    finally:
        p.stop()
        dead.close()
