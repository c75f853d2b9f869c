"""Runs probes in registry order, gated on what they require, each bounded by its timeout and the run's deadline.

A probe that raises becomes an `error` result with its (redacted) exception text; one that overruns becomes an
`error` saying so. Neither ever disappears from the report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Protocol

from sigdoctor.context import Context
from sigdoctor.model import Outcome, ProbeResult, Status
from sigdoctor.probe import Probe

# A requirement is met by a probe that ran to the end. A `fail` still counts: the credentials probe fails on
# env-shadows-role while the credentials work, and identity must still check them. Probes look in ctx.shared for
# what they need and skip with their own reason when it is missing.
_BLOCKING = (Status.ERROR, Status.SKIP)


class Observer(Protocol):
    def on_start(self, probe: Probe) -> None: ...
    def on_finish(self, result: ProbeResult) -> None: ...


class NullObserver:
    def on_start(self, probe: Probe) -> None:
        pass

    def on_finish(self, result: ProbeResult) -> None:
        pass


def select(probes: Iterable[Probe], only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[tuple[Probe, str]]:
    """Pair each probe with a reason it is deselected ('' when it runs); unknown ids are a usage error."""
    probes = list(probes)
    known = {p.id for p in probes}
    only, skip = list(only), list(skip)
    unknown = sorted({*only, *skip} - known)
    if unknown:
        raise ValueError(f"unknown probe {', '.join(unknown)} (known: {', '.join(p.id for p in probes)})")
    out = []
    for p in probes:
        if only and p.id not in only:
            out.append((p, "not selected (--only)"))
        elif p.id in skip:
            out.append((p, "skipped (--skip)"))
        else:
            out.append((p, ""))
    return out


def run_probes(
    ctx: Context,
    probes: Iterable[Probe],
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    observer: Observer | None = None,
) -> list[ProbeResult]:
    observer = observer or NullObserver()
    results: dict[str, ProbeResult] = {}
    ordered: list[ProbeResult] = []
    for probe, deselected in select(probes, only, skip):
        observer.on_start(probe)
        if deselected:
            result = _skipped(probe, deselected)
        elif reason := _unmet(probe, results):
            result = _skipped(probe, reason)
        elif ctx.remaining() <= 0:
            result = _skipped(probe, f"deadline of {ctx.deadline_s:g}s reached before it could start")
        else:
            result = _run_one(ctx, probe, dict(results))
        results[probe.id] = result
        ordered.append(result)
        observer.on_finish(result)
    return ordered


def _unmet(probe: Probe, results: dict[str, ProbeResult]) -> str:
    for req in probe.requires:
        r = results.get(req)
        if r is None or r.status in _BLOCKING:
            state = "did not run" if r is None else r.status.value
            return f"requires {req} ({state})"
    return ""


def _skipped(probe: Probe, reason: str) -> ProbeResult:
    return ProbeResult(probe.id, probe.title, Status.SKIP, reason, 0)


def _run_one(ctx: Context, probe: Probe, prior: dict[str, ProbeResult]) -> ProbeResult:
    box: dict[str, Outcome | BaseException] = {}

    def target() -> None:
        try:
            box["outcome"] = probe.run(ctx, prior)
        except BaseException as exc:
            box["outcome"] = exc

    budget = min(probe.timeout, ctx.remaining())
    start = time.monotonic()
    # A daemon thread: a probe stuck in a C call cannot be killed, but it must not hold the process open.
    worker = threading.Thread(target=target, name=f"probe-{probe.id}", daemon=True)
    worker.start()
    worker.join(budget)
    elapsed = int((time.monotonic() - start) * 1000)
    if worker.is_alive():
        limit = "the run's --deadline" if budget < probe.timeout else f"its {probe.timeout:g}s timeout"
        return ProbeResult(probe.id, probe.title, Status.ERROR, f"timed out after {budget:.1f}s ({limit})", elapsed)
    outcome = box["outcome"]
    if isinstance(outcome, BaseException):
        text = ctx.redactor.text(f"{type(outcome).__name__}: {outcome}")
        ctx.shared.setdefault("crashes", []).append((probe.id, outcome))
        return ProbeResult(probe.id, probe.title, Status.ERROR, f"probe crashed: {text}", elapsed)
    undeclared = [f.id for f in outcome.findings if probe.emits and f.id not in probe.emits]
    if undeclared:
        # Cause files match on declared ids only; an undeclared id is a bug that would silently lose a cause.
        return ProbeResult(
            probe.id, probe.title, Status.ERROR, f"probe emitted undeclared finding ids: {', '.join(undeclared)}",
            elapsed, outcome.findings, outcome.data,
        )
    return ProbeResult(
        probe.id, probe.title, outcome.status, outcome.summary, elapsed, outcome.findings, outcome.data
    )
