"""Compares our parse of a case with a reference parser's."""
from __future__ import annotations

OWS = b" \t"


def accepted(ours: dict) -> bool:
    """We accept a case when the head parsed and the body framing did not fail."""
    return ours["accepted"] and "body_error" not in ours


def differences(ours: dict, ref: dict) -> list[str]:
    """What differs between two accepted parses: method, target, version, fields (OWS-trimmed,
    as RFC 9110 §5.5 excludes it from the value), and for complete messages the body."""
    diffs = []
    for key in ("method", "target", "version"):
        if ours[key] != ref[key]:
            diffs.append(f"{key}: ours {ours[key]!r} ref {ref[key]!r}")
    ref_fields = [(n, v.strip(OWS)) for n, v in ref["fields"]]
    if ours["fields"] != ref_fields:
        diffs.append(f"fields: ours {ours['fields']!r} ref {ref_fields!r}")
    if ours["body_complete"] != ref["complete"]:
        diffs.append(f"message end: ours complete={ours['body_complete']} ref complete={ref['complete']}")
    elif ours["body"] != ref["body"]:
        diffs.append(f"body: ours {ours['body'][:60]!r} ref {ref['body'][:60]!r}")
    return diffs
