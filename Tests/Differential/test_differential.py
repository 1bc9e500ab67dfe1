"""The differential test in the normal test run (pytest).

Builds nothing: uses $PADDOCK_PROBE, else .build/debug/HTTP1Probe or .build/release/HTTP1Probe
(`swift build --product HTTP1Probe`), and is skipped only when no probe binary exists.
scripts/difftest builds the probe and runs the same check with a summary and --seed/--count.
"""
from __future__ import annotations

import json

import pytest

import compare
import corpus
import difftest
import divergences
import parsers
import probe

PROBE = probe.find_probe()
needs_probe = pytest.mark.skipif(PROBE is None, reason="HTTP1Probe binary not found: set PADDOCK_PROBE or run "
                                                      "`swift build --product HTTP1Probe` (scripts/difftest does)")

SEED = 20240601
COUNT = 12000

# One input per accepted-divergence class: we accept it, llhttp rejects it.
CLASS_EXAMPLES = {
    "extension-method": b"FOO / HTTP/1.1\r\nHost: a\r\n\r\n",
    "transfer-encoding-list-syntax": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
    "chunk-extension-bws": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 ; a = b\r\nabc\r\n0\r\n\r\n",
    "trailer-fields-discarded":
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n",
}


def run_probe(cases: list[bytes], keep_underscore: bool = True) -> list[dict]:
    assert PROBE is not None
    return probe.run(PROBE, cases, keep_underscore=keep_underscore)


@needs_probe
def test_generated_corpus_agrees_with_llhttp() -> None:
    cases = corpus.generate(SEED, COUNT)
    report = difftest.check(cases, run_probe(cases), run_probe(cases, keep_underscore=False))
    assert report.count >= 10000
    # Not vacuous: a good share of the corpus is accepted and compared field by field.
    accepted = sum(n for verdict, n in report.verdicts.items() if verdict == "ours accept / llhttp accept")
    assert accepted > COUNT // 10
    assert not report.failures, "\n".join(f"{what}: {case[:200]!r}" for what, case in report.failures[:20])


@needs_probe
@pytest.mark.parametrize("name", sorted(CLASS_EXAMPLES))
def test_each_listed_class_explains_its_example(name: str) -> None:
    case = CLASS_EXAMPLES[name]
    (ours,) = run_probe([case])
    assert compare.accepted(ours)
    assert parsers.llhttp(case) is None
    assert divergences.explain(case, ours) == [name]


def test_fixture_lists_every_class_with_a_reason() -> None:
    classes = json.loads(difftest.FIXTURE.read_text())["classes"]
    assert set(classes) == set(divergences.REWRITES) == set(CLASS_EXAMPLES)
    for entry in classes.values():
        assert entry["rfc"] and len(entry["reason"]) > 80


@needs_probe
def test_an_unlisted_difference_is_not_explained() -> None:
    # A rewrite must make llhttp agree with our parse exactly; a different field list must
    # still be reported, even when the class's feature is present.
    case = CLASS_EXAMPLES["extension-method"]
    (ours,) = run_probe([case])
    forged = {**ours, "fields": ours["fields"] + [(b"X-Smuggled", b"1")]}
    assert divergences.explain(case, forged) is None


@needs_probe
def test_default_mode_drops_only_underscore_fields() -> None:
    case = b"GET / HTTP/1.1\r\nHost: a\r\nX_User: evil\r\nX-User: good\r\n\r\n"
    kept, dropped = run_probe([case])[0], run_probe([case], keep_underscore=False)[0]
    assert kept["fields"] == [(b"Host", b"a"), (b"X_User", b"evil"), (b"X-User", b"good")]
    assert dropped["fields"] == [(b"Host", b"a"), (b"X-User", b"good")]
