"""`sigdoctor merge` on a fleet of reports that real `sigdoctor run --format json` runs produced in the simulated
AWS world: healthy IRSA, no credentials, long-lived env keys, IMDS hop limit and a skewed clock."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.merge import merge_command
from tests.merge.scenarios import produce


@pytest.fixture(scope="module")
def fleet_dir(_namespaces: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = produce(tmp_path_factory.mktemp("worlds"))
    out = tmp_path_factory.mktemp("reports")
    for host, rep in reports.items():
        (out / f"{host}.json").write_text(json.dumps(rep, indent=2))
    return out


def merged(sources: list[str], stdin: str | None = None) -> tuple[dict[str, Any], int]:
    text, rc = merge_command(sources, "json", False, stdin=io.StringIO(stdin) if stdin is not None else None)
    return json.loads(text), rc


def test_each_scenario_reports_what_it_is_about(fleet_dir: Path) -> None:
    top = {p.stem: [c["id"] for c in json.loads(p.read_text())["root_causes"]][:1] for p in fleet_dir.glob("*.json")}
    assert top == {"node-a": [], "node-b": [], "node-c": ["no-credentials"], "node-d": ["no-credentials"],
                   "node-e": ["long-lived-keys"], "node-f": ["imds-hop-limit"], "node-g": ["clock-skew"]}


def test_most_common_cause_first_with_its_hosts(fleet_dir: Path) -> None:
    view, rc = merged([str(fleet_dir)])
    assert rc == 1
    assert view["summary"] == {"hosts": 7, "with_error": 4, "healthy": 2}
    first = view["causes"][0]
    assert (first["id"], first["count"], first["hosts"]) == ("no-credentials", 2, ["node-c", "node-d"])
    counts = [c["count"] for c in view["causes"]]
    assert counts == sorted(counts, reverse=True)
    by_id = {c["id"]: c for c in view["causes"]}
    assert by_id["long-lived-keys"]["severity"] == "warning" and by_id["long-lived-keys"]["hosts"] == ["node-e"]


def test_hosts_with_identical_diagnosis_are_grouped(fleet_dir: Path) -> None:
    view, _ = merged([str(fleet_dir)])
    groups = {tuple(g["causes"]): g["hosts"] for g in view["groups"]}
    assert groups[("no-credentials",)] == ["node-c", "node-d"]
    assert groups[()] == ["node-a", "node-b"]
    assert sum(len(h) for h in groups.values()) == 7


def test_the_lone_skewed_clock_is_an_outlier(fleet_dir: Path) -> None:
    view, _ = merged([str(fleet_dir)])
    outliers = {o["host"]: o["causes"] for o in view["outliers"]}
    assert outliers["node-g"][0] == "clock-skew"
    assert "node-c" not in outliers and "node-a" not in outliers  # shared diagnoses are not outliers


def test_one_json_line_per_host_on_stdin_gives_the_same_view(fleet_dir: Path) -> None:
    lines = "".join(json.dumps(json.loads(p.read_text())) + "\n" for p in sorted(fleet_dir.glob("*.json")))
    from_stdin, rc = merged(["-"], stdin=lines)
    from_dir, _ = merged([str(fleet_dir)])
    assert rc == 1
    assert from_stdin["causes"] == from_dir["causes"] and from_stdin["groups"] == from_dir["groups"]


def test_text_view_names_causes_groups_and_outliers(fleet_dir: Path) -> None:
    text, rc = merge_command([str(fleet_dir)], "text", False)
    assert rc == 1
    assert "7 hosts: 4 with an error-severity cause, 1 with warnings only, 2 healthy" in text
    line = next(ln for ln in text.splitlines() if "no-credentials" in ln)
    assert "2/7" in line and "node-c, node-d" in line
    assert "node-g: clock-skew" in text
    assert "\x1b[" not in text


def test_markdown_view_has_the_tables(fleet_dir: Path) -> None:
    text, _ = merge_command([str(fleet_dir)], "markdown", False)
    assert "| 2/7 | error | `no-credentials` | node-c, node-d |" in text
    assert "## Outliers" in text and "node-g" in text


def test_healthy_part_of_the_fleet_exits_zero(fleet_dir: Path) -> None:
    view, rc = merged([str(fleet_dir / "node-a.json"), str(fleet_dir / "node-b.json"), str(fleet_dir / "node-e.json")])
    assert rc == 0  # a warning (long-lived keys) is not an error
    assert view["summary"]["with_error"] == 0
