"""A warning-level cause never folds away an error-level one it would otherwise explain."""

from __future__ import annotations

from pathlib import Path

from sigdoctor.causes import diagnose, load_rules
from sigdoctor.model import Finding, ProbeResult, Severity, Status


def _write(folder: Path, cid: str, when: list[str], suppresses: list[str], severity: str) -> None:
    (folder / f"{cid}.toml").write_text(
        f'id = "{cid}"\ntitle = "T"\nseverity = "{severity}"\nconfidence = "medium"\npriority = 50\n'
        f'summary = "S"\nwhen = {when!r}\nsuppresses = {suppresses!r}\nfix = ["f"]\n'.replace("'", '"'))


def _run(tmp_path: Path, canon_status: Status) -> list[tuple[str, Severity]]:
    _write(tmp_path, "canonicalization-mismatch", ["decode.canon"], ["secret-key-mismatch"], "error")
    _write(tmp_path, "secret-key-mismatch", ["decode.secret"], [], "error")
    res = ProbeResult("decode", "D", Status.FAIL, "", 1, (
        Finding("decode.secret", Status.FAIL, "AWS rejected the signature"),
        Finding("decode.canon", canon_status, "maybe the path is encoded differently"),
    ))
    return [(c.id, c.severity) for c in diagnose([res], load_rules(tmp_path))]


def test_warning_cause_does_not_suppress_error_cause(tmp_path: Path) -> None:
    assert _run(tmp_path, Status.WARN) == [("secret-key-mismatch", Severity.ERROR),
                                           ("canonicalization-mismatch", Severity.WARNING)]


def test_error_cause_still_suppresses_what_it_explains(tmp_path: Path) -> None:
    assert _run(tmp_path, Status.FAIL) == [("canonicalization-mismatch", Severity.ERROR)]
