#!/usr/bin/env python3
"""Score `sigdoctor decode` on the real-world corpus (tests/corpus/<batch>/): how often the cause the source thread
gives is ranked first, or in the first three, of `root_causes`.

    .venv/bin/python bench/corpus.py [BATCH ...] [--cli] [--json] [--by-cause] [--quiet]

BATCH defaults to every tests/corpus/batch*/ directory, each scored separately. Each text is decoded in this process
through the CLI's own `main(["decode", "--format", "json", FILE])` (so exactly what a user gets, without an
interpreter start per text); `--cli` runs the installed `sigdoctor` executable in a child process instead.

Figures (per batch):
* top-1 on confirmed — among texts whose thread confirms the cause, how often root_causes[0] is that cause;
* top-3 on all — among all texts, how often the cause is one of the first three root causes.
A text labelled `out-of-catalog` (the thread's cause is none of sigdoctor's) counts as a hit when decode names no
error-severity cause: saying nothing is right, naming a cause is a false diagnosis.
When a batch has a `decide.toml` (for each text, judged by someone who never saw decode's answers, for batch 7
before it was scored: does the text alone show its labelled cause — `yes`, `partly` when other causes fit it as
well, `no` when only the thread shows it), the figures are also given for each of the three groups.
Not a test: figures are reported, never asserted (the goal, issue 11: top-1 ≥ 90 % on confirmed, top-3 ≥ 95 %).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
OUT_OF_CATALOG = "out-of-catalog"


@dataclass(frozen=True)
class Scored:
    id: str
    project: str
    source: str
    expected: str
    confirmed: bool
    got: tuple[str, ...]  # root cause ids, ranked
    errors: tuple[str, ...]  # the error-severity ones among them
    failure: str = ""  # decode itself failed (crash, no JSON): counted as a miss
    shows: str = ""  # decide.toml's judgement: does the text alone show the cause (yes / partly / no), or unjudged

    @property
    def top1(self) -> bool:
        if self.failure:
            return False
        if self.expected == OUT_OF_CATALOG:
            return not self.errors
        return bool(self.got) and self.got[0] == self.expected

    @property
    def top3(self) -> bool:
        if self.failure:
            return False
        if self.expected == OUT_OF_CATALOG:
            return not self.errors
        return self.expected in self.got[:3]


def load_index(batch: Path) -> list[dict[str, Any]]:
    """A batch's texts: index.toml, or one index-*.toml per gatherer when two gathered it side by side."""
    out: list[dict[str, Any]] = []
    for index in sorted(batch.glob("index*.toml")):
        with index.open("rb") as f:
            out += tomllib.load(f)["text"]
    return out


def batches() -> list[Path]:
    """Every batch with an index, batch10 after batch9."""
    return sorted((d for d in CORPUS.glob("batch*") if any(d.glob("index*.toml"))),
                  key=lambda d: int(d.name.removeprefix("batch")))


def corpus_model_data(exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """checks/errors/resemblance.json's content built from every batch but `exclude` (awserrors/resemblance.py)."""
    from sigdoctor.awserrors.resemblance import train

    used = [b for b in batches() if b.name not in exclude]
    pairs = [((b / e["file"]).read_text(encoding="utf-8", errors="replace"), str(e["cause"]))
             for b in used for e in load_index(b)]
    return train(pairs, source=f"tests/corpus: {len(pairs)} texts from public issue threads, labelled from their "
                 "threads", batches=[b.name for b in used])


SHOWS = ("yes", "partly", "no")


def load_decide(batch: Path) -> dict[str, str]:
    """Text id → whether the text alone shows its labelled cause, from the batch's decide.toml (when it has one)."""
    path = batch / "decide.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return {t["id"]: t["shows"] for t in tomllib.load(f)["text"] if t.get("shows") in SHOWS}


class _Capture(io.StringIO):
    """stdout for one in-process run; the CLI may close its output stream when it is done with it."""

    def close(self) -> None:
        pass


def decode_in_process(path: Path) -> dict[str, Any]:
    from sigdoctor import redact
    from sigdoctor.cli import main

    # One decode is one process for a user: the process-wide redactor must not carry a secret learned from the
    # previous text into this one's excerpts (it made excerpts differ with the order texts were decoded in).
    redact._PROCESS = redact.Redactor()
    out, err = _Capture(), _Capture()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["decode", "--format", "json", str(path)])
    if code not in (0, 1):
        raise RuntimeError(f"exit {code}: {err.getvalue().strip()[:200]}")
    return dict(json.loads(out.getvalue()))


def decode_child(path: Path, exe: str) -> dict[str, Any]:
    done = subprocess.run([exe, "decode", "--format", "json", str(path)], capture_output=True, text=True,
                          check=False, timeout=120)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{path}: sigdoctor decode exited {done.returncode}: {done.stderr.strip()[:200]}")
    return dict(json.loads(done.stdout))


def held_out(batch: Path) -> contextlib.AbstractContextManager[Any]:
    """Decode with a resemblance model that never saw `batch` (awserrors/resemblance.py): the shipped model was built
    from the corpus, so scoring a batch it holds with it would score texts by a model that learnt their labels."""
    from sigdoctor.awserrors import resemblance

    if batch.name not in resemblance.model().batches:
        return contextlib.nullcontext()
    return resemblance.substituted(resemblance.load(corpus_model_data(exclude=(batch.name,))))


def _resemblance_mode(name: str, *, cli: bool) -> str:
    from sigdoctor.awserrors import resemblance

    if name not in resemblance.model().batches:
        return "the shipped model, which never saw this batch"
    return "the shipped model, which saw this batch (in-sample: --cli)" if cli else "a model built without this batch"


def score(batch: Path, *, cli: bool) -> list[Scored]:
    exe = shutil.which("sigdoctor") or str(REPO / ".venv" / "bin" / "sigdoctor")
    with held_out(batch) if not cli else contextlib.nullcontext():
        return _score(batch, exe, load_decide(batch), cli=cli)


def _score(batch: Path, exe: str, shows: dict[str, str], *, cli: bool) -> list[Scored]:
    results = []
    for entry in load_index(batch):
        path = batch / entry["file"]
        failure = ""
        try:
            report = decode_child(path, exe) if cli else decode_in_process(path)
        except Exception as exc:  # a crash on one text is a finding, not the end of the run
            report, failure = {}, f"{type(exc).__name__}: {exc}"[:200]
        causes = report.get("root_causes", [])
        results.append(Scored(
            id=entry["id"], project=entry["project"], source=entry["source"], expected=entry["cause"],
            confirmed=bool(entry["confirmed"]),
            got=tuple(c["id"] for c in causes),
            errors=tuple(c["id"] for c in causes if c.get("severity") == "error"),
            failure=failure, shows=shows.get(entry["id"], ""),
        ))
    return results


def pct(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / total:.0f}%" if total else "—"


def summary(name: str, rows: list[Scored]) -> dict[str, Any]:
    confirmed = [r for r in rows if r.confirmed]
    by_shows = {}
    for shows in SHOWS:
        group = [r for r in rows if r.shows == shows]
        if group:
            by_shows[shows] = {"texts": len(group), "confirmed": sum(r.confirmed for r in group),
                               "top1_confirmed": sum(r.top1 for r in group if r.confirmed),
                               "top3_all": sum(r.top3 for r in group), "top1_all": sum(r.top1 for r in group)}
    return {
        "batch": name,
        "texts": len(rows),
        "projects": len({r.project for r in rows}),
        "confirmed": len(confirmed),
        "top1_confirmed": sum(r.top1 for r in confirmed),
        "top3_all": sum(r.top3 for r in rows),
        "top1_all": sum(r.top1 for r in rows),
        "no_cause": sum(not r.got for r in rows),
        "failed": sum(bool(r.failure) for r in rows),
        "by_shows": by_shows,
        "misses": [{"id": r.id, "project": r.project, "source": r.source, "expected": r.expected,
                    "confirmed": r.confirmed, "got": list(r.got[:3]), "failure": r.failure,
                    **({"shows": r.shows} if r.shows else {})}
                   for r in rows if not r.top1 or not r.top3],
    }


def markdown(summaries: list[dict[str, Any]], by_cause: dict[str, list[Scored]] | None, quiet: bool) -> str:
    lines = ["| batch | texts | projects | confirmed | top-1 on confirmed | top-3 on all | top-1 on all | no cause |"
             " decode failed |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in summaries:
        lines.append(f"| {s['batch']} | {s['texts']} | {s['projects']} | {s['confirmed']} | "
                     f"{pct(s['top1_confirmed'], s['confirmed'])} | {pct(s['top3_all'], s['texts'])} | "
                     f"{pct(s['top1_all'], s['texts'])} | {s['no_cause']} | {s['failed']} |")
    modes = sorted({s["resemblance"] for s in summaries})
    lines += ["", "Texts no rule read are compared by their words with the corpus (awserrors/resemblance.py), using "
              + "; ".join(f"{m} for {', '.join(s['batch'] for s in summaries if s['resemblance'] == m)}"
                          for m in modes) + "."]
    if any(s["by_shows"] for s in summaries):
        lines += ["", "By whether the text alone shows its cause (decide.toml, judged by someone who never saw decode's "
                  "answers):", "",
                  "| batch | the text shows it | texts | confirmed | top-1 on confirmed | top-3 on all | top-1 on all |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for s in summaries:
            for shows, g in s["by_shows"].items():
                lines.append(f"| {s['batch']} | {shows} | {g['texts']} | {g['confirmed']} | "
                             f"{pct(g['top1_confirmed'], g['confirmed'])} | {pct(g['top3_all'], g['texts'])} | "
                             f"{pct(g['top1_all'], g['texts'])} |")
    if by_cause is not None:
        for name, rows in by_cause.items():
            lines += ["", f"By expected cause ({name}):", "",
                      "| cause | texts | confirmed | top-1 | top-3 |", "| --- | --- | --- | --- | --- |"]
            causes = sorted({r.expected for r in rows})
            for cause in causes:
                mine = [r for r in rows if r.expected == cause]
                lines.append(f"| {cause} | {len(mine)} | {sum(r.confirmed for r in mine)} | "
                             f"{sum(r.top1 for r in mine)} | {sum(r.top3 for r in mine)} |")
    if not quiet:
        for s in summaries:
            if not s["misses"]:
                continue
            judged = any("shows" in m for m in s["misses"])
            lines += ["", f"Misses ({s['batch']}): top-1 or top-3 wrong", "",
                      "| id | confirmed | expected | got (first 3) | project |" + (" text shows it |" if judged else ""),
                      "| --- | --- | --- | --- | --- |" + (" --- |" if judged else "")]
            for m in s["misses"]:
                got = f"(decode failed: {m['failure']})" if m["failure"] else ", ".join(m["got"]) or "(no cause)"
                lines.append(f"| {m['id']} | {'yes' if m['confirmed'] else 'no'} | {m['expected']} | {got} | "
                             f"{m['project']} |" + (f" {m.get('shows', '—')} |" if judged else ""))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("batches", nargs="*", help="batch directory names under tests/corpus (default: all batch*)")
    p.add_argument("--cli", action="store_true", help="run the sigdoctor executable per text instead of in-process")
    p.add_argument("--json", action="store_true", help="print the figures and misses as JSON")
    p.add_argument("--by-cause", action="store_true", help="also break the figures down by expected cause")
    p.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    a = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    names = a.batches or [d.name for d in batches()]
    if not names:
        print("no batch with an index.toml under tests/corpus", file=sys.stderr)
        return 2
    scored = {name: score(CORPUS / name, cli=a.cli) for name in names}
    summaries = [{**summary(name, rows), "resemblance": _resemblance_mode(name, cli=a.cli)}
                 for name, rows in scored.items()]
    if a.json:
        print(json.dumps(summaries, indent=2))
    else:
        sys.stdout.write(markdown(summaries, scored if a.by_cause else None, a.quiet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
