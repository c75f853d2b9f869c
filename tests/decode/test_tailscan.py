"""A large log file is scanned by two processes (tailscan.py): a user sees the same report as from one."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.context import Context
from sigdoctor.decode import decode_report, reader, tailscan

from .conftest import INPUTS

CORPUS = Path(__file__).parents[1] / "corpus"
FILLER = ('ts=2026-11-27T05:00:{s:02d}Z caller=queue_manager.go:1670 level=info component=remote msg="Remote storage '
          'resharding" from={i} to={j} ulid=01HX{i}ABCDEF duration=1.2s\n')


def _log(path: Path, seed: int) -> Path:
    """Healthy lines with every fixture and corpus text between them, some folded onto one line, and a text at the
    very end (where the child stops reading)."""
    rng = random.Random(seed)
    texts = [p.read_bytes() for p in sorted(INPUTS.iterdir()) if p.is_file()]
    texts += [p.read_bytes() for p in sorted(CORPUS.glob("batch*/*.txt"))]
    parts: list[bytes] = []
    for i, text in enumerate(rng.sample(texts, len(texts))):
        parts += [FILLER.format(s=k % 60, i=k, j=k % 89).encode() for k in range(rng.randrange(0, 120))]
        if rng.random() < 0.2:
            text = text.replace(b"\n", b" ")
        parts.append(text if text.endswith(b"\n") else text + b"\n")
        if i % 50 == 0:
            parts.append(b'ts=2026-11-27T05:00:00Z msg="one long line" ' + b"x" * rng.randrange(100_000, 300_000)
                         + b" SignatureDoesNotMatch " + b"y" * 1000 + b"\n")
    parts.append(texts[0].rstrip(b"\n"))
    path.write_bytes(b"".join(parts))
    return path


def _report(path: Path) -> dict[str, Any]:
    report = decode_report(path, client=None, ctx=Context(env={}))
    doc = dataclasses.asdict(report)
    for key in ("started_at", "duration_ms"):
        doc.pop(key, None)
    for probe in doc["probes"]:
        probe.pop("duration_ms", None)
    out: dict[str, Any] = json.loads(json.dumps(doc, default=str))
    return out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
@pytest.mark.parametrize("share", [0.6, 0.05, 0.95])
def test_report_is_the_one_a_single_process_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  share: float) -> None:
    path = _log(tmp_path / "agent.log", seed=int(share * 100))
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1 << 62)
    alone = _report(path)
    answered: list[int] = []
    positions = tailscan.TailScan.positions

    def counted(self: tailscan.TailScan, lo: int, hi: int) -> list[int] | None:
        out = positions(self, lo, hi)
        answered.append(out is not None)
        return out

    monkeypatch.setattr(tailscan.TailScan, "positions", counted)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    monkeypatch.setattr(tailscan, "TAIL_SHARE", share)
    monkeypatch.setattr(tailscan, "WAIT", 60.0)  # a busy machine must not make this process go on alone here
    scans: list[tailscan.TailScan] = []
    init = tailscan.TailScan.__init__

    def recorded(self: tailscan.TailScan, *args: Any) -> None:
        init(self, *args)
        scans.append(self)

    monkeypatch.setattr(tailscan.TailScan, "__init__", recorded)
    split = _report(path)
    assert answered and all(answered)  # the child did scan the tail
    assert split == alone
    assert len(scans) == 1 and scans[0]._pid is None and scans[0]._pipe == -1  # reaped, its pipe closed
    assert alone["probes"][0]["findings"][0]["evidence"]["errors"] > 100


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
@pytest.mark.parametrize("child", ["dies", "is too slow"])
def test_a_child_that_fails_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: str) -> None:
    path = _log(tmp_path / "agent.log", seed=3)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1 << 62)
    alone = _report(path)
    scan = tailscan._scan

    def dies(*_: object) -> None:
        raise MemoryError

    def slow(*args: Any) -> None:
        time.sleep(30)
        scan(*args)

    monkeypatch.setattr(tailscan, "_scan", dies if child == "dies" else slow)  # what the child runs
    monkeypatch.setattr(tailscan, "WAIT", 0.05)
    monkeypatch.setattr(tailscan, "MIN_SIZE", 1)
    children: list[int] = []
    init = tailscan.TailScan.__init__

    def recorded(self: tailscan.TailScan, *args: Any) -> None:
        init(self, *args)
        children.append(self._pid or 0)

    monkeypatch.setattr(tailscan.TailScan, "__init__", recorded)
    assert _report(path) == alone
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # and it was reaped


def _sparse_log(path: Path, *, crlf: bool, final_newline: bool) -> Path:
    """Records far apart (thousands of lines between them: many of the child's newline marks in each gap), multi-line
    records among them, CRLF line ends or not, and a last line with or without its newline."""
    rng = random.Random(7 + crlf)
    texts = [p.read_bytes() for p in sorted(INPUTS.iterdir()) if p.is_file() and p.stat().st_size]
    parts: list[bytes] = []
    for k in range(60):
        parts += [FILLER.format(s=i % 60, i=i, j=i % 89).encode() for i in range(rng.randrange(0, 3000))]
        if k % 7 == 3:
            parts.append(b"\n" * rng.randrange(1, 5000))  # empty lines: newlines only
        text = rng.choice(texts)
        parts.append(text if text.endswith(b"\n") else text + b"\n")
    data = b"".join(parts)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path.write_bytes(data if final_newline else data.rstrip(b"\r\n") + b" SignatureDoesNotMatch")
    return path


def _records(path: Path, start: int | None) -> tuple[list[tuple[int, int, bytes, bytes]], int]:
    """iter_records over `path`, alone or with a child scanning [start, size): its records and the line count."""
    stats = reader.Stats()
    with path.open("rb") as f:
        tail = tailscan.TailScan(reader.SCANNER, f.fileno(), 0, start, path.stat().st_size) if start is not None \
            else None
        try:
            out = [(r.first_line, r.last_line, r.raw, r.before) for r in reader.iter_records(f, stats, tail)]
        finally:
            if tail is not None:
                tail.close()
    return out, stats.lines


def _counted_by_child(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bytes whose newlines this process took from the child's marks, one entry per answer."""
    spans: list[int] = []
    newlines = tailscan.TailScan.newlines

    def recorded(self: tailscan.TailScan, lo: int, hi: int) -> tuple[int, int, int] | None:
        out = newlines(self, lo, hi)
        if out is not None:
            spans.append(out[1] - out[0])
        return out

    monkeypatch.setattr(tailscan.TailScan, "newlines", recorded)
    return spans


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("final_newline", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("split", ["5%", "60%", "95%", "inside a record", "inside a word"])
def test_line_numbers_across_the_tail_are_the_single_process_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool, final_newline: bool, split: str) -> None:
    path = _sparse_log(tmp_path / "agent.log", crlf=crlf, final_newline=final_newline)
    data = path.read_bytes()
    alone, lines = _records(path, None)
    assert lines == data.count(b"\n") + (not final_newline)
    assert len(alone) > 40
    if split.endswith("%"):
        start = len(data) * (100 - int(split[:-1])) // 100
    else:
        # A multi-line record (or an anchor word) that begins before the child's start and ends after it.
        first, last, raw, _ = next(r for r in alone[len(alone) // 2:] if r[1] > r[0] + 2)
        at = data.index(raw)
        start = at + (raw.index(b"\n", len(raw) // 2) if split == "inside a record"
                      else raw.index(b"SignatureDoesNotMatch") + 5 if b"SignatureDoesNotMatch" in raw else 1)
    monkeypatch.setattr(tailscan, "WAIT", 60.0)  # a busy machine must not make this process go on alone here
    spans = _counted_by_child(monkeypatch)
    split_records, split_lines = _records(path, start)
    assert sum(spans) > (len(data) - start) // 2  # most of the tail's newlines were the child's count
    assert split_records == alone
    assert split_lines == lines
    # And the numbers are right, not merely equal: a record's first line is that line of the file.
    text_lines = data.split(b"\n")
    for first, last, raw, _ in alone:
        assert raw.split(b"\n")[0] in text_lines[first - 1]
        assert last - first == raw[:-1].count(b"\n")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
def test_a_child_that_dies_half_way_leaves_the_rest_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool) -> None:
    path = _sparse_log(tmp_path / "agent.log", crlf=crlf, final_newline=False)
    size = path.stat().st_size
    alone, lines = _records(path, None)
    write = tailscan._write
    frames = (size // 2) // tailscan._READ // 2  # the child dies after scanning about half of its share

    def dying(fd: int, data: bytes) -> None:  # runs in the child
        nonlocal frames
        if frames == 0:
            os._exit(1)
        frames -= 1
        write(fd, data)

    monkeypatch.setattr(tailscan, "_write", dying)
    monkeypatch.setattr(tailscan, "WAIT", 60.0)
    spans = _counted_by_child(monkeypatch)
    split_records, split_lines = _records(path, size // 2)
    assert 0 < sum(spans) < size // 2  # the child's marks were used as far as they went, and no further
    assert split_records == alone
    assert split_lines == lines


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tail is scanned by a forked child")
def test_records_abandoned_early_reap_the_child(tmp_path: Path) -> None:
    """A caller that stops reading records (a deadline, the first error is enough) leaves no child scanning and no
    pipe open: a library caller decodes file after file in one process."""
    path = _sparse_log(tmp_path / "agent.log", crlf=False, final_newline=True)
    with path.open("rb") as f:
        tail = tailscan.TailScan(reader.SCANNER, f.fileno(), 0, 0, path.stat().st_size)
        pid = tail._pid
        records = reader.iter_records(f, reader.Stats(), tail)
        assert next(records).first_line > 0
        records.close()
    assert tail._pid is None and tail._pipe == -1
    with pytest.raises(ChildProcessError):
        os.waitpid(pid or 0, os.WNOHANG)


@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"),
                    reason="Linux pipes: the child's frames wait in a pipe of settable size")
def test_the_child_runs_ahead_of_this_process(tmp_path: Path) -> None:
    """The child's frames wait in the pipe until this process reaches the tail: a 64 KB pipe stopped it half-way
    through a 100 MB log, so the two scans ran one after the other. ~450 KB of frames must not hold it back."""
    path = tmp_path / "errors.log"
    path.write_bytes(b'level=error msg="SignatureDoesNotMatch: bad"\n' * 50_000)
    data = path.read_bytes()
    expected = reader.SCANNER.positions(data, reader.SCANNER.mapped(data), 0, len(data))
    assert len(expected) >= 50_000
    with path.open("rb") as f:
        tail = tailscan.TailScan(reader.SCANNER, f.fileno(), 0, 0, len(data))
        pid = tail._pid or 0
        deadline = time.monotonic() + 30
        while os.waitpid(pid, os.WNOHANG) == (0, 0):  # nothing read from the pipe yet
            assert time.monotonic() < deadline, "the child is held back by a full pipe"
            time.sleep(0.01)
        tail._pid = None  # reaped here
        found = tail.positions(0, len(data) - reader.SCANNER.longest)
        tail.close()
    assert found == [p for p in expected if p < len(data) - reader.SCANNER.longest]
