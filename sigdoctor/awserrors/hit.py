"""One reading of an AWS error (a cause, its status, message and fix), and what classify() returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import Any

from sigdoctor.awserrors.diff import Difference
from sigdoctor.awserrors.parse import AwsError
from sigdoctor.awserrors.unescape import unescape
from sigdoctor.model import UNDECIDED as UNDECIDED  # re-exported: the readings import it from here
from sigdoctor.model import Status
from sigdoctor.records import datarecord

# UNDECIDED: the extra key a reading path sets on an error reading whose cause the text cannot decide, with why (a
# phrase): decode names it as the first of ranked warnings (rules.py _text_cannot_decide), a live probe keeps its error.


@datarecord
class Hit:
    cause: str
    status: Status
    message: str
    fix: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@datarecord
class Classified:
    hits: list[Hit]
    diffs: list[Difference] | None = None  # None: no client canonical request to compare with
    diff_text: str = ""


def first_fail(hits: Iterable[Hit], cause: str | None = None) -> Hit | None:
    """The first error reading in `hits`' order (of `cause`, when one is named); None when there is none."""
    return next((h for h in hits if h.status == Status.FAIL and (cause is None or h.cause == cause)), None)


def cue_text(e: AwsError) -> str:
    """The record and the lines before it, both unquoted: where the user's own words (cues) are read."""
    return f"{unescape(e.context)}\n{e.flat}" if e.context else e.flat
