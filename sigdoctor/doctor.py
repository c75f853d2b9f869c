"""From a Context to a finished, redacted Report: run the probes, derive the causes, assemble the document."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sigdoctor import __version__
from sigdoctor.causes import diagnose, load_rules
from sigdoctor.context import Context
from sigdoctor.model import ProbeResult, Report
from sigdoctor.probe import Probe
from sigdoctor.runner import Observer, run_probes


def run_report(
    ctx: Context,
    probes: Iterable[Probe],
    *,
    command: str = "run",
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    observer: Observer | None = None,
) -> Report:
    rules = load_rules()  # before probing: a broken cause file must fail fast, not after a 20 s run
    started = datetime.now(UTC)
    t0 = time.monotonic()
    results = run_probes(ctx, probes, only=only, skip=skip, observer=observer)
    report = Report(
        command=command,
        started_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        duration_ms=int((time.monotonic() - t0) * 1000),
        environment=environment(ctx, command),
        probes=tuple(results),
        root_causes=diagnose(results, rules),
        credentials=_credentials_section(results),
        version=__version__,
    )
    # The single choke point: nothing leaves this function unredacted.
    return ctx.redactor.obj(report)


def environment(ctx: Context, command: str = "run") -> dict[str, Any]:
    if command == "decode":
        # A pasted log comes from another host: the region this machine is configured for says nothing about it
        # (each error's own endpoint and credential scope are in its evidence), and resolving it would load
        # botocore's configuration only to print a wrong answer.
        env: dict[str, Any] = {"region": None, "targets": list(ctx.targets)}
    else:
        from sigdoctor.endpoints import resolve_region

        region = resolve_region(ctx)
        env = {"region": region.name, "targets": list(ctx.targets)}
        if region.guessed:
            env["region_guessed"] = region.guessed
    if ctx.profile:
        env["profile"] = ctx.profile
    if ctx.role_arn:
        env["role_arn"] = ctx.role_arn
    env["host"] = _hostname()
    env["offline"] = ctx.offline
    env["deadline_s"] = ctx.deadline_s
    return env


def _hostname() -> str:
    """socket.gethostname() without importing socket (~3 ms of every report's start-up): the C library reads the
    same kernel field, uname's nodename, on Linux and the BSDs (macOS included)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _credentials_section(results: list[ProbeResult]) -> dict[str, Any] | None:
    for r in results:
        section = r.data.get("credentials")
        if isinstance(section, dict):
            return section
    return None
