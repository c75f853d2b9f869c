"""`merge` on what a fleet really hands it: deeply nested or broken reports among good ones, oversized lines,
hand-edited reports holding secrets or terminal escapes, pretty reports piped one after another, a closed stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.errors import UsageError
from sigdoctor.merge import merge_command
from sigdoctor.merge.documents import MAX_DOCUMENT_CHARS
from tests.merge.test_merge_inputs import report, view, write
from tests.world import creds

SIGDOCTOR = [sys.executable, "-m", "sigdoctor"]


def _lines(*docs: dict[str, Any]) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)


def test_a_deeply_nested_report_is_skipped_and_the_rest_merged(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    stdin = _lines(report("a", ("no-credentials", "error"))) + deep + "\n" + _lines(report("b"))
    v, rc = view(["-"], stdin=stdin)
    assert rc == 1 and [h["host"] for h in v["hosts"]] == ["a", "b"]
    assert v["skipped"] == [{"source": "stdin:2", "reason": "not JSON (nested too deeply)"}]

    (tmp_path / "deep.json").write_text('{"tool": ' + deep + "}")
    write(tmp_path / "good.json", report("c"))
    v, rc = view([str(tmp_path)])
    assert rc == 0 and [h["host"] for h in v["hosts"]] == ["c"]
    assert [(Path(s["source"]).name, s["reason"]) for s in v["skipped"]] == [("deep.json", "not JSON (nested too deeply)")]


def test_pretty_reports_piped_one_after_another_with_a_broken_one_between(tmp_path: Path) -> None:
    broken = json.dumps(report("b"), indent=2).replace('"command": "run",', '"command": "run"', 1)
    stdin = (json.dumps(report("a", ("clock-skew", "error")), indent=2) + "\n" + broken + "\n"
             + json.dumps(report("c"), indent=2) + "\n")
    v, rc = view(["-"], stdin=stdin)
    assert rc == 1 and [h["host"] for h in v["hosts"]] == ["a", "c"]
    start_of_b = stdin.splitlines().index("{", 1) + 1
    assert [s["source"] for s in v["skipped"]] == [f"stdin:{start_of_b}"]
    assert v["skipped"][0]["reason"].startswith("not JSON (Expecting ',' delimiter")


def test_a_cut_off_pretty_report_does_not_swallow_the_next(tmp_path: Path) -> None:
    first = json.dumps(report("a"), indent=2).splitlines()
    stdin = "\n".join(first[: len(first) // 2]) + "\n" + json.dumps(report("b"), indent=2) + "\n"
    v, _ = view(["-"], stdin=stdin)
    assert [h["host"] for h in v["hosts"]] == ["b"]
    assert v["skipped"] == [{"source": "stdin:1",
                             "reason": "not JSON (the document ends before its closing bracket)"}]


def test_pretty_reports_from_kubectl_logs_with_prefixes() -> None:
    stdin = "".join(f"[pod/sigdoctor-{h}/sigdoctor] {ln}\n" for h in ("x1", "x2")
                    for ln in json.dumps(report(f"node-{h}", ("no-credentials", "error")), indent=2).splitlines())
    v, rc = view(["-"], stdin=stdin)
    assert rc == 1 and [h["host"] for h in v["hosts"]] == ["node-x1", "node-x2"] and v["skipped"] == []


def test_an_oversized_line_is_skipped_without_losing_the_next(tmp_path: Path) -> None:
    huge = report("huge")
    huge["environment"]["padding"] = "x" * (MAX_DOCUMENT_CHARS + 10)
    f = tmp_path / "fleet.jsonl"
    f.write_text(_lines(report("a"), huge, report("b", ("clock-skew", "error"))))
    v, rc = view([str(f)])
    assert rc == 1 and [h["host"] for h in v["hosts"]] == ["a", "b"]
    assert v["skipped"] == [{"source": f"{f}:2", "reason": "a line longer than 8 MB"}]


def test_undecodable_bytes_and_a_device_are_skipped_not_fatal(tmp_path: Path) -> None:
    f = tmp_path / "mixed.log"
    f.write_bytes(b"\xff\xfe garbage \x00\x01\n" + _lines(report("a")).encode())
    v, rc = view([str(f), "/dev/zero"])
    assert rc == 0 and [h["host"] for h in v["hosts"]] == ["a"]
    assert {s["source"]: s["reason"] for s in v["skipped"]} == {
        f"{f}:1": "not JSON (Expecting value)", "/dev/zero": "not a regular file or a pipe"}


def test_a_fifo_in_a_folder_is_left_alone(tmp_path: Path) -> None:
    write(tmp_path / "a.json", report("a"))
    os.mkfifo(tmp_path / "b.json")  # opening it would wait for a writer forever
    v, rc = view([str(tmp_path)])
    assert rc == 0 and [h["host"] for h in v["hosts"]] == ["a"]


def _canaries() -> dict[str, str]:
    return {"session token": creds.session_token(), "jwt": creds.jwt(None), "secret": creds.secret_access_key(),
            "key id": creds.access_key_id("AKIA")}


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_secrets_in_a_hand_edited_report_are_not_printed_even_when_folded(tmp_path: Path, fmt: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # long cells fold over lines in the text view
    c = _canaries()
    docs = [report(f"node-{c['session token']}", ("no-credentials", "error")),
            report("node-2", ("clock-skew", "error"), started=c["jwt"]),
            report(f"aws_secret_access_key={c['secret']}", ("no-credentials", "error")),
            report("node-4"), report("node-5")]
    docs[1]["root_causes"][0]["title"] = f"Token: {c['session token']}"
    docs[3]["root_causes"] = [{"id": f"x-{c['session token']}", "severity": "error", "title": c["jwt"]}]
    docs[4]["root_causes"] = [{"id": "clock-skew", "severity": f"AWS_SESSION_TOKEN={c['secret']}"}]
    name = tmp_path / f"host-{c['key id']}.jsonl"
    name.write_text(_lines(*docs) + json.dumps({**report("dup"), "schema_version": c["jwt"]}) + "\n")
    text, _ = merge_command([str(name)], fmt, False)
    for what, secret in c.items():
        for part in (secret, secret[-24:], secret.split(".")[-1][-24:]):
            assert part not in text, f"{what} ({fmt})"
    assert "node-2" in text and "‹redacted›" in text


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_terminal_escapes_in_reports_are_made_visible(tmp_path: Path, fmt: str) -> None:
    osc = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # OSC 52: write the clipboard
    docs = [report(f"evil\x1b[2J{osc}host", ("no-credentials", "error")), report("b\x9b31m", ("clock-skew", "error")),
            report("c\u202ecod.exe")]
    docs[0]["root_causes"][0]["title"] = "title\x1b[31m red"
    docs[1]["root_causes"][0]["id"] = "clock-skew\x1b[8m"
    f = tmp_path / "esc\x1b[1m.jsonl"
    f.write_text(_lines(*docs) + "not json \x1b[5m\n")
    text, _ = merge_command([str(f)], fmt, False)
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in text, repr(raw)
    shown = json.loads(text) if fmt == "json" else None
    if shown is not None:
        assert [h["host"] for h in shown["hosts"]] == ["b\\x9b31m", "c\\u202ecod.exe",
                                                       "evil\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07host"]
        assert shown["skipped"][0]["source"] == f"{tmp_path}/esc\\x1b[1m.jsonl:4"
    else:
        assert "\\x1b[2J" in text


def test_closed_stdin_is_a_usage_error() -> None:
    closed = io.StringIO()
    closed.close()
    with pytest.raises(UsageError, match="stdin: it is closed") as e:
        merge_command(["-"], "text", False, stdin=closed)
    assert e.value.hint


def test_closed_stdin_from_the_shell_is_one_line_and_exit_2(tmp_path: Path) -> None:
    p = subprocess.run([*SIGDOCTOR, "merge", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    p = subprocess.run(["sh", "-c", '"$@" <&-', "sh", *SIGDOCTOR, "merge", "-"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and "stdin" in p.stderr and "Traceback" not in p.stderr


def test_many_json_lines_from_stdin_with_repeats_and_noise() -> None:
    docs = [report(f"node-{i:05d}", *([("no-credentials", "error")] if i % 10 == 0 else [])) for i in range(3000)]
    stdin = _lines(*docs) + "Error from server\n" + _lines(report("node-00001", ("clock-skew", "error"),
                                                                    started="2026-11-28T00:00:00Z"))
    v, rc = view(["-"], stdin=stdin)
    assert v["summary"] == {"hosts": 3000, "with_error": 301, "healthy": 2699}
    assert v["superseded"] == ["stdin:2"] and v["skipped"] == [{"source": "stdin:3001", "reason": "not JSON (Expecting value)"}]
    assert rc == 1 and v["causes"][0] == {"id": "no-credentials", "severity": "error", "title": "no-credentials",
                                          "count": 300, "top_on": 300, "hosts": [f"node-{i:05d}" for i in range(0, 3000, 10)]}


def test_the_json_view_is_laid_out_as_json_dumps_would(tmp_path: Path) -> None:
    docs = [report(f"nöde-{i}\"\\", *([("no-credentials", "error")] if i % 2 else [])) for i in range(5)]
    f = tmp_path / "r.jsonl"
    f.write_text(_lines(*docs) + "noise\n")
    text, _ = merge_command([str(f)], "json", False)
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
