"""`decode -` on a pipe that never ends (`kubectl logs -f … | sigdoctor decode -`) stops at --deadline, reports
what it read, says where the input was cut, and exits 1 (the run is incomplete), never hangs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.core.clirun import clean_env, open_pipe
from tests.decode.conftest import INPUTS

HANG = 30  # seconds: the test's hang detector, not a timing assertion


def decode_open_pipe(first: bytes, *args: str) -> tuple[int, str, str]:
    return open_pipe("decode", first, *args, hang_s=HANG)


def _findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in report["probes"][0]["findings"]}


def test_a_silent_pipe_ends_at_the_deadline_and_the_cut_is_reported() -> None:
    rc, out, _ = decode_open_pipe(b"", "--deadline", "1", "--format", "json")
    assert rc == 1
    report = json.loads(out)
    found = _findings(report)
    summary = found["decode.summary"]["evidence"]
    assert summary["input_cut_at_deadline"] is True and summary["input_cut_after_bytes"] == 0
    assert found["decode.diagnosis-incomplete"]["status"] == "fail"
    assert "--deadline 1s" in found["decode.diagnosis-incomplete"]["message"]
    assert [c["id"] for c in report["root_causes"]] == ["diagnosis-incomplete"]


def test_an_error_sent_before_the_deadline_is_still_explained() -> None:
    log = (INPUTS / "amp_access_denied.log").read_bytes()
    rc, out, _ = decode_open_pipe(log, "--deadline", "1", "--format", "json")
    assert rc == 1
    report = json.loads(out)
    found = _findings(report)
    assert found["decode.permission-missing"]["status"] == "fail"
    summary = found["decode.summary"]
    assert summary["evidence"]["input_cut_after_bytes"] == len(log)
    assert f"input cut at --deadline 1s after {len(log)} bytes" in summary["message"]
    causes = [c["id"] for c in report["root_causes"]]
    assert causes[0] == "permission-missing" and "diagnosis-incomplete" in causes


def test_text_report_says_the_input_was_cut() -> None:
    rc, out, _ = decode_open_pipe(b"level=info msg=started\n", "--deadline", "1", "--no-color")
    assert rc == 1
    assert "still open at --deadline 1s" in out and "diagnosis-incomplete" in out


def test_a_closed_pipe_is_not_cut(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sigdoctor", "decode", "-", "--deadline", "5", "--format", "json"],
                          input=b"level=info msg=started\n", capture_output=True, check=False, timeout=HANG,
                          env=clean_env(tmp_path))
    assert proc.returncode == 0
    summary = _findings(json.loads(proc.stdout))["decode.summary"]["evidence"]
    assert summary["input_cut_at_deadline"] is False


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf", "soon"])
def test_deadline_must_be_a_positive_finite_number(bad: str, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sigdoctor", "decode", "-", "--deadline", bad],
                          input=b"", capture_output=True, check=False, timeout=HANG, env=clean_env(tmp_path))
    assert proc.returncode == 2
    assert "--deadline" in proc.stderr.decode()
