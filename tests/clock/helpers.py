from __future__ import annotations

from sigdoctor.model import Finding, Outcome


def only(outcome: Outcome, fid: str) -> Finding:
    found = [f for f in outcome.findings if f.id == fid]
    assert len(found) == 1, f"expected one {fid}, got {[(f.id, f.status, f.message) for f in outcome.findings]}"
    return found[0]


def ids(outcome: Outcome) -> set[str]:
    return {f.id for f in outcome.findings}


def source(outcome: Outcome, kind: str, server: str) -> dict[str, object]:
    for s in outcome.data["clock"]["sources"]:
        if s["kind"] == kind and s["server"] == server:
            return dict(s)
    raise AssertionError(f"no {kind} source {server}: {outcome.data['clock']['sources']}")
