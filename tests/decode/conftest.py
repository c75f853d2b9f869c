"""Helpers for decode tests: run `decode_report` on a fixture and see the causes a user would see.

Some cause files are owned by other probes and may not exist yet in checks/causes; `top_cause` then falls back to a
stand-in rule for the `decode.<id>` finding, so the table still tests decode's choice, not the shipping state.
"""

from __future__ import annotations

import io
from pathlib import Path

from sigdoctor.awserrors import resemblance
from sigdoctor.causes import CauseRule, diagnose, load_rules
from sigdoctor.context import Context
from sigdoctor.decode import decode_report
from sigdoctor.decode.probe import CAUSES
from sigdoctor.model import CANNOT_DECIDE_LEAD, Confidence, Finding, Report, Severity

INPUTS = Path(__file__).parent / "inputs"


def decode_file(name: str, *, client: str | None = None) -> Report:
    return decode_report(INPUTS / name, client=INPUTS / client if client else None, ctx=Context(env={}))


def decode_text(text: str | bytes) -> Report:
    data = text.encode() if isinstance(text, str) else text
    return decode_report(io.BytesIO(data), client=None, ctx=Context(env={}))


def findings(report: Report) -> list[Finding]:
    """The readings decode makes of the text (a cause it only lists as a candidate is not one: see candidates())."""
    return [f for f in report.probes[0].findings if f.id != "decode.summary" and "candidate_of" not in f.evidence]


def candidates(report: Report) -> list[Finding]:
    return [f for f in report.probes[0].findings if "candidate_of" in f.evidence]


def finding(report: Report, cause: str) -> Finding:
    for f in findings(report):
        if f.id == f"decode.{cause}":
            return f
    raise AssertionError(f"no decode.{cause} in {[f.id for f in findings(report)]}")


def rules_with_stand_ins() -> dict[str, CauseRule]:
    rules = load_rules()
    for cid in CAUSES:
        if cid in rules and f"decode.{cid}" in rules[cid].when:
            continue
        base = rules.get(cid)
        rules[cid] = CauseRule(
            id=cid, title=base.title if base else cid,
            severity=base.severity if base else Severity.ERROR,
            confidence=base.confidence if base else Confidence.HIGH,
            priority=base.priority if base else 50, summary="",
            when=(*(base.when if base else ()), f"decode.{cid}"),
            suppresses=base.suppresses if base else (), fix=(),
        )
    return rules


def ranked_causes(report: Report) -> list[tuple[str, Severity]]:
    """(cause, severity) of each root cause of `report`, ranked, with stand-in rules for decode's own findings."""
    return [(c.id, c.severity) for c in diagnose(report.probes, rules_with_stand_ins())]


# A model that knows no word: no text is compared with the corpus under it.
_NO_MODEL = resemblance.Model(("none",), 1, (0.0,), (0.0,), {})


def read_causes(text: str | bytes) -> list[tuple[str, Severity]]:
    """The causes decode's rules read in `text`, without the comparison of an unread paste with the corpus
    (awserrors/resemblance.py), which speaks only where they name nothing: for tests that a wording is not read."""
    with resemblance.substituted(_NO_MODEL):
        return text_causes(text)


def text_causes(text: str | bytes) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def top_cause(report: Report) -> str | None:
    causes = ranked_causes(report)
    return causes[0][0] if causes else None


def undecided_first(text: str | bytes) -> str:
    """The first cause of a text whose error the text cannot decide (awserrors.hit.UNDECIDED): it is a warning whose
    message says the text cannot decide, and it is read as AWS's own answer (its message does not say the server is
    not AWS). Returns the cause's id."""
    report = decode_text(text)
    cause, severity = ranked_causes(report)[0]
    assert severity == Severity.WARNING, (cause, severity)
    said = [f.message for f in findings(report) if f.id == f"decode.{cause}"]
    assert any(m.startswith(CANNOT_DECIDE_LEAD) for m in said), said
    assert not any("not AWS" in m for m in said), said
    return cause
