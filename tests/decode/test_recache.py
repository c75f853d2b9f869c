"""`decode` keeps its compiled regexes between runs (sigdoctor/recache.py): a pattern read back from the file is the
pattern `re` compiles, and a file that is missing, damaged or not to be written changes nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sigdoctor import recache

pytestmark = pytest.mark.skipif(not recache._usable(), reason="only CPython 3.11's re cache is filled")

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<code>[A-Z]\w+)(?:Exception|Error):\s+(?P<msg>.*)", 0),
    (r"signature\s+we\s+calculated", re.IGNORECASE),
    (rb"(?:\s|<|'|\{|\[|caused\s+by:)", 0),
    (r"^\s*status code: (\d{3}), request id: ([\w-]+)$", re.MULTILINE | re.ASCII),
    (r"(?x) a \s b  # verbose", 0),
]
TEXTS = ["NoCredentialProvidersError: no valid providers in chain", "The Signature We Calculated does not match",
         "x\n\tstatus code: 403, request id: 3c4d-5e6f\ny", "a b", "ab"]


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "__pycache__" / "regexes.marshal"
    monkeypatch.setattr(recache, "path", lambda: path)
    monkeypatch.setattr(recache, "_loaded", set())
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    re.purge()
    yield path
    re.purge()


def _behaviour(rx: re.Pattern[str] | re.Pattern[bytes]) -> list[object]:
    out: list[object] = [rx.pattern, rx.flags, rx.groups, dict(rx.groupindex)]
    for t in TEXTS:
        text = t.encode() if isinstance(rx.pattern, bytes) else t
        out.append([(m.span(), m.groups()) for m in rx.finditer(text)])  # type: ignore[arg-type]
    return out


def test_a_stored_pattern_is_the_one_re_compiles(stored: Path) -> None:
    fresh = [_behaviour(re.compile(p, f)) for p, f in PATTERNS]
    recache.save()
    assert stored.is_file()
    re.purge()
    assert recache.load() >= len(PATTERNS)
    loaded = [re.compile(p, f) for p, f in PATTERNS]
    assert all(rx is re._cache[type(p), p, f] for rx, (p, f) in zip(loaded, PATTERNS, strict=True))  # type: ignore[attr-defined]
    assert [_behaviour(rx) for rx in loaded] == fresh


def test_a_damaged_or_missing_file_changes_nothing(stored: Path) -> None:
    assert recache.load() == 0
    stored.parent.mkdir()
    stored.write_bytes(b"\x00not marshal data")
    assert recache.load() == 0
    stored.write_bytes(__import__("marshal").dumps([("a(", 0, 32, b"\x00\x01", 0, {}, ()), "junk"]))
    assert recache.load() == 0
    assert re.compile("a+").match("aa")


def test_nothing_is_written_where_python_writes_no_bytecode(stored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    re.compile("never stored")
    recache.save()
    assert not stored.exists()


def _decode_through_entry(tmp_path: Path, text: str, *options: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`sigdoctor decode` of `text` through the console entry point, bytecode writing on, its regex store in
    tmp_path (the same store for every call in one test)."""
    paste = tmp_path / "paste.txt"
    paste.write_text(text)
    store = tmp_path / "regexes.marshal"
    code = ("import sys, pathlib; from sigdoctor import recache; store = pathlib.Path(sys.argv[1]); "
            "recache.path = lambda: store; sys.argv = ['sigdoctor', 'decode', *sys.argv[2:]];"
            "from sigdoctor.entry import main; main()")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    run = subprocess.run([sys.executable, "-c", code, str(store), str(paste), *options], capture_output=True,
                         text=True, env=env, cwd=tmp_path, check=False)
    assert run.returncode in (0, 1), run.stderr[-400:]
    return run, store


def test_decode_reports_the_same_with_its_regexes_stored(tmp_path: Path) -> None:
    """The console entry point writes the file after a decode and reads it on the next one: same report."""
    text = ("An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request "
            "signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and "
            "signing method.\n")
    runs = [_decode_through_entry(tmp_path, text, "--format", "json") for _ in range(2)]
    assert runs[0][1].is_file()
    first, second = (re.sub(r'"(started_at|duration_ms|finished_at)": [^,\n]+', "", r.stdout) for r, _ in runs)
    assert runs[0][0].returncode == runs[1][0].returncode == 0  # a bare mismatch: the text cannot decide
    assert first == second and "secret-key-mismatch" in first


def test_no_secret_and_nothing_of_the_paste_reaches_the_stored_file(tmp_path: Path) -> None:
    """The stored patterns are sigdoctor's own: a short signature the paste shows (the redactor masks it with a
    pattern built from it) and an error code of the paste (its message is found after it) never reach the disk."""
    run, store = _decode_through_entry(
        tmp_path, "<Error><Code>QzxFictionalCode</Code><Message>QzxFictionalCode: the request signature we calculated "
        "does not match</Message><SignatureProvided>Zq7sh0rtSig9</SignatureProvided></Error>\nAn error occurred "
        "(QzxOtherCode) when calling the PutObject operation: denied for QzxOtherCode\n")
    assert "Zq7sh0rtSig9" not in run.stdout
    stored = store.read_bytes()
    assert len(stored) > 1000  # the run's own patterns were stored
    for marker in (b"Zq7sh0rtSig9", b"Zq7", b"QzxFictionalCode", b"QzxOtherCode"):
        assert marker not in stored, marker


def test_a_second_decode_of_the_same_paste_compiles_nothing_new_and_leaves_the_file(tmp_path: Path) -> None:
    """Every pattern a paste needs is kept (a cap below what one run uses made each run compile ~60 patterns again
    and rewrite the file)."""
    text = ("NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose messaging see "
            "aws.Config.CredentialsChainVerboseErrors\nAn error occurred (SignatureDoesNotMatch) when calling the "
            "GetCallerIdentity operation: The request signature we calculated does not match\n")
    stamps = []
    for _ in range(3):
        _, store = _decode_through_entry(tmp_path, text)
        stamps.append((store.stat().st_mtime_ns, store.read_bytes()))
    assert stamps[1] == stamps[2]
