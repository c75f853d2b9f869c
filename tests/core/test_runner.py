"""The runner: order, gating, crashes, timeouts and the whole-run deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

import pytest

from sigdoctor.context import Context
from sigdoctor.model import Finding, Outcome, ProbeResult, Status
from sigdoctor.probes import PROBES, validate
from sigdoctor.probes.base import Probe
from sigdoctor.runner import run_probes


def _probe(pid: str, status: Status = Status.PASS, requires: tuple[str, ...] = (), sleep: float = 0.0,
           raises: Exception | None = None, timeout: float = 5.0) -> Probe:
    def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        if sleep:
            time.sleep(sleep)
        if raises:
            raise raises
        return Outcome(status, f"{pid} says {status.value}", (Finding(f"{pid}.x", status, "m"),))

    return Probe(id=pid, title=pid.title(), run=run, requires=requires, timeout=timeout, emits=(f"{pid}.x",))


def test_registry_is_in_spec_order_and_valid() -> None:
    validate()
    # The SPEC's seven in its order, after the agent probe whose settings feed them.
    assert [p.id for p in PROBES] == [
        "agent", "credentials", "identity", "permissions", "clock", "dns", "connectivity", "signature",
    ]


def test_crashed_or_skipped_requirement_skips_dependent_with_reason() -> None:
    boom = RuntimeError("x")
    results = run_probes(Context(), [_probe("a", raises=boom), _probe("b", requires=("a",))])
    assert [r.status for r in results] == [Status.ERROR, Status.SKIP]
    assert results[1].summary == "requires a (error)"
    results = run_probes(Context(), [_probe("a"), _probe("b", requires=("a",))], skip=["a"])
    assert results[1].summary == "requires a (skip)"


def test_a_failing_requirement_still_lets_dependents_run() -> None:
    # e.g. credentials fail on env-shadows-role while the keys work: identity must still check them.
    results = run_probes(Context(), [_probe("a", Status.FAIL), _probe("b", requires=("a",))])
    assert [r.status for r in results] == [Status.FAIL, Status.PASS]


def test_crashing_probe_becomes_error_with_redacted_text() -> None:
    ctx = Context()
    ctx.redactor.add_secret("s3cr3t-canary-value")
    boom = RuntimeError("lost key s3cr3t-canary-value and AKIAABCDEFGHIJKLMNOP")
    results = run_probes(ctx, [_probe("a", raises=boom), _probe("b")])
    assert results[0].status is Status.ERROR
    assert "RuntimeError" in results[0].summary
    assert "s3cr3t-canary-value" not in results[0].summary
    assert "AKIAABCDEFGHIJKLMNOP" not in results[0].summary
    assert "AKIA…MNOP" in results[0].summary
    assert results[1].status is Status.PASS  # later probes still run


def test_probe_timeout_becomes_error() -> None:
    results = run_probes(Context(), [_probe("slow", sleep=2.0, timeout=0.2)])
    assert results[0].status is Status.ERROR
    assert "timed out" in results[0].summary


def test_deadline_cuts_the_run_and_skips_the_rest() -> None:
    ctx = Context(deadline_s=0.3)
    t0 = time.monotonic()
    results = run_probes(ctx, [_probe("slow", sleep=3.0), _probe("next")])
    assert time.monotonic() - t0 < 2.5
    assert results[0].status is Status.ERROR and "--deadline" in results[0].summary
    assert results[1].status is Status.SKIP and "deadline" in results[1].summary


def test_only_and_skip_select_probes() -> None:
    probes = [_probe("a"), _probe("b"), _probe("c")]
    results = run_probes(Context(), probes, only=["b"])
    assert [r.status for r in results] == [Status.SKIP, Status.PASS, Status.SKIP]
    results = run_probes(Context(), probes, skip=["a"])
    assert results[0].summary == "skipped (--skip)"
    with pytest.raises(ValueError, match="unknown probe nope"):
        run_probes(Context(), probes, only=["nope"])


def test_undeclared_finding_id_is_an_error_not_a_silent_loss() -> None:
    def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        return Outcome(Status.FAIL, "x", (Finding("a.undeclared", Status.FAIL, "m"),))

    results = run_probes(Context(), [Probe(id="a", title="A", run=run, emits=("a.declared",))])
    assert results[0].status is Status.ERROR
    assert "a.undeclared" in results[0].summary


def test_independent_probes_run_side_by_side_and_report_in_order() -> None:
    from dataclasses import replace

    slow = replace(_probe("slow", sleep=0.6), after=("base",))
    fast = replace(_probe("fast"), after=("base",))
    after_fast = replace(_probe("then"), after=("fast",))
    ctx = Context(deadline_s=0.5)
    results = run_probes(ctx, [_probe("base"), slow, fast, after_fast])
    # The slow probe is cut by the deadline, but the independent chain finished beside it.
    assert [r.id for r in results] == ["base", "slow", "fast", "then"]
    assert [r.status for r in results] == [Status.PASS, Status.ERROR, Status.PASS, Status.PASS]


def test_registry_waits_only_on_earlier_probes() -> None:
    from dataclasses import replace

    probes = (_probe("a"), replace(_probe("b"), after=("c",)), _probe("c"))
    with pytest.raises(ValueError, match="waits for 'c'"):
        validate(probes)


def test_warm_up_starts_before_the_probe_it_waits_for_ends_and_never_changes_results() -> None:
    import threading
    from dataclasses import replace

    events: list[str] = []
    slow_started = threading.Event()

    def slow_run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        slow_started.set()
        time.sleep(0.3)
        events.append("slow finished")
        return Outcome(Status.PASS, "slow")

    def warm(ctx: Context) -> None:
        slow_started.wait(2)
        events.append("warm-up ran")
        ctx.once("warm", lambda: "made early")

    def crashing_warm(ctx: Context) -> None:
        raise RuntimeError("warm-up trouble")

    slow = Probe(id="slow", title="Slow", run=slow_run)
    seen: list[object] = []

    def user_run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        seen.append(ctx.once("warm", lambda: "made late"))
        return Outcome(Status.PASS, "used")

    user = Probe(id="user", title="User", run=user_run, after=("slow",), warm_up=warm)
    crashy = replace(user, id="crashy", warm_up=crashing_warm)
    results = run_probes(Context(), [slow, user, crashy])
    assert events == ["warm-up ran", "slow finished"]  # the head start happened while `slow` still ran
    assert seen == ["made early", "made early"]
    assert [r.status for r in results] == [Status.PASS, Status.PASS, Status.PASS]  # a failing warm-up is invisible


def test_warm_up_does_not_run_for_deselected_probes_or_unmet_requirements() -> None:
    ran: list[str] = []
    gate = _probe("gate", raises=RuntimeError("x"))
    needs_gate = Probe(id="needs", title="Needs", run=lambda c, p: Outcome(Status.PASS, "x"), requires=("gate",),
                       warm_up=lambda c: ran.append("needs"))
    skipped = Probe(id="skipped", title="Skipped", run=lambda c, p: Outcome(Status.PASS, "x"),
                    warm_up=lambda c: ran.append("skipped"))
    run_probes(Context(), [gate, needs_gate, skipped], skip=["skipped"])
    # A warm-up is started (as a thread named warm-up-<id>) before run_probes returns: joining those that are still
    # running makes "none ran" a fact, not a guess after a sleep.
    for t in threading.enumerate():
        if t.name.startswith("warm-up-"):
            t.join(10)
    assert ran == []
