"""The finding that says a probe did not finish: `<probe>.diagnosis-incomplete` (cause `diagnosis-incomplete`).

A probe that crashed, was cut by the deadline, or never started proves nothing either way, so exit 0 ("no problems")
must not stand on it. The finding names what did not finish, the step that was in flight and how long it had
waited, and the `--deadline` that would let it finish.
"""

from __future__ import annotations

import math
from typing import Any

from sigdoctor.context import Step
from sigdoctor.model import Finding, Status

NAME = "diagnosis-incomplete"


def finding_id(probe_id: str) -> str:
    return f"{probe_id}.{NAME}"


def suggested_deadline(deadline_s: float, at_s: float, step: Step | None, waited_s: float) -> int:
    """A `--deadline` that leaves the step its whole limit (and a second to report), else twice the deadline."""
    if step is not None and step.limit_s is not None:
        need = at_s + max(0.0, step.limit_s - waited_s) + 1.0
    else:
        need = 2 * deadline_s
    return max(math.ceil(deadline_s) + 1, math.ceil(need))


def cut(probe_id: str, title: str, *, limit: str, by_deadline: bool, deadline_s: float, at_s: float,
        ran_s: float, step: Step | None, now: float) -> Finding:
    """The probe ran `ran_s` seconds and was cut `at_s` seconds into the run by `limit`."""
    evidence: dict[str, Any] = {"probe": probe_id, "reason": "cut", "limit": limit, "ran_s": round(ran_s, 1),
                                "deadline_s": deadline_s}
    message = f"{title}: did not finish — cut after {ran_s:.1f} s by {limit}"
    waited = 0.0
    if step is not None:
        waited = max(0.0, now - step.started)
        message += f", while waiting for {step.text} (waited {waited:.1f} s"
        message += f" of its {step.limit_s:g} s)" if step.limit_s is not None else ")"
        evidence.update(step=step.text, waited_s=round(waited, 1), step_limit_s=step.limit_s)
    if by_deadline:
        more = suggested_deadline(deadline_s, at_s, step, waited)
        evidence["suggested_deadline_s"] = more
        message += f"; --deadline {more} would give it time to finish"
        evidence["fix"] = [f"Run again with --deadline {more} to let {probe_id} finish",
                           "If the step never answers (a silent endpoint, a stuck process), the other findings say "
                           "where the path is broken"]
    else:
        evidence["fix"] = [f"{probe_id} has a fixed {limit}: the step in flight is what to look at"]
    return Finding(finding_id(probe_id), Status.FAIL, message, evidence)


def crashed(probe_id: str, title: str, text: str) -> Finding:
    return Finding(finding_id(probe_id), Status.FAIL, f"{title}: did not finish — it crashed ({text})",
                   {"probe": probe_id, "reason": "crashed", "error": text,
                    "fix": ["This is a bug in sigdoctor: run again with --debug and report the crash log"]})


def not_started(probe_id: str, title: str, why: str, deadline_s: float | None = None) -> Finding:
    evidence: dict[str, Any] = {"probe": probe_id, "reason": "not started", "why": why}
    message = f"{title}: never started — {why}"
    if deadline_s is not None:
        more = math.ceil(2 * deadline_s)
        evidence["suggested_deadline_s"] = more
        evidence["fix"] = [f"Run again with --deadline {more}"]
        message += f"; --deadline {more} would leave it time"
    return Finding(finding_id(probe_id), Status.FAIL, message, evidence)


def gave_up(probe_id: str, what: str, waited_s: float, deadline_s: float) -> Finding:
    """A probe that ended itself early because the deadline left no time for `what` (it reports why)."""
    more = max(math.ceil(deadline_s) + 1, math.ceil(2 * deadline_s))
    return Finding(finding_id(probe_id), Status.FAIL,
                   f"{probe_id}: did not finish — {what} (waited {waited_s:.1f} s); --deadline {more} would leave it "
                   "time", {"probe": probe_id, "reason": "deadline", "step": what, "waited_s": round(waited_s, 1),
                            "suggested_deadline_s": more, "fix": [f"Run again with --deadline {more}"]})
