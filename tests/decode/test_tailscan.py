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
from sigdoctor.decode import decode_report, tailscan

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
    split = _report(path)
    assert answered and all(answered)  # the child did scan the tail
    assert split == alone
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
