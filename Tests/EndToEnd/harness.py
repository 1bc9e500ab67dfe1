"""Process, port, config and raw-HTTP helpers for the end-to-end suite.

Everything here talks to loopback only. Every wait is bounded; every socket has a timeout.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DEFAULT_BIN = ROOT / ".build" / "release" / "paddock"

STARTUP_TIMEOUT = 15.0  # seconds for a process to accept connections
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
IO_TIMEOUT = 5.0  # default socket timeout (per operation; loopback answers in ms)

PATTERN = b"0123456789abcdef"

# The main proxy of the suite (conftest.py): names its backends report in /whoami.
WEB_NAME = "e2e-web"  # gunicorn (Flask), pool "web", kind sync
API_NAME = "e2e-api"  # uvicorn (Starlette), pool "api", kind async
API_HOST = "api.example.test"  # host route -> pool "api"


def paddock_bin() -> Path:
    return Path(os.environ.get("PADDOCK_BIN") or DEFAULT_BIN)


def pattern_bytes(n: int) -> bytes:
    """What the demo apps' /bytes?n=N returns."""
    return (PATTERN * (n // len(PATTERN) + 1))[:n]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def first_difference(a: bytes, b: bytes) -> str:
    """A short description of where two byte strings differ (for assertion messages)."""
    if a == b:
        return "equal"
    n = min(len(a), len(b))
    step = 1 << 16
    for start in range(0, n, step):
        if a[start : start + step] != b[start : start + step]:
            for i in range(start, min(start + step, n)):
                if a[i] != b[i]:
                    return f"first difference at offset {i}: {a[i:i+16]!r} vs {b[i:i+16]!r} (lengths {len(a)}, {len(b)})"
    return f"one is a prefix of the other (lengths {len(a)}, {len(b)})"


# --------------------------------------------------------------------------------------------
# Ports and readiness
# --------------------------------------------------------------------------------------------

def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (bind port 0, read it, close)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DeadPorts:
    """Loopback ports where a connect is refused, held for as long as this lives: each is bound but
    never listens, so no process started meanwhile (a paddock's own listener!) can take it."""

    def __init__(self, count: int):
        self.sockets = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            self.sockets.append(s)
        self.addresses = [f"127.0.0.1:{s.getsockname()[1]}" for s in self.sockets]

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def can_connect(address: str | tuple[str, int], timeout: float = 0.5) -> bool:
    try:
        if isinstance(address, str):  # unix socket path
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(address)
        else:
            with socket.create_connection(address, timeout=timeout):
                pass
        return True
    except OSError:
        return False


def wait_until_accepting(address, proc: "Proc | None" = None, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if can_connect(address):
            return
        if proc is not None and not proc.alive():
            raise RuntimeError(
                f"{proc.name} exited with status {proc.popen.returncode} before accepting "
                f"connections on {address}\n--- {proc.name} log (tail) ---\n{proc.log_tail()}"
            )
        if time.monotonic() > deadline:
            tail = f"\n--- {proc.name} log (tail) ---\n{proc.log_tail()}" if proc else ""
            raise TimeoutError(f"nothing accepted connections on {address} within {timeout:.0f} s{tail}")
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not Linux
    _libc = None


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if pytest dies hard, the child gets SIGTERM.
    # (Its own new session keeps terminal signals away from it.)
    if _libc is not None and sys.platform.startswith("linux"):
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


LIVE_PROCS: list["Proc"] = []


class Proc:
    """A child process with its output in a log file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict | None = None, cwd: Path | None = None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_dir) / f"{name}.log"
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.log_file = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=str(cwd) if cwd else None,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        LIVE_PROCS.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, wait up to `timeout`, then SIGKILL the whole process group. Returns the exit status."""
        try:
            if self.alive():
                self.popen.send_signal(signal.SIGTERM)
                if self.wait(timeout) is None:
                    self._kill_group()
                    self.wait(timeout)
            else:
                # The leader is gone; make sure no worker of its group lingers (gunicorn).
                self._kill_group()
            return self.popen.returncode
        finally:
            self.log_file.close()
            if self in LIVE_PROCS:
                LIVE_PROCS.remove(self)

    def _kill_group(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return "(no log)"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


@dataclass
class Backend:
    """A gunicorn or uvicorn process serving one of the demo apps."""

    proc: Proc
    name: str  # PADDOCK_DEMO_NAME, returned by /whoami as "server"
    address: str  # as written in the paddock config: "127.0.0.1:PORT" or "unix:/path"
    connect_to: str | tuple[str, int]

    def stop(self) -> None:
        self.proc.stop()

    def alive(self) -> bool:
        return self.proc.alive()


def _bind_args(host_port: tuple[str, int] | None, uds: str | None):
    if uds:
        return f"unix:{uds}", uds
    host, port = host_port
    return f"{host}:{port}", (host, port)


def start_gunicorn(name: str, log_dir: Path, port: int | None = None, uds: str | None = None, workers: int = 2,
                   extra_args: list[str] | None = None) -> Backend:
    if uds is None and port is None:
        port = free_port()
    address, connect_to = _bind_args(("127.0.0.1", port) if port else None, uds)
    argv = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers), "--worker-class", "sync",
        "--bind", address,
        "--graceful-timeout", "2", "--timeout", "60",
        "--log-level", "warning",
        "--chdir", str(EXAMPLES), *(extra_args or []), "wsgi_app:app",
    ]
    return _start_backend(name, argv, log_dir, address, connect_to)


def _start_backend(name: str, argv: list[str], log_dir: Path, address: str, connect_to) -> Backend:
    """Starts a backend process and waits until it accepts connections (stopping it on failure)."""
    proc = Proc(name, argv, log_dir, env={"PADDOCK_DEMO_NAME": name})
    try:
        wait_until_accepting(connect_to, proc)
    except BaseException:
        proc.stop()
        raise
    return Backend(proc, name, address, connect_to)


def start_uvicorn(name: str, log_dir: Path, port: int | None = None, uds: str | None = None,
                  extra_args: list[str] | None = None) -> Backend:
    if uds is None and port is None:
        port = free_port()
    address, connect_to = _bind_args(("127.0.0.1", port) if port else None, uds)
    where = ["--uds", uds] if uds else ["--host", "127.0.0.1", "--port", str(port)]
    argv = [
        sys.executable, "-m", "uvicorn", *where,
        "--timeout-graceful-shutdown", "2",
        "--log-level", "warning", "--no-access-log",
        "--app-dir", str(EXAMPLES), *(extra_args or []), "asgi_app:app",
    ]
    return _start_backend(name, argv, log_dir, address, connect_to)


# --------------------------------------------------------------------------------------------
# Paddock config and process
# --------------------------------------------------------------------------------------------

def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for the ASCII values used here
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def render_config(
    listen: list[str],
    admin: str,
    pools: dict[str, dict],
    routes: list[dict],
    proxy_extra: dict | None = None,
    tables: dict[str, dict] | None = None,
) -> str:
    """A paddock TOML config. pools: name -> {kind, servers: [{address, workers?, weight?}], ...};
    tables: more top-level tables, e.g. {"timeouts": {"client_header": "1s"}, "limits": {...}}."""
    lines = ["# written by the paddock end-to-end suite", "", "[proxy]", f"listen = {toml_value(listen)}"]
    for key, value in (proxy_extra or {}).items():
        lines.append(f"{key} = {toml_value(value)}")
    for table, entries in (tables or {}).items():
        lines += ["", f"[{table}]"] + [f"{key} = {toml_value(value)}" for key, value in entries.items()]
    lines += ["", "[admin]", f"listen = {toml_value(admin)}"]
    for name, pool in pools.items():
        lines += ["", f"[pools.{name}]"]
        for key, value in pool.items():
            if key == "servers":
                lines.append("servers = [")
                lines += [f"    {toml_value(server)}," for server in value]
                lines.append("]")
            else:
                lines.append(f"{key} = {toml_value(value)}")
    for route in routes:
        lines += ["", "[[routes]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in route.items()]
    return "\n".join(lines) + "\n"


def sync_pool(*backends: Backend, workers: int = 2, **extra) -> dict:
    return {"kind": "sync", **extra, "servers": [{"address": b.address, "workers": workers} for b in backends]}


def async_pool(*backends: Backend, addresses: list[str] | None = None, **extra) -> dict:
    addrs = addresses if addresses is not None else [b.address for b in backends]
    return {"kind": "async", **extra, "servers": [{"address": a} for a in addrs]}


class Paddock:
    """`paddock run --config FILE` with a generated config, on free loopback ports."""

    def __init__(self, name: str, work_dir: Path, pools: dict, routes: list, proxy_extra: dict | None = None,
                 extra_listen: list[str] | None = None, extra_args: list[str] | None = None,
                 tables: dict[str, dict] | None = None, env: dict | None = None):
        self.name = name
        self.host = "127.0.0.1"
        self.port = free_port()
        self.admin_port = free_port()
        self.config_path = Path(work_dir) / f"{name}.toml"
        listen = [f"127.0.0.1:{self.port}", *(extra_listen or [])]
        self.config_text = render_config(listen, f"127.0.0.1:{self.admin_port}", pools, routes, proxy_extra, tables)
        self.config_path.write_text(self.config_text)
        binary = paddock_bin()
        if not binary.is_file():
            raise FileNotFoundError(
                f"paddock binary not found at {binary}: build it with `swift build -c release` "
                "(scripts/setup does) or point PADDOCK_BIN at one"
            )
        self.proc = Proc(name, [binary, "run", "--config", self.config_path, *(extra_args or [])], work_dir, env=env)
        try:
            wait_until_accepting((self.host, self.port), self.proc)
            wait_until_accepting((self.host, self.admin_port), self.proc)
            self._smoke_check()
        except BaseException:
            self.stop()
            raise

    def _smoke_check(self) -> None:
        """Fail fast (one fixture error, not a timeout in every test) if paddock accepts
        connections but answers nothing. Any HTTP response will do, whatever its status."""
        try:
            with RawConn(self.addr, timeout=5) as conn:
                conn.send(build_request("GET", "/", host="smoke.e2e.test", headers=[("Connection", "close")]))
                conn.read_head()
        except (OSError, ConnectionClosed, ValueError) as exc:
            raise RuntimeError(
                f"{self.name} accepts connections but did not answer GET / within 5 s ({exc!r})"
                f"\n--- {self.name} log (tail) ---\n{self.log_tail()}"
            ) from None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}"

    @property
    def addr(self) -> tuple[str, int]:
        return (self.host, self.port)

    def connect(self, timeout: float = IO_TIMEOUT) -> "RawConn":
        return RawConn(self.addr, timeout=timeout)

    def stop(self) -> int | None:
        return self.proc.stop()

    def log_tail(self, lines: int = 40) -> str:
        return self.proc.log_tail(lines)

    def log(self) -> str:
        return self.proc.log_path.read_text(errors="replace")

    def write_config(self, pools: dict, routes: list, listen: list[str] | None = None,
                     admin: str | None = None) -> None:
        """Rewrites the config file in place (for a reload); by default the listeners stay."""
        listen = listen if listen is not None else [f"127.0.0.1:{self.port}"]
        self.config_text = render_config(listen, admin or f"127.0.0.1:{self.admin_port}", pools, routes)
        self.config_path.write_text(self.config_text)

    def reload(self, generation: int, timeout: float = 5) -> None:
        """SIGHUP, then waits until the log says config `generation` is installed."""
        self.proc.signal(signal.SIGHUP)
        wait_for(lambda: f"config generation {generation} installed" in self.log(), timeout=timeout,
                 what=f"{self.name}: config generation {generation} installed")


def make_pki(directory: Path) -> Path:
    """A throwaway CA (ca.pem) and two leaf certificates made with the openssl CLI: site.pem/site.key
    for site.test, *.site.test and 127.0.0.1, and api.pem/api.key for api.test and *.api.test."""
    directory.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
            "-subj", "/CN=Paddock e2e CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    for name in ("site", "api"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}.test")
        extra = ",IP:127.0.0.1" if name == "site" else ""
        (directory / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}.test,DNS:*.{name}.test{extra}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "30", "-extfile", f"{name}.ext")
    return directory


def short_tempdir(prefix: str = "paddock-e2e-") -> Path:
    """A short directory path under /tmp (unix socket paths are limited to ~107 bytes)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


# --------------------------------------------------------------------------------------------
# Raw HTTP/1.1
# --------------------------------------------------------------------------------------------

class ConnectionClosed(Exception):
    pass


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    interim: list[int] = field(default_factory=list)  # 1xx statuses seen before this one

    def header(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def tokens(self, name: str) -> set[str]:
        return {t.strip().lower() for v in self.header_all(name) for t in v.split(",") if t.strip()}

    def json(self):
        return json.loads(self.body)

    @property
    def closes(self) -> bool:
        return "close" in self.tokens("connection") or self.version == "HTTP/1.0" and "keep-alive" not in self.tokens("connection")


def build_request(method: str, target: str, host: str = "e2e.test", headers: list[tuple[str, str]] | None = None,
                  body: bytes | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    names = set()
    for k, v in headers or []:
        lines.append(f"{k}: {v}")
        names.add(k.lower())
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def chunked_body(pieces) -> bytes:
    out = bytearray()
    for piece in pieces:
        if piece:
            out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


class RawConn:
    """One TCP connection; requests written as bytes, responses parsed strictly enough for tests."""

    def __init__(self, address: tuple[str, int], timeout: float = IO_TIMEOUT, tls: "ssl.SSLContext | None" = None,
                 server_hostname: str = "site.test"):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname=server_hostname)
        self.buf = bytearray()
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, target: str, **kw) -> Response:
        self.send(build_request(method, target, **kw))
        return self.read_response(method)

    # -- reading ---------------------------------------------------------------------------
    def _fill(self) -> None:
        if self.eof:
            raise ConnectionClosed("connection closed by peer")
        data = self.sock.recv(1 << 16)
        if not data:
            self.eof = True
            raise ConnectionClosed("connection closed by peer")
        self.buf += data

    def _read_line(self, limit: int = 65536) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 2]
                return line
            if len(self.buf) > limit:
                raise ValueError("line too long")
            self._fill()

    def _read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def _read_to_eof(self) -> bytes:
        while True:
            try:
                self._fill()
            except ConnectionClosed:
                break
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def read_head(self) -> Response:
        line = self._read_line()
        try:
            version, rest = line.decode("latin-1").split(" ", 1)
            code, _, reason = rest.partition(" ")
            status = int(code)
        except ValueError:
            raise ValueError(f"bad status line {line!r}") from None
        if not version.startswith("HTTP/1."):
            raise ValueError(f"bad status line {line!r}")
        headers = []
        while True:
            line = self._read_line()
            if not line:
                break
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise ValueError(f"bad header line {line!r}")
            headers.append((name, value.strip()))
        return Response(version, status, reason, headers)

    def read_response(self, method: str = "GET", keep_interim: bool = False) -> Response:
        """The next final response (1xx responses are skipped and listed in .interim)."""
        interim = []
        while True:
            resp = self.read_head()
            if 100 <= resp.status < 200 and resp.status != 101:
                interim.append(resp.status)
                continue
            break
        resp.interim = interim
        if method.upper() == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200:
            return resp
        te = resp.tokens("transfer-encoding")
        if te:
            if "chunked" not in te:
                raise ValueError(f"unsupported transfer-encoding {te}")
            resp.body = self._read_chunked()
        elif resp.header("content-length") is not None:
            lengths = set(resp.header_all("content-length"))
            if len(lengths) != 1:
                raise ValueError(f"conflicting content-length {lengths}")
            resp.body = self._read_exact(int(lengths.pop()))
        else:
            resp.body = self._read_to_eof()
        return resp

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size_line = self._read_line()
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self._read_line():  # trailers, then the empty line
                    pass
                return bytes(out)
            out += self._read_exact(size)
            if self._read_exact(2) != b"\r\n":
                raise ValueError("chunk not followed by CRLF")

    def pending_data(self, wait: float) -> bytes:
        """Bytes that arrive within `wait` seconds beyond what was parsed (b"" if none)."""
        data = bytes(self.buf)
        if data:
            return data
        old = self.sock.gettimeout()
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                self.eof = True
            self.buf += chunk
            return chunk
        except (socket.timeout, BlockingIOError):
            return b""
        finally:
            self.sock.settimeout(old)

    def wait_closed(self, timeout: float) -> bool:
        """True if the peer closes the connection within `timeout` (any unread bytes are dropped)."""
        deadline = time.monotonic() + timeout
        old = self.sock.gettimeout()
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = self.sock.recv(1 << 16)
                except socket.timeout:
                    return False
                except ConnectionResetError:
                    return True
                if not chunk:
                    self.eof = True
                    return True
            return False
        finally:
            self.sock.settimeout(old)


# --------------------------------------------------------------------------------------------
# Observing a running paddock: /health, memory, open files
# --------------------------------------------------------------------------------------------

def health(paddock: "Paddock", timeout: float = IO_TIMEOUT) -> dict:
    """The admin /health JSON (whatever its HTTP status), read with a raw socket so that it works
    from many threads at once without a shared HTTP session."""
    with RawConn((paddock.host, paddock.admin_port), timeout=timeout) as conn:
        resp = conn.request("GET", "/health", headers=[("Connection", "close")])
    return resp.json()


def pool_health(body: dict, pool: str) -> dict:
    """One pool's entry of a /health body."""
    for entry in body["pools"]:
        if entry["name"] == pool:
            return entry
    raise KeyError(f"no pool {pool!r} in {body}")


def wait_for(predicate, timeout: float, interval: float = 0.02, what: str = "condition"):
    """Polls `predicate` until it returns something truthy (returned), or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true within {timeout:g} s (last value {value!r})")
        time.sleep(interval)


class HealthSampler:
    """Samples one pool's /health entry every `interval` seconds on a thread, while in a `with`."""

    def __init__(self, paddock: "Paddock", pool: str, interval: float = 0.02):
        self.paddock, self.pool, self.interval = paddock, pool, interval
        self.samples: list[dict] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(pool_health(health(self.paddock, timeout=2), self.pool))
            except (OSError, ConnectionClosed, ValueError, KeyError) as exc:
                self.errors.append(repr(exc))
            self._stop.wait(self.interval)

    def __enter__(self) -> "HealthSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class RssSampler:
    """Samples a process's RSS every `interval` seconds on a thread, while in a `with`."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(rss_bytes(self.pid))
            except (OSError, RuntimeError):
                return  # the process is gone; the test will notice
            self._stop.wait(self.interval)

    @property
    def peak(self) -> int:
        return max(self.samples, default=0)

    def __enter__(self) -> "RssSampler":
        self.samples.append(rss_bytes(self.pid))
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def open_files_under(pid: int, directory: Path) -> list[str]:
    """Targets of a process's open file descriptors that are (or were) inside `directory`;
    an unlinked file shows as "PATH (deleted)"."""
    prefix = str(directory).rstrip("/") + "/"
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith(prefix):
            found.append(target)
    return found


class ScriptedServer:
    """A raw backend on loopback for scripted protocol tests: accepts on `listener` from a thread
    and runs `handle(sock, number)` for each connection on a thread of its own, until `stop()`."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.listener.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self.handle, args=(sock, self.connections), daemon=True).start()

    def handle(self, sock: socket.socket, number: int) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(timeout=2)
