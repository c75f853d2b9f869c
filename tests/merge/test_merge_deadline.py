"""`merge -` on a pipe that stays open (`kubectl logs -f -l app=sigdoctor | sigdoctor merge -`) stops at --deadline,
merges the reports that arrived, notes the cut on stderr and exits non-zero; it never hangs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.core.clirun import clean_env, open_pipe
from tests.merge.test_merge_inputs import report

HANG = 30  # seconds: the test's hang detector, not a timing assertion


def merge_open_pipe(first: bytes, *args: str) -> tuple[int, str, str]:
    return open_pipe("merge", first, *args, hang_s=HANG)


def test_reports_sent_before_the_deadline_are_merged_and_the_cut_noted() -> None:
    line = json.dumps(report("node-1")) + "\n"  # a healthy host: exit 0 but for the cut
    rc, out, err = merge_open_pipe(line.encode(), "--deadline", "1", "--format", "json")
    assert rc == 1
    assert [h["host"] for h in json.loads(out)["hosts"]] == ["node-1"]
    assert "merge: stopped reading stdin at --deadline 1s after 1 reports" in err


def test_a_report_with_an_error_keeps_its_exit_code() -> None:
    line = json.dumps(report("node-2", ("clock-skew", "error"))) + "\n"
    rc, out, err = merge_open_pipe(line.encode(), "--deadline", "1", "--format", "json")
    assert rc == 1
    assert json.loads(out)["causes"][0]["hosts"] == ["node-2"]
    assert "after 1 reports" in err


def test_a_silent_pipe_is_one_usage_error_naming_the_deadline() -> None:
    rc, out, err = merge_open_pipe(b"", "--deadline", "1")
    assert rc == 2 and out == ""
    assert "stdin sent none before --deadline 1s" in err
    assert "Traceback" not in err


def test_a_fifo_named_as_a_file_ends_at_the_deadline(tmp_path: Path) -> None:
    fifo = tmp_path / "reports.fifo"
    os.mkfifo(fifo)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "sigdoctor", "merge", str(fifo), "--deadline", "1",
                                 "--format", "json"], stdout=out, stderr=err, env=clean_env(tmp_path))
        writer = os.open(fifo, os.O_WRONLY)  # blocks until merge opens it for reading
        try:
            os.write(writer, (json.dumps(report("node-3")) + "\n").encode())
            rc = proc.wait(timeout=HANG)
        finally:
            proc.kill()
            os.close(writer)
            proc.wait()
        out.seek(0)
        err.seek(0)
        assert rc == 1
        assert [h["host"] for h in json.loads(out.read())["hosts"]] == ["node-3"]
        assert f"stopped reading {fifo} at --deadline 1s after 1 reports" in err.read().decode()


@pytest.mark.parametrize("bad", ["0", "nan", "inf"])
def test_deadline_must_be_a_positive_finite_number(bad: str, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sigdoctor", "merge", "-", "--deadline", bad], input=b"",
                          capture_output=True, check=False, timeout=HANG, env=clean_env(tmp_path))
    assert proc.returncode == 2 and "--deadline" in proc.stderr.decode()
