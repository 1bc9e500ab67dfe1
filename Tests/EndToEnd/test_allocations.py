"""Heap allocations per proxied request, counted in the real binary: an LD_PRELOAD shim
(alloc/count_malloc.c, compiled here with the toolchain's clang) counts every malloc, calloc,
realloc and aligned allocation of paddock. 10,000 keep-alive GETs through an async pool, after a
warm-up, must stay under a ceiling (issue 9: the goal is none in steady state)."""

from __future__ import annotations

import http.client
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from harness import Paddock, async_pool, paddock_bin

HERE = Path(__file__).resolve().parent
REQUESTS = 10_000
# Measured 2026-12-06: 10 (19 before the connection cache, the writer and the balancer stopped
# allocating per request). Lower it as allocations go away; see the README's benchmark notes.
CEILING_PER_REQUEST = 12


def compiler() -> str | None:
    return shutil.which("clang") or shutil.which("cc")


@pytest.fixture(scope="module")
def counter_library(work_dir) -> Path:
    cc = compiler()
    if cc is None:
        pytest.fail("no C compiler (clang comes with the Swift toolchain) to build the allocation counter")
    out = work_dir / "libcount_malloc.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(out), str(HERE / "alloc" / "count_malloc.c")],
                   check=True, capture_output=True, timeout=60)
    return out


def read_count(path: Path) -> int:
    return struct.unpack("<Q", path.read_bytes()[:8])[0]


def run_requests(paddock: Paddock, count: int) -> None:
    conn = http.client.HTTPConnection(paddock.host, paddock.port, timeout=5)
    try:
        for _ in range(count):
            conn.request("GET", "/api/", headers={"Host": "alloc.test"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
    finally:
        conn.close()


def test_heap_allocations_per_keep_alive_request_stay_under_the_ceiling(work_dir, api_backend, counter_library):
    if os.environ.get("PADDOCK_SANITIZER"):
        pytest.skip("a sanitizer has its own allocator")
    count_file = work_dir / "alloc-count"
    count_file.write_bytes(b"\0" * 8)
    paddock = Paddock("paddock-alloc", work_dir, pools={"api": async_pool(api_backend)}, routes=[{"pool": "api"}],
                      proxy_extra={"access_log": "off"},
                      env={"LD_PRELOAD": str(counter_library), "PADDOCK_ALLOC_COUNT_FILE": str(count_file)})
    try:
        run_requests(paddock, 1_000)  # warm-up: caches, pools, the upstream keep-alive connection
        before = read_count(count_file)
        assert before > 0, "the counter did not see paddock's allocations (LD_PRELOAD not applied?)"
        run_requests(paddock, REQUESTS)
        per_request = (read_count(count_file) - before) / REQUESTS
    finally:
        paddock.stop()
    print(f"\npaddock: {per_request:.1f} heap allocations per keep-alive request ({paddock_bin()})")
    assert per_request <= CEILING_PER_REQUEST, f"{per_request:.1f} allocations per request"
