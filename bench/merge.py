#!/usr/bin/env python3
"""Time and memory of `sigdoctor merge` on a large fleet: N reports from a folder and as JSON lines on stdin.

Usage: python bench/merge.py [--hosts 10000,100000] [--runs 3] [--big-runs 1] [--formats json,text]
                             [--cache DIR] [--templates DIR] [--keep] [--timeout 600] [--sigdoctor CMD]
                             [--before OLD_CHECKOUT]

The reports are real `sigdoctor run --format json` output: the seven fleet scenarios of tests/merge/scenarios.py
(healthy IRSA, no credentials, long-lived keys, IMDS hop limit, a skewed clock), run once in the namespace world
and cached in --templates (default /tmp/sigdoctor-bench-merge-templates). From them N reports are written the way
a fleet collects them: one pretty-printed HOST.json per node in a folder (`run --output HOST.json`), and the same
reports as one compact JSON line each in one file (`kubectl logs … | sigdoctor merge -`). Hosts get EC2-style
names, a realistic mix (mostly healthy, a tenth without credentials, a few skewed clocks, each with its own start
time) and 1 % report twice (the older report is superseded).

Each command runs in a child process; wall time, and the child's peak RSS from /usr/bin/time. Not a test:
figures are reported, never asserted. `--before DIR` also times an older checkout (the same command with
PYTHONPATH=DIR), alternating with this one run by run so both see the same machine, and compares their views byte
for byte (the `same view` column). Goal (issue 14): 10,000 reports ≤ 5 s and ≤ 200 MB from a folder and from -.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SIGDOCTOR = str(Path(sys.executable).with_name("sigdoctor"))
DEFAULT_TEMPLATES = Path(tempfile.gettempdir()) / "sigdoctor-bench-merge-templates"
# template (tests/merge/scenarios.py host) → share of the fleet.
MIX = {"node-a": 0.70, "node-c": 0.10, "node-e": 0.09, "node-f": 0.08, "node-g": 0.03}
TWICE = 0.01


def templates(where: Path) -> dict[str, dict[str, Any]]:
    """The scenario reports, produced once in the namespace world (about 20 s) and cached."""
    if not all((where / f"{h}.json").exists() for h in MIX):
        sys.path.insert(0, str(REPO))
        from tests.merge.scenarios import produce

        where.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="sigdoctor-bench-worlds-") as d:
            for host, rep in produce(Path(d)).items():
                (where / f"{host}.json").write_text(json.dumps(rep, indent=2))
    return {h: json.loads((where / f"{h}.json").read_text()) for h in MIX}


def fleet(n: int, tpl: dict[str, dict[str, Any]], seed: int = 14) -> Iterator[dict[str, Any]]:
    """The fleet's reports one at a time (100,000 of them held at once would be ~3 GB in this process)."""
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    for i in range(n):
        rep = copy.deepcopy(tpl[rng.choices(kinds, weights)[0]])
        host = f"ip-10-{i // 65536 % 256}-{i // 256 % 256}-{i % 256}.ec2.internal"
        rep["environment"]["host"] = host
        minute = rng.randrange(24 * 60)
        rep["started_at"] = f"2026-12-06T{minute // 60:02d}:{minute % 60:02d}:{rng.randrange(60):02d}Z"
        rep["duration_ms"] = rng.randrange(300, 3000)
        yield rep
        if rng.random() < TWICE:
            older = copy.deepcopy(rep)
            older["started_at"] = "2026-12-05T23:59:00Z"
            yield older


def write_inputs(reports: Iterable[dict[str, Any]], base: Path) -> tuple[Path, Path, int, int]:
    folder, lines = base / "reports", base / "reports.jsonl"
    folder.mkdir()
    seen: dict[str, int] = {}
    with lines.open("w", encoding="utf-8") as jl:
        for rep in reports:
            host = rep["environment"]["host"]
            seen[host] = seen.get(host, 0) + 1
            name = host if seen[host] == 1 else f"{host}.{seen[host]}"
            (folder / f"{name}.json").write_text(json.dumps(rep, indent=2) + "\n", encoding="utf-8")
            jl.write(json.dumps(rep, separators=(",", ":")) + "\n")
    folder_bytes = sum(p.stat().st_size for p in folder.iterdir())
    return folder, lines, folder_bytes, lines.stat().st_size


def _inputs(n: int, tpl: dict[str, dict[str, Any]], base: Path, reuse: bool) -> tuple[Path, Path, int, int]:
    done = base / "complete"
    if reuse and done.exists():
        fb, lb = (int(x) for x in done.read_text().split())
        return base / "reports", base / "reports.jsonl", fb, lb
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    folder, lines, fb, lb = write_inputs(fleet(n, tpl), base)
    done.write_text(f"{fb} {lb}\n")
    return folder, lines, fb, lb


def run_child(argv: list[str], stdin_path: Path | None,
              timeout: float) -> tuple[float, float, int | None, bytes, float]:
    """Wall seconds, peak RSS (MB), exit code (None: killed at `timeout`), stdout and CPU seconds (user + system)
    of one child.
    The RSS comes from /usr/bin/time: a child's ru_maxrss starts at its parent's when it forks (Linux keeps it
    across exec), and this process is far bigger than a small tool."""
    with tempfile.TemporaryDirectory() as tmp, (stdin_path.open("rb") if stdin_path else open(os.devnull, "rb")) as inp:
        out_path, rss_path = Path(tmp) / "out", Path(tmp) / "rss"
        with out_path.open("wb") as out:
            t0 = time.perf_counter()
            p = subprocess.Popen(["/usr/bin/time", "-f", "%M %U %S", "-o", str(rss_path), *argv], stdin=inp, stdout=out,
                                 stderr=subprocess.DEVNULL)
            try:
                rc: int | None = p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = None
            wall = time.perf_counter() - t0
        fields = (rss_path.read_text().splitlines() or [""])[-1].split() if rss_path.exists() else []
        if len(fields) != 3 or not fields[0].isdigit():
            return wall, 0.0, rc, out_path.read_bytes(), 0.0
        return wall, int(fields[0]) / 1024, rc, out_path.read_bytes(), float(fields[1]) + float(fields[2])


def summary_of(head: bytes) -> str:
    try:
        doc = json.loads(head)
    except ValueError:
        return "(no JSON view)"
    return (f"{doc['summary']['hosts']} hosts, {doc['summary']['with_error']} with error, "
            f"{len(doc['superseded'])} superseded, {len(doc['skipped'])} skipped, top cause "
            f"{doc['causes'][0]['id'] if doc['causes'] else 'none'}")


def _commit(checkout: Path) -> str:
    out = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return (out.stdout.strip() or "?") + ("+changes" if dirty else "")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", default="10000,100000", help="fleet sizes, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per command (sizes over 20,000: one)")
    ap.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds before a run is killed and reported")
    ap.add_argument("--formats", default="json,text")
    ap.add_argument("--stdin-max", type=int, default=10**9, help="time stdin only for fleets up to this size")
    ap.add_argument("--sigdoctor", default=SIGDOCTOR,
                    help="the command to time (default: this venv's sigdoctor), e.g. 'python -m sigdoctor'")
    ap.add_argument("--keep", action="store_true", help="keep the generated reports (printed path)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep the generated fleets in CACHE/N and reuse them (100,000 reports take minutes to write)")
    ap.add_argument("--big-runs", type=int, default=1, help="runs per command for sizes over 20,000")
    ap.add_argument("--before", type=Path, default=None,
                    help="an older checkout to time beside this one (PYTHONPATH=DIR), alternating run by run")
    args = ap.parse_args()
    tpl = templates(args.templates)
    sd = shlex.split(args.sigdoctor)
    print(f"load average {os.getloadavg()[0]:.1f} at start (2 vCPU: above 2, wall times include waiting for a CPU; "
          "CPU s is the child's user + system time)\n")
    variants: list[tuple[str, list[str]]] = [("", [])]
    if args.before is not None:
        variants = [(f"before ({_commit(args.before)})", ["env", f"PYTHONPATH={args.before}"]),
                    (f"after ({_commit(REPO)})", [])]
    print("| reports | input | format | code | runs | median s | min s | max s | CPU s (median) | peak RSS MB | exit "
          "| same view | view |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in (int(x) for x in args.hosts.split(",")):
        cached = args.cache / str(n) if args.cache else None
        base = cached or Path(tempfile.mkdtemp(prefix=f"sigdoctor-bench-merge-{n}-"))
        try:
            folder, lines, fb, lb = _inputs(n, tpl, base, reuse=cached is not None)
            runs = args.runs if n <= 20_000 else args.big_runs
            for fmt in args.formats.split(","):
                for label, argv, stdin in (
                        (f"folder ({fb / 1e6:.0f} MB pretty)", [*sd, "merge", str(folder), "--format", fmt], None),
                        (f"stdin ({lb / 1e6:.0f} MB JSON lines)", [*sd, "merge", "-", "--format", fmt], lines)):
                    if stdin is not None and n > args.stdin_max:
                        continue
                    # a, b, a, b, …: the compared checkouts share the machine's load.
                    res: dict[str, list[tuple[float, float, int | None, float]]] = {name: [] for name, _ in variants}
                    views: set[bytes] = set()  # distinct stdouts (one when the checkouts agree)
                    for _ in range(runs):
                        for name, prefix in variants:
                            wall, rss_mb, rc, out, cpu_s = run_child([*prefix, *argv], stdin, args.timeout)
                            views.add(out)
                            res[name].append((wall, rss_mb, rc, cpu_s))
                    same = "" if len(variants) == 1 else ("yes" if len(views) == 1 else "**no**")
                    for name, rs in res.items():
                        walls = [r[0] for r in rs]
                        killed = sum(r[2] is None for r in rs)
                        rss = max(r[1] for r in rs)
                        view = summary_of(next(iter(views))) if fmt == "json" and len(views) == 1 else ""
                        exit_ = (f"killed at {args.timeout:.0f} s ×{killed}" if killed
                                 else ",".join(str(r[2]) for r in rs))
                        cpu = statistics.median(r[3] for r in rs)
                        print(f"| {n:,} | {label} | {fmt} | {name or _commit(REPO)} | {runs} "
                              f"| {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} | {cpu:.2f} "
                              f"| {rss:.0f} | {exit_} | {same} | {view} |", flush=True)
        finally:
            if args.keep or cached:
                print(f"(kept {base})", file=sys.stderr)
            else:
                shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
