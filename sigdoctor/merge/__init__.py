"""`sigdoctor merge`: many hosts' JSON reports as one fleet view (causes × hosts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from sigdoctor.errors import UsageError
from sigdoctor.merge.aggregate import Fleet, aggregate
from sigdoctor.merge.load import load
from sigdoctor.merge.render import json_lines, render_markdown, render_text
from sigdoctor.merge.sanitize import Cleaner
from sigdoctor.redact import Redactor
from sigdoctor.timed_input import ReadDeadline

__all__ = ["Fleet", "aggregate", "load", "merge_command", "merge_lines"]

FORMATS = ("text", "json", "markdown")


def merge_command(sources: list[str], fmt: str, color: bool, stdin: TextIO | None = None,
                  redactor: Redactor | None = None, deadline: ReadDeadline | None = None) -> tuple[str, int]:
    """The rendered fleet view and the exit code (merge_lines, joined)."""
    lines, code = merge_lines(sources, fmt, color, stdin, redactor, deadline)
    return "".join(lines), code


def merge_lines(sources: list[str], fmt: str, color: bool, stdin: TextIO | None = None,
                redactor: Redactor | None = None, deadline: ReadDeadline | None = None) -> tuple[Iterable[str], int]:
    """The rendered fleet view, line by line, and the exit code: 1 if any host has an error-severity cause, else 0.
    Every input is read before this returns; the JSON view's lines are made as they are consumed (for 100,000
    hosts the whole view is 29 MB as one string, and ~60 MB more as the list of its lines).
    Raises UsageError (exit 2) for a missing path, an unknown format, a closed stdin, or no valid report at all.
    `redactor`: the process's (with what it learned), else a fresh one (patterns only). `deadline`: stdin or a FIFO
    still open when it passes counts as ended (recorded in it; the caller says so and exits non-zero)."""
    if fmt not in FORMATS:
        raise UsageError(f"merge cannot write --format {fmt}", f"use one of: {', '.join(FORMATS)}")
    redactor = redactor or Redactor()
    fleet = aggregate(load(sources, stdin, deadline), Cleaner(redactor))
    if not fleet.hosts:
        first = fleet.skipped[0] if fleet.skipped else None
        detail = f": {first.source}: {first.reason}" if first else " (the inputs are empty)"
        if deadline is not None and deadline.cut and not first:
            detail = f" ({', '.join(deadline.cut_sources)} sent none before --deadline {deadline.seconds:g}s)"
        raise UsageError(f"no sigdoctor JSON report found{detail}",
                         "merge reads `sigdoctor run --format json` output (schema_version 1)")
    # Every string taken from a report was redacted and made visible as it was read (sanitize.py), before any
    # rendering could fold or escape it. The JSON view adds only its own keys to those strings; the text and
    # Markdown views also join them into sentences and tables, which get one more pass as a whole (they are small:
    # host lists are cut at 8; the JSON view lists every host, and a pass over 100,000 of them would cost ~8 s).
    if fmt == "json":
        return json_lines(fleet), fleet.exit_code
    text = render_markdown(fleet) if fmt == "markdown" else render_text(fleet, color=color)
    return redactor.text(text).splitlines(keepends=True), fleet.exit_code
