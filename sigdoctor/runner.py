"""Runs probes gated on what they require, each bounded by its timeout and the run's deadline.

Probes whose ordering constraints (`requires` + `after`) are met run side by side in threads; results come back in
registry order. A probe that raises becomes an `error` result with its (redacted) exception text; one that overruns
becomes an `error` saying so. Neither ever disappears from the report.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable
from typing import Protocol

from sigdoctor import incomplete
from sigdoctor.context import Context, set_current_probe
from sigdoctor.model import Finding, Outcome, ProbeResult, Status
from sigdoctor.probe import Probe
from sigdoctor.records import datarecord

# A requirement is met by a probe that ran to the end. A `fail` still counts: the credentials probe fails on
# env-shadows-role while the credentials work, and identity must still check them. Probes wait for the run-state
# fields they need (ctx.state) and skip with their own reason when one stays empty.
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


def dependencies(probes: list[Probe]) -> dict[str, tuple[str, ...]]:
    """Ids each probe waits for: its `requires` and `after` (None = the probe before it)."""
    deps: dict[str, tuple[str, ...]] = {}
    for i, p in enumerate(probes):
        after = p.after if p.after is not None else ((probes[i - 1].id,) if i else ())
        deps[p.id] = tuple(dict.fromkeys((*p.requires, *after)))
    return deps


@datarecord
class _Running:
    probe: Probe
    thread: threading.Thread
    started: float
    budget: float


def run_probes(
    ctx: Context,
    probes: Iterable[Probe],
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    observer: Observer | None = None,
) -> list[ProbeResult]:
    observer = observer or NullObserver()
    selection = select(probes, only, skip)
    order = [p for p, _ in selection]
    deselected = {p.id: reason for p, reason in selection}
    deps = dependencies(order)
    results: dict[str, ProbeResult] = {}
    running: dict[str, _Running] = {}
    finished: queue.Queue[tuple[str, Outcome | BaseException]] = queue.Queue()
    pending = list(order)
    ctx.state.begin({p.id for p in order})

    def record(result: ProbeResult) -> None:
        results[result.id] = result
        # Whatever it did not write by now, it never will (a late write of a cut-off probe is dropped).
        ctx.state.producer_ended(result.id)
        observer.on_finish(result)

    in_run = set(deselected)
    warming = {p.id for p in order if p.warm_up is None or deselected[p.id]}
    while pending or running:
        progressed = False
        for probe in list(pending):
            if probe.id not in warming and ctx.remaining() > 0 and (probe.warm_up_at_start or (
                    all(r in results for r in probe.requires if r in in_run) and not _unmet(probe, results))):
                warming.add(probe.id)
                _warm_up(ctx, probe)
            if any(d not in results for d in deps[probe.id] if d in in_run):
                continue
            progressed = True
            pending.remove(probe)
            observer.on_start(probe)
            if deselected[probe.id]:
                record(_skipped(probe, deselected[probe.id]))
            elif reason := _unmet(probe, results):
                # A prerequisite that did not finish leaves this one unchecked too; one that found nothing to
                # check (skip) does not.
                unfinished = any(results[r].status is Status.ERROR for r in probe.requires if r in results)
                record(_skipped(probe, reason, incomplete.not_started(probe.id, probe.title, reason)
                                if unfinished else None))
            elif ctx.remaining() <= 0:
                why = f"deadline of {ctx.deadline_s:g}s reached before it could start"
                record(_skipped(probe, why, incomplete.not_started(probe.id, probe.title, why, ctx.deadline_s)))
            else:
                running[probe.id] = _start(ctx, probe, dict(results), finished)
        if not running:
            if pending and not progressed:
                raise ValueError(f"probes wait on each other: {', '.join(p.id for p in pending)}")
            continue
        now = time.monotonic()
        wait = min(r.started + r.budget - now for r in running.values())
        try:
            pid, outcome = finished.get(timeout=max(0.0, wait))
        except queue.Empty:
            now = time.monotonic()
            for pid, r in list(running.items()):
                if now - r.started >= r.budget:
                    del running[pid]
                    record(_timed_out(ctx, r, now))
            continue
        r = running.pop(pid)
        record(_result(ctx, r, outcome))
    ctx.state.close_all()
    return [results[p.id] for p in order]


def _start(ctx: Context, probe: Probe, prior: dict[str, ProbeResult],
           finished: queue.Queue[tuple[str, Outcome | BaseException]]) -> _Running:
    def target() -> None:
        set_current_probe(probe.id)
        try:
            outcome: Outcome | BaseException = probe.run(ctx, prior)
        except BaseException as exc:  # a crashing probe must still leave a result
            outcome = exc
        finished.put((probe.id, outcome))

    # A daemon thread: a probe stuck in a C call cannot be killed, but it must not hold the process open.
    thread = threading.Thread(target=target, name=f"probe-{probe.id}", daemon=True)
    running = _Running(probe, thread, time.monotonic(), min(probe.timeout, ctx.remaining()))
    thread.start()
    return running


def _warm_up(ctx: Context, probe: Probe) -> None:
    def target() -> None:
        try:
            assert probe.warm_up is not None
            probe.warm_up(ctx)
        except Exception:  # only a head start: the probe's own run meets the same problem and reports it
            pass

    threading.Thread(target=target, name=f"warm-up-{probe.id}", daemon=True).start()


def _unmet(probe: Probe, results: dict[str, ProbeResult]) -> str:
    for req in probe.requires:
        r = results.get(req)
        if r is None or r.status in _BLOCKING:
            state = "did not run" if r is None else r.status.value
            return f"requires {req} ({state})"
    return ""


def _skipped(probe: Probe, reason: str, unfinished: Finding | None = None) -> ProbeResult:
    return ProbeResult(probe.id, probe.title, Status.SKIP, reason, 0, (unfinished,) if unfinished else ())


def _timed_out(ctx: Context, r: _Running, now: float) -> ProbeResult:
    p = r.probe
    by_deadline = r.budget < p.timeout
    limit = f"the run's --deadline of {ctx.deadline_s:g} s" if by_deadline else f"its {p.timeout:g} s timeout"
    step = ctx.steps.in_flight(p.id)
    at_s = ctx.monotonic() - ctx.started_monotonic
    cut = incomplete.cut(p.id, p.title, limit=limit, by_deadline=by_deadline, deadline_s=ctx.deadline_s, at_s=at_s,
                         ran_s=now - r.started, step=step, now=ctx.monotonic())
    summary = f"timed out after {r.budget:.1f}s ({limit})"
    if step is not None:
        summary += f" while waiting for {step.text}"
    return ProbeResult(p.id, p.title, Status.ERROR, ctx.redactor.text(summary), int((now - r.started) * 1000),
                       (ctx.redactor.obj(cut),))


def _result(ctx: Context, r: _Running, outcome: Outcome | BaseException) -> ProbeResult:
    probe = r.probe
    elapsed = int((time.monotonic() - r.started) * 1000)
    if isinstance(outcome, BaseException):
        text = ctx.redactor.text(f"{type(outcome).__name__}: {outcome}")
        return ProbeResult(probe.id, probe.title, Status.ERROR, f"probe crashed: {text}", elapsed,
                           (incomplete.crashed(probe.id, probe.title, text),))
    undeclared = [f.id for f in outcome.findings if probe.emits and f.id not in probe.emits]
    if undeclared:
        # Cause files match on declared ids only; an undeclared id is a bug that would silently lose a cause.
        text = f"probe emitted undeclared finding ids: {', '.join(undeclared)}"
        return ProbeResult(
            probe.id, probe.title, Status.ERROR, text, elapsed,
            (*outcome.findings, incomplete.crashed(probe.id, probe.title, text)), outcome.data,
        )
    return ProbeResult(probe.id, probe.title, outcome.status, outcome.summary, elapsed, outcome.findings, outcome.data)
