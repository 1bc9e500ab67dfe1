"""Runs the HTTP1Probe executable on many inputs in one process."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def find_probe() -> pathlib.Path | None:
    """$PADDOCK_PROBE, else the newest of .build/{debug,release}/HTTP1Probe."""
    if os.environ.get("PADDOCK_PROBE"):
        path = pathlib.Path(os.environ["PADDOCK_PROBE"])
        return path if path.is_file() else None
    found = [p for p in (ROOT / ".build/debug/HTTP1Probe", ROOT / ".build/release/HTTP1Probe") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def run(probe: pathlib.Path, cases: list[bytes], keep_underscore: bool) -> list[dict]:
    args = [str(probe)] + (["--keep-underscore"] if keep_underscore else [])
    text = "".join(case.hex() + "\n" for case in cases)
    done = subprocess.run(args, input=text.encode(), capture_output=True, check=True, timeout=600)
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    if len(results) != len(cases):
        raise RuntimeError(f"probe answered {len(results)} of {len(cases)} cases")
    for result in results:
        for key in ("method", "target", "origin_target", "host"):
            if key in result:
                result[key] = result[key].encode("latin-1")
        if "fields" in result:
            result["fields"] = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in result["fields"]]
        if "body_hex" in result:
            result["body"] = bytes.fromhex(result.pop("body_hex"))
    return results
