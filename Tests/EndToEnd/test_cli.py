"""The command line: `paddock check`, `paddock run` with a bad config, `paddock version`."""

from __future__ import annotations

import subprocess

import pytest

from harness import ROOT, free_port, paddock_bin, render_config


def paddock(*args, timeout=10) -> subprocess.CompletedProcess:
    binary = paddock_bin()
    if not binary.is_file():
        pytest.fail(f"paddock binary not found at {binary} (build it, or set PADDOCK_BIN)")
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def config_text(api_kind="async", route_pool="api") -> str:
    return render_config(
        # free ports, in case a `run` starts although it should not
        listen=[f"127.0.0.1:{free_port()}"],
        admin=f"127.0.0.1:{free_port()}",
        pools={
            "web": {"kind": "sync", "servers": [{"address": "127.0.0.1:18001", "workers": 2}]},
            "api": {"kind": api_kind, "servers": [{"address": "127.0.0.1:18002"}]},
        },
        routes=[{"path_prefix": "/api/", "pool": route_pool}, {"pool": "web"}],
    )


def error_line(stderr: str, path, key: str) -> str:
    """The stderr line for `key` in `path`, in the contract's form "FILE: KEY: message"."""
    prefix = f"{path}: {key}: "
    lines = [line for line in stderr.splitlines() if line.startswith(prefix)]
    assert lines, f"no line starting with {prefix!r} on stderr:\n{stderr}"
    return lines[0]


@pytest.fixture
def good_config(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(config_text())
    return path


@pytest.fixture
def misspelt_kind(tmp_path):
    path = tmp_path / "misspelt-kind.toml"
    path.write_text(config_text(api_kind="asynk"))
    return path


@pytest.fixture
def unknown_pool(tmp_path):
    path = tmp_path / "unknown-pool.toml"
    path.write_text(config_text(route_pool="nope"))
    return path


def test_version():
    done = paddock("version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "paddock version printed nothing"


def test_check_good_config(good_config):
    done = paddock("check", "--config", good_config)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one summary line, got {done.stdout!r}"


def test_check_demo_config():
    """The config users copy (config/paddock.toml) is valid."""
    done = paddock("check", "--config", ROOT / "config" / "paddock.toml")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1, done.stdout


def test_check_misspelt_kind(misspelt_kind):
    done = paddock("check", "--config", misspelt_kind)
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    line = error_line(done.stderr, misspelt_kind, "pools.api.kind")
    assert '"asynk"' in line, line
    assert 'did you mean "async"' in line, line


def test_check_unknown_pool_in_route(unknown_pool):
    done = paddock("check", "--config", unknown_pool)
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    line = error_line(done.stderr, unknown_pool, "routes[0].pool")
    assert '"nope"' in line, line


@pytest.mark.parametrize("bad, key", [("misspelt_kind", "pools.api.kind"), ("unknown_pool", "routes[0].pool")])
def test_run_with_bad_config_exits_1_with_the_same_message(request, bad, key):
    path = request.getfixturevalue(bad)
    checked = paddock("check", "--config", path)
    ran = paddock("run", "--config", path, timeout=10)
    assert ran.returncode == 1, (ran.returncode, ran.stderr)
    assert error_line(ran.stderr, path, key) == error_line(checked.stderr, path, key)


def test_check_missing_file(tmp_path):
    missing = tmp_path / "absent.toml"
    done = paddock("check", "--config", missing)
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert str(missing) in done.stderr, done.stderr


def test_status_prints_the_pools_as_a_table(proxy, web_backend, api_backend):
    by_config = paddock("status", "--config", proxy.config_path)
    assert by_config.returncode == 0, by_config.stderr
    lines = by_config.stdout.splitlines()
    assert lines[0] == "status: ok"
    assert lines[1].split() == ["POOL", "KIND", "QUEUED", "SERVER", "STATE", "IN", "FLIGHT", "WORKERS", "SINCE", "LAST", "CHECK"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["web"][:5] == ["web", "sync", "0", web_backend.address, "up"]
    assert rows["api"][:5] == ["api", "async", "0", api_backend.address, "up"]
    by_address = paddock("status", "--admin", f"127.0.0.1:{proxy.admin_port}")
    assert by_address.returncode == 0 and by_address.stdout.splitlines()[0] == "status: ok"


def test_status_says_when_nothing_answers():
    result = paddock("status", "--admin", f"127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "paddock status: cannot ask 127.0.0.1:" in result.stderr and "refused" in result.stderr.lower()
