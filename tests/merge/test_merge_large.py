"""The views of a fleet larger than one screen: the JSON view is made line by line as it is written (never held
whole), so it must still be exactly the indented JSON a script expects; folders are read in path order."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.clirun import sd
from tests.merge.test_merge_inputs import report, view, write


def test_the_json_view_of_many_hosts_is_exactly_indented_json(tmp_path: Path) -> None:
    # 600 hosts with the same cause: its host list (and the group's) is longer than one slice of names.
    lines = [json.dumps(report(f"nœud-{i:04d}", ("no-credentials", "error"))) for i in range(600)]
    lines += [json.dumps(report(f"healthy-{i}")) for i in range(3)]
    lines.append("[pod/x] not a report")
    stdin = tmp_path / "fleet.jsonl"
    stdin.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ran = sd(tmp_path, "merge", "-", "--format", "json", input=stdin.read_text(encoding="utf-8"))
    assert ran.returncode == 1, ran.stderr
    doc = json.loads(ran.stdout)
    assert ran.stdout == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert doc["summary"] == {"hosts": 603, "with_error": 600, "healthy": 3}
    assert doc["causes"][0]["hosts"] == [f"nœud-{i:04d}" for i in range(600)]
    assert doc["groups"][0]["hosts"] == doc["causes"][0]["hosts"]
    assert [h["host"] for h in doc["hosts"]][-1] == "nœud-0599"
    assert doc["skipped"] == [{"source": "stdin:604", "reason": "not JSON (Expecting value)"}]


def test_an_empty_list_in_the_json_view_stays_an_empty_list(tmp_path: Path) -> None:
    text = sd(tmp_path, "merge", write(tmp_path / "a.json", report("a")), "--format", "json").stdout
    assert '"causes": [],\n' in text and '"skipped": [],\n' in text and text.endswith('"superseded": []\n}\n')


def test_a_folder_is_read_in_path_order(tmp_path: Path) -> None:
    # As paths order component by component: "a/…" before "a-b/…" (as strings, '-' sorts before '/').
    fleet = tmp_path / "fleet"
    for rel in ("b.json", "a-b/x.json", "a/y.json", "a/x.json", "a/deeper/z.json"):
        (fleet / rel).parent.mkdir(parents=True, exist_ok=True)
        (fleet / rel).write_text("not a report\n")
    write(fleet / "a" / "host.json", report("host"))
    v, _ = view([str(fleet)])
    assert [Path(s["source"]).relative_to(fleet).as_posix() for s in v["skipped"]] == [
        "a/deeper/z.json", "a/x.json", "a/y.json", "a-b/x.json", "b.json"]


def test_output_file_holds_the_view_stdout_shows_with_secrets_masked(tmp_path: Path) -> None:
    key = "AKIA" + "Q" * 16
    lines = [json.dumps(report(f"host-{i}", ("no-credentials", "error"))) for i in range(300)]
    lines.append(json.dumps(report(f"host-{key}", ("clock-skew", "error"))))
    stdin = "\n".join(lines) + "\n"
    shown = sd(tmp_path, "merge", "-", "--format", "json", input=stdin)
    out = tmp_path / "fleet.json"
    written = sd(tmp_path, "merge", "-", "--format", "json", "--output", str(out), input=stdin)
    assert (shown.returncode, written.returncode) == (1, 1)
    assert written.stdout == "" and f"report written to {out}" in written.stderr
    assert out.read_text(encoding="utf-8") == shown.stdout
    assert key not in shown.stdout and "host-AKIA…QQQQ" in shown.stdout
