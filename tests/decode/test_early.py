"""`sigdoctor decode FILE` forks the tail child before the CLI is imported (decode/early.py): the report is the one
a single process makes, and the child is used only for the file decode reads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.decode import early, reader, tailscan

from .test_tailscan import _log, _report


@pytest.mark.parametrize(("args", "path"), [
    (["agent.log"], "agent.log"),
    (["agent.log", "--format", "json"], "agent.log"),
    (["--format=json", "-o", "out.json", "agent.log", "--verbose", "--no-color", "--debug"], "agent.log"),
    (["--deadline", "5", "--client", "c.txt", "agent.log", "-v"], "agent.log"),
    ([], None),  # stdin
    (["-"], None),
    (["agent.log", "--help"], None),
    (["agent.log", "other.log"], None),  # a usage error: the CLI says so
    (["--format"], None),
    (["-vo", "out.json", "agent.log"], None),  # combined short options: left to the CLI's parser
    (["--", "agent.log"], None),
])
def test_the_file_argument(args: list[str], path: str | None) -> None:
    assert early.file_argument(args) == path


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[tailscan.TailScan]:
    """Every TailScan made, early or late; the early one is dropped after the test."""
    made: list[tailscan.TailScan] = []
    init = tailscan.TailScan.__init__

    def recorded(self: tailscan.TailScan, *args: Any) -> None:
        init(self, *args)
        made.append(self)

    monkeypatch.setattr(tailscan.TailScan, "__init__", recorded)
    monkeypatch.setattr(tailscan, "WAIT", 60.0)  # a busy machine must not make this process go on alone here
    yield made
    for t in made:
        t.close()
    early._pending = None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
def test_the_early_child_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               forked: list[tailscan.TailScan]) -> None:
    path = _log(tmp_path / "agent.log", seed=11)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1 << 62)
    alone = _report(path)
    assert not forked
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    early.start([str(path), "--format", "json"])
    assert len(forked) == 1 and early._pending is not None
    assert early._pending[2] is reader.SCANNER  # the prefilter's own scanner, built once
    assert _report(path) == alone
    assert len(forked) == 1  # the early child was used: no second one
    assert forked[0]._pid is None and forked[0]._pipe == -1  # reaped, its pipe closed
    assert early._pending is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
def test_another_file_is_not_read_from_the_early_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       forked: list[tailscan.TailScan]) -> None:
    path = _log(tmp_path / "agent.log", seed=12)
    other = _log(tmp_path / "other.log", seed=13)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1 << 62)
    alone = _report(other)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    early.start([str(path)])
    assert len(forked) == 1
    assert _report(other) == alone
    assert len(forked) == 2  # the early child was stopped and a child of the file read was forked
    assert all(t._pid is None for t in forked)


@pytest.mark.parametrize("head", [b"\x1f\x8b\x08\x00", b"\xff\xfeS\x00"])
def test_gzip_and_utf16_files_get_no_early_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 forked: list[tailscan.TailScan], head: bytes) -> None:
    path = tmp_path / "agent.log"
    path.write_bytes(head + b"SignatureDoesNotMatch\n" * 100)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    early.start([str(path)])
    assert not forked and early._pending is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
def test_a_child_of_other_words_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            forked: list[tailscan.TailScan]) -> None:
    """Words the table's copy keeps that are not the prefilter's (a copy made before a word was added to the code):
    the early child found other positions, so the records come from a child of the prefilter's own words."""
    path = _log(tmp_path / "agent.log", seed=14)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1 << 62)
    alone = _report(path)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    from sigdoctor import tomlcache

    monkeypatch.setattr(tomlcache, "derived", lambda folder: {"prefilter": {"words": ["SignatureDoesNotMatch"]}})
    early.start([str(path)])
    assert len(forked) == 1 and forked[0] is not None
    assert _report(path) == alone
    assert len(forked) == 2 and all(t._pid is None for t in forked)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_not_opened(tmp_path: Path, forked: list[tailscan.TailScan]) -> None:
    """Opening a named pipe would wait for its writer: `start` leaves it to the CLI, at once."""
    fifo = tmp_path / "agent.fifo"
    os.mkfifo(fifo)
    early.start([str(fifo)])
    assert not forked and early._pending is None
