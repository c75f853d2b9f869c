"""`sigdoctor merge`: many hosts' JSON reports as one fleet view (causes × hosts)."""

from __future__ import annotations

import sys
from typing import TextIO

from sigdoctor.errors import UsageError
from sigdoctor.merge.aggregate import Fleet, aggregate
from sigdoctor.merge.load import load
from sigdoctor.merge.render import render_json, render_markdown, render_text
from sigdoctor.redact import Redactor

__all__ = ["Fleet", "aggregate", "load", "merge_command"]

FORMATS = ("text", "json", "markdown")


def merge_command(sources: list[str], fmt: str, color: bool, stdin: TextIO | None = None) -> tuple[str, int]:
    """The rendered fleet view and the exit code: 1 if any host has an error-severity cause, else 0.
    Raises UsageError (exit 2) for a missing path, an unknown format, or no valid report at all."""
    if fmt not in FORMATS:
        raise UsageError(f"merge cannot write --format {fmt}", f"use one of: {', '.join(FORMATS)}")
    fleet = aggregate(load(sources, stdin if stdin is not None else sys.stdin))
    if fmt == "json":
        text = render_json(fleet)
    elif fmt == "markdown":
        text = render_markdown(fleet)
    else:
        text = render_text(fleet, color=color)
    # Reports were redacted when written; a hand-edited or foreign one must not leak through the fleet view.
    return Redactor().text(text), fleet.exit_code
