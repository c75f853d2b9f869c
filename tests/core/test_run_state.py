"""The typed run state and the completeness of a run: a reader waits for a field or runs after its producer, the
runner closes a probe's fields whatever way it ends, a race is an error rather than a timing, and a probe that did
not finish is a finding (cause diagnosis-incomplete, exit 1) with the step it was waiting for."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from email.utils import formatdate
from pathlib import Path

import pytest

from sigdoctor.causes import diagnose, load_rules
from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.model import Finding, Outcome, ProbeResult, Severity, Status
from sigdoctor.probes import clock
from sigdoctor.probes.base import Probe
from sigdoctor.runner import run_probes
from sigdoctor.runstate import RunState, SlotError
from tests.fakes.httpdate import DateServer
from tests.fakes.ntp import NtpResponder

CLEAN_ENV = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
             "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}


def probe(pid: str, run: object, **kw: object) -> Probe:
    return Probe(id=pid, title=pid.title(), run=run, **kw)  # type: ignore[arg-type]


# ---- slots -----------------------------------------------------------------------------------------------------
def test_a_reader_waiting_for_a_field_gets_it_the_moment_it_is_written() -> None:
    state = RunState()
    state.begin({"agent", "credentials"})
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(state.agent_settings.wait(5)))
    reader.start()
    state.agent_settings.set({"region": "eu-west-1"})
    reader.join(5)
    assert got == [{"region": "eu-west-1"}]


def test_a_field_is_written_once_and_a_cut_producers_late_write_is_dropped() -> None:
    state = RunState()
    state.begin({"agent", "credentials"})
    state.agent_settings.set({"a": 1})
    with pytest.raises(SlotError, match="written twice"):
        state.agent_settings.set({"a": 2})
    state.producer_ended("credentials")  # cut by the deadline before it wrote
    state.expiries.set([("credentials", "2030-01-01T00:00:00Z")])
    assert state.expiries.wait(0) is None


def test_reading_a_field_whose_producer_still_runs_is_a_bug_not_a_timing() -> None:
    state = RunState()
    state.begin({"credentials", "identity"})
    with pytest.raises(SlotError, match="read before credentials settled it"):
        state.chain.get()
    state.producer_ended("credentials")
    assert state.chain.get() is None


def test_fields_of_probes_not_in_the_run_are_never_waited_for() -> None:
    state = RunState()
    state.begin({"identity"})
    t0 = time.monotonic()
    assert state.chain.wait(5) is None
    assert time.monotonic() - t0 < 1


# ---- the clock beside the probes that record AWS Dates -----------------------------------------------------------
@pytest.fixture
def time_sources() -> Iterator[tuple[NtpResponder, DateServer]]:
    with NtpResponder(offset=0.0) as ntp, DateServer(offset=0.0) as sts:
        yield ntp, sts


def test_clock_beside_identity_gives_one_answer_in_200_runs(time_sources: tuple[NtpResponder, DateServer],
                                                             tmp_path: Path) -> None:
    """Identity records STS's Date (here 400 s ahead) while the clock measures: the clock's answer must not depend on
    whether that Date had arrived yet."""
    ntp, sts = time_sources

    def identity_run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        time.sleep((len(answers) % 7) / 1000)  # arrive early in some runs, late in others
        now = time.time()
        ctx.state.http_dates.add((sts.url, formatdate(now + 400, usegmt=True), now - 0.01, now + 0.01))
        return Outcome(Status.PASS, "recorded a Date")

    answers: list[tuple[object, ...]] = []
    for _ in range(200):
        ctx = Context(env=dict(CLEAN_ENV), root=tmp_path, ntp_servers=[ntp.server], deadline_s=10)
        ctx.once("sts_url", lambda: sts.url)
        identity = probe("identity", identity_run, timeout=5.0)
        results = run_probes(ctx, [identity, replace(clock.PROBE, after=())])
        c = results[1]
        offset = c.data["clock"]["offset_s"]
        answers.append((c.status, None if offset is None else round(offset),
                        tuple(sorted(f.id for f in c.findings if f.status in (Status.FAIL, Status.WARN)))))
    assert len(set(answers)) == 1, sorted(set(answers))
    assert answers[0][:2] == (Status.PASS, 0)


# ---- completeness ------------------------------------------------------------------------------------------------
def test_a_probe_cut_by_the_deadline_names_the_step_it_waited_for_and_the_deadline_that_lets_it_finish() -> None:
    def slow(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        with ctx.step("STS to answer AssumeRoleWithWebIdentity", limit_s=4.0):
            time.sleep(3)
        return Outcome(Status.PASS, "late")

    ctx = Context(env={}, deadline_s=1.0)
    report = run_report(ctx, [probe("credentials", slow, timeout=15.0)])
    result = report.probes[0]
    assert result.status is Status.ERROR and "while waiting for STS to answer AssumeRoleWithWebIdentity" in result.summary
    cause = report.root_causes[0]
    assert (cause.id, cause.severity) == ("diagnosis-incomplete", Severity.ERROR) and report.has_error
    [text] = cause.evidence
    assert "STS to answer AssumeRoleWithWebIdentity (waited" in text, text
    # The step may take 4 s and was 1 s in when cut at 1 s: it needs the run to last at least 4 s, and a second more.
    suggested = int(re.search(r"--deadline (\d+) would", text).group(1))  # type: ignore[union-attr]
    assert 5 <= suggested <= 7, text


def test_a_crash_and_a_probe_that_never_started_make_the_run_incomplete() -> None:
    def crash(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        raise RecursionError("maximum recursion depth exceeded")

    needs = probe("identity", lambda c, p: Outcome(Status.PASS, "ok"), requires=("credentials",))
    report = run_report(Context(env={}), [probe("credentials", crash), needs])
    assert [p.status for p in report.probes] == [Status.ERROR, Status.SKIP]
    assert [c.id for c in report.root_causes] == ["diagnosis-incomplete"]
    evidence = " | ".join(report.root_causes[0].evidence)
    assert "it crashed (RecursionError" in evidence and "Identity: never started — requires credentials" in evidence


def test_a_probe_with_nothing_to_check_is_not_incomplete() -> None:
    skip = probe("credentials", lambda c, p: Outcome(Status.SKIP, "offline"))
    needs = probe("identity", lambda c, p: Outcome(Status.PASS, "ok"), requires=("credentials",))
    report = run_report(Context(env={}), [skip, needs])
    assert report.root_causes == () and not report.has_error


def test_diagnosis_incomplete_ranks_after_what_the_finished_probes_found() -> None:
    results = [
        ProbeResult("credentials", "C", Status.ERROR, "timed out", 1,
                    (Finding("credentials.diagnosis-incomplete", Status.FAIL, "cut"),)),
        ProbeResult("dns", "D", Status.FAIL, "no name resolved", 1,
                    (Finding("dns.dns-resolution-failed", Status.FAIL, "timeout"),)),
    ]
    assert [c.id for c in diagnose(results, load_rules())] == ["dns-resolution-failed", "diagnosis-incomplete"]
