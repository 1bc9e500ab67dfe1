#!/usr/bin/env python3
"""Differential test of Paddock's request parser (through HTTP1Probe) against llhttp and h11.

    difftest.py [--seed N] [--count N] [--probe PATH] [--show N]

Generates the corpus (corpus.py), parses every case with the probe in one process call (twice:
keeping underscore fields, to compare field lists one to one, and with the default dropping,
to check it removes exactly those fields), with llhttp (httptools) and with h11. Fails when:

- we accept a case that llhttp rejects and no class in accepted_divergences.json explains it;
- we and llhttp both accept a case but parse it differently (method, target, version, fields,
  where the first message ends, body);
- default-mode output is not keep-mode output minus underscore fields.

Disagreements with h11 are reported as information only.
"""
from __future__ import annotations

import argparse
import collections
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import corpus  # noqa: E402
import divergences  # noqa: E402
import parsers  # noqa: E402
import probe  # noqa: E402

FIXTURE = HERE / "accepted_divergences.json"


class Report:
    def __init__(self) -> None:
        self.count = 0
        self.verdicts: collections.Counter[str] = collections.Counter()
        self.our_rejections: collections.Counter[str] = collections.Counter()
        self.explained: collections.Counter[str] = collections.Counter()
        self.failures: list[tuple[str, bytes]] = []
        self.h11: collections.Counter[str] = collections.Counter()
        self.h11_examples: list[tuple[str, bytes]] = []

    def fail(self, what: str, case: bytes) -> None:
        self.failures.append((what, case))


def listed_classes() -> dict[str, dict]:
    classes = json.loads(FIXTURE.read_text())["classes"]
    unknown = set(classes) - set(divergences.REWRITES)
    if unknown:
        raise SystemExit(f"difftest: {FIXTURE.name} lists classes without a rewrite: {sorted(unknown)}")
    return classes


def check(cases: list[bytes], keep: list[dict], default: list[dict]) -> Report:
    listed = listed_classes()
    report = Report()
    report.count = len(cases)
    for case, ours, dropped in zip(cases, keep, default):
        we_accept = compare.accepted(ours)
        ref = parsers.llhttp(case)
        report.verdicts[f"ours {'accept' if we_accept else 'reject'} / llhttp {'accept' if ref else 'reject'}"] += 1
        if not we_accept:
            report.our_rejections[ours.get("reason") or ("body framing" if ours["accepted"] else "incomplete")] += 1
        check_underscore_mode(case, ours, dropped, report)
        if we_accept and ref is None:
            classes = divergences.explain(case, ours)
            if classes is None:
                report.fail("accepted by us, rejected by llhttp, not explained by any class", case)
            elif any(name not in listed for name in classes):
                report.fail(f"accepted by us, rejected by llhttp; class {classes} not listed", case)
            else:
                report.explained["+".join(classes)] += 1
        elif we_accept:
            diffs = compare.differences(ours, ref)
            if diffs:
                report.fail("parsed differently from llhttp: " + "; ".join(diffs), case)
        compare_h11(case, ours, we_accept, report)
    return report


def check_underscore_mode(case: bytes, keep: dict, dropped: dict, report: Report) -> None:
    if keep["accepted"] != dropped["accepted"]:
        report.fail("dropping underscore fields changed acceptance", case)
    elif keep["accepted"]:
        expected = [(n, v) for n, v in keep["fields"] if b"_" not in n]
        if dropped["fields"] != expected:
            report.fail("default mode did not drop exactly the underscore fields", case)


def compare_h11(case: bytes, ours: dict, we_accept: bool, report: Report) -> None:
    ref = parsers.h11_parse(case)
    h11_accepts = ref is not None and not ref.get("error")
    if we_accept and not h11_accepts:
        kind = "ours accept, h11 rejects"
    elif h11_accepts and not we_accept:
        kind = "h11 accepts, ours reject"
    elif we_accept and compare.differences(ours, ref):
        kind = "both accept, parsed differently"
    else:
        return
    report.h11[kind] += 1
    if sum(1 for k, _ in report.h11_examples if k == kind) < 3:
        report.h11_examples.append((kind, case))


def print_report(report: Report, show: int) -> None:
    print(f"difftest: {report.count} inputs")
    for verdict, n in sorted(report.verdicts.items()):
        print(f"  {verdict}: {n}")
    accepted_by_us = sum(n for v, n in report.verdicts.items() if v.startswith("ours accept"))
    accepted_by_llhttp = sum(n for v, n in report.verdicts.items() if v.endswith("llhttp accept"))
    print(f"  accepted: ours {accepted_by_us}, llhttp {accepted_by_llhttp}")
    print("  our most frequent rejection reasons: " + ", ".join(
        f"{reason} ({n})" for reason, n in report.our_rejections.most_common(8)))
    print(f"  accepted by us, rejected by llhttp, explained: {sum(report.explained.values())}")
    for classes, n in sorted(report.explained.items()):
        print(f"    {classes}: {n}")
    print("  h11 (information): " + (", ".join(f"{k}: {n}" for k, n in sorted(report.h11.items())) or "no disagreement"))
    for kind, case in report.h11_examples[:show]:
        print(f"    {kind}: {case[:160]!r}")
    print(f"  failures: {len(report.failures)}")
    for what, case in report.failures[:show]:
        print(f"    {what}\n      {case[:300]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--count", type=int, default=12000)
    parser.add_argument("--probe", type=pathlib.Path, help="HTTP1Probe binary (default: $PADDOCK_PROBE or .build)")
    parser.add_argument("--show", type=int, default=10, help="examples to print per list")
    args = parser.parse_args()
    probe_path = args.probe or probe.find_probe()
    if probe_path is None or not probe_path.is_file():
        print("difftest: HTTP1Probe not found (build it: swift build --product HTTP1Probe)", file=sys.stderr)
        return 2
    cases = corpus.generate(args.seed, args.count)
    keep = probe.run(probe_path, cases, keep_underscore=True)
    default = probe.run(probe_path, cases, keep_underscore=False)
    report = check(cases, keep, default)
    print(f"difftest: seed {args.seed}, probe {probe_path}")
    print_report(report, args.show)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
