"""What `merge` accepts and refuses: files, folders, stdin JSON lines, log prefixes, repeated hosts, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.errors import UsageError
from sigdoctor.merge import merge_command


def report(host: str, *causes: tuple[str, str], started: str = "2026-11-27T03:40:00Z") -> dict[str, Any]:
    return {
        "schema_version": 1, "tool": {"name": "sigdoctor", "version": "0.1.0"}, "command": "run",
        "started_at": started, "duration_ms": 800, "environment": {"region": "us-east-1", "host": host},
        "credentials": None, "probes": [],
        "root_causes": [{"id": cid, "severity": sev, "confidence": "high", "title": cid, "summary": "",
                         "evidence": [], "fix": [], "docs": f"docs/causes/{cid}.md"} for cid, sev in causes],
    }


def view(sources: list[str], stdin: str = "") -> tuple[dict[str, Any], int]:
    text, rc = merge_command(sources, "json", False, stdin=io.StringIO(stdin))
    return json.loads(text), rc


def write(path: Path, *docs: dict[str, Any], pretty: bool = True) -> str:
    path.write_text("".join(json.dumps(d, indent=2 if pretty else None) + "\n" for d in docs))
    return str(path)


def test_kubectl_logs_with_prefix_and_noise_lines(tmp_path: Path) -> None:
    logs = (f"[pod/sigdoctor-x1/sigdoctor] {json.dumps(report('node-1', ('clock-skew', 'error')))}\n"
            "[pod/sigdoctor-x2/sigdoctor] Error from server: container not ready\n"
            f"[pod/sigdoctor-x3/sigdoctor] {json.dumps(report('node-2'))}\n")
    v, rc = view(["-"], stdin=logs)
    assert rc == 1
    assert [h["host"] for h in v["hosts"]] == ["node-1", "node-2"]
    assert [s["source"] for s in v["skipped"]] == ["stdin:2"]
    assert "not JSON" in v["skipped"][0]["reason"]


def test_pretty_reports_one_after_another(tmp_path: Path) -> None:
    f = write(tmp_path / "all.json", report("a", ("no-credentials", "error")), report("b", ("no-credentials", "error")))
    v, _ = view([f])
    assert v["causes"][0]["hosts"] == ["a", "b"]


def test_newest_report_of_a_host_wins(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", report("a", ("no-credentials", "error"), started="2026-11-27T01:00:00Z"))
    new = write(tmp_path / "new.json", report("a", started="2026-11-27T02:00:00Z"))
    v, rc = view([new, old])
    assert rc == 0 and v["causes"] == []
    assert v["superseded"] == [old]


def test_host_falls_back_to_the_source(tmp_path: Path) -> None:
    doc = report("x", ("no-credentials", "error"))
    del doc["environment"]["host"]
    f = write(tmp_path / "pod-7.json", doc)
    v, _ = view([f])
    assert v["hosts"][0]["host"] == f


def test_foreign_and_future_reports_are_skipped_beside_valid_ones(tmp_path: Path) -> None:
    write(tmp_path / "good.json", report("a", ("no-credentials", "error")))
    write(tmp_path / "future.json", {**report("b"), "schema_version": 2})
    write(tmp_path / "other.json", {"name": "not sigdoctor"})
    v, rc = view([str(tmp_path)])
    assert rc == 1 and [h["host"] for h in v["hosts"]] == ["a"]
    reasons = {Path(s["source"]).name: s["reason"] for s in v["skipped"]}
    assert "schema_version 2" in reasons["future.json"]
    assert "not a sigdoctor JSON report" in reasons["other.json"]
    text, _ = merge_command([str(tmp_path)], "text", False)
    assert "Skipped 2 input(s)" in text and "future.json" in text


def test_nothing_valid_is_a_usage_error_naming_the_input(tmp_path: Path) -> None:
    f = write(tmp_path / "bad.json", {"schema_version": 7, "tool": {"name": "sigdoctor"}})
    with pytest.raises(UsageError) as e:
        merge_command([f], "text", False)
    assert "bad.json" in e.value.message and "schema_version 7" in e.value.message
    assert e.value.hint


@pytest.mark.parametrize("sources", [["/nonexistent/r.json"], []])
def test_missing_path_or_no_input_is_a_usage_error(sources: list[str]) -> None:
    with pytest.raises(UsageError) as e:
        merge_command(sources, "text", False)
    assert e.value.hint
    if sources:
        assert "/nonexistent/r.json" in e.value.line()


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no report files"):
        merge_command([str(tmp_path)], "text", False)


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--format"):
        merge_command([write(tmp_path / "a.json", report("a"))], "yaml", False)


def test_no_outliers_in_a_fleet_of_two(tmp_path: Path) -> None:
    f = write(tmp_path / "r.jsonl", report("a", ("clock-skew", "error")), report("b"), pretty=False)
    v, _ = view([f])
    assert v["outliers"] == []


def test_worst_severity_of_a_cause_across_hosts(tmp_path: Path) -> None:
    f = write(tmp_path / "r.jsonl", report("a", ("clock-skew", "warning")), report("b", ("clock-skew", "error")),
              report("c"), pretty=False)
    v, rc = view([f])
    assert rc == 1 and v["causes"][0]["severity"] == "error"
    groups = {tuple(g["severities"]): g["hosts"] for g in v["groups"]}
    assert groups[("warning",)] == ["a"] and groups[("error",)] == ["b"]  # same id, different diagnosis


def test_host_names_cannot_reshape_markdown(tmp_path: Path) -> None:
    f = write(tmp_path / "r.jsonl", report("evil|host*", ("no-credentials", "error")), pretty=False)
    text, _ = merge_command([f], "markdown", False)
    row = next(ln for ln in text.splitlines() if "no-credentials" in ln and ln.startswith("| 1/1"))
    assert r"evil\|host\*" in row


def test_secret_shaped_strings_in_a_foreign_report_are_masked(tmp_path: Path) -> None:
    key = "AKIA" + "Q" * 16
    f = write(tmp_path / "r.json", report(f"host-{key}", ("no-credentials", "error")))
    text, _ = merge_command([f], "text", False)
    assert key not in text


def test_markdown_matrix_marks_each_hosts_causes(tmp_path: Path) -> None:
    f = write(tmp_path / "r.jsonl", report("a", ("clock-skew", "warning")), report("b", ("no-credentials", "error")),
              report("c"), pretty=False)
    text, _ = merge_command([f], "markdown", False)
    assert "| cause | a | b | c |" in text
    assert "| `clock-skew` | ! |  |  |" in text
    assert "| `no-credentials` |  | ✗ |  |" in text
