"""How a problem the text cannot decide is shown (text and Markdown alike): one heading, why the text cannot decide,
one command that decides, then its ranked candidates, each worded as a possibility.

The candidates are root causes of one group (RootCause.group, from causes.diagnose); their evidence is decode's
readings, which name the candidate ("The text cannot decide; most likely X: …" — model.cannot_decide_lead, "Or X,
if … — the text alone cannot tell", "Or: …"): under a heading that already says so, each shows only what its reading
says. Lines of the fix that repeat the group's command, or list the candidates that follow anyway, are left out.
"""

from __future__ import annotations

import re

from sigdoctor.model import SETTLE_LINES, RootCause, cannot_decide_lead

# How a reading lists its rivals in a line (how it names the deciding command: model.SETTLE_LINES).
_RANKED_LINES = ("Text alone cannot decide; ranked:", "Likely causes, ranked:")
_CHAIN_SETTLE = "Text alone cannot decide: "
# A sigdoctor command in backticks, without what a parenthesis adds ("(on the agent's host, or --pid …)").
_COMMAND_RE = re.compile(r"`(sigdoctor\s[^`(]*)")


def heading(candidates: int) -> str:
    if candidates == 1:
        return "The text cannot decide whether this is the cause"
    return f"The text cannot decide between {candidates} causes (most likely first)"


def why_line(why: str) -> str:
    why = why.strip()
    return why[:1].upper() + why[1:] + ("" if why.endswith((".", "…")) else ".")


def settle_line(settle: str) -> str:
    """The group's one command, as a "Settle it:" line."""
    if settle.startswith(_CHAIN_SETTLE):
        rest = settle[len(_CHAIN_SETTLE):].removesuffix(" to settle it")
        return f"Settle it: {rest}"
    return settle


def _commands(line: str) -> frozenset[str]:
    return frozenset(" ".join(m.split()) for m in _COMMAND_RE.findall(line))


def candidate_fix(c: RootCause) -> tuple[str, ...]:
    """The candidate's fix without the group's command (said once above it) or a line ranking its rivals."""
    group = _commands(c.settle)
    out = []
    for line in c.fix:
        if line.startswith(_RANKED_LINES):
            continue
        if line.startswith(SETTLE_LINES) and (line == c.settle or (group and _commands(line) <= group)):
            continue
        out.append(line)
    return tuple(out)


def candidate_evidence(c: RootCause) -> tuple[str, ...]:
    """Each reading as what it says of this candidate, without the lead that names it as one."""
    cid = re.escape(c.id)
    leads = ((re.escape(cannot_decide_lead(c.id)), ""),
             (rf"Or {cid}, if (.*?) — the text alone cannot tell", r"if \1"),
             (rf"Or {cid}: ", ""),
             (r"Or: ", ""))
    out = []
    for line in c.evidence:
        for lead, repl in leads:
            said, n = re.subn("^" + lead, repl, line, count=1)
            if n:
                line = said[:1].upper() + said[1:]
                break
        out.append(line)
    return tuple(out)
