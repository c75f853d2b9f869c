#!/usr/bin/env python3
"""Every namespace-world scenario run one at a time and 8 at once: same top cause and exit code? (GitHub issue 12,
"results under load equal results alone").

The scenarios are the end-to-end tests (tests/e2e/): each world run they make is logged by tests/world (WORLD_RUN_LOG:
test, argv, exit code, top root cause, wall time). The serial pass runs them in one pytest process; the parallel pass
splits them over 8 pytest processes started together, so 8 worlds run at once on this machine. Then:

* the table — scenario, top cause and exit code alone and under load, wall time of each — and every difference;
* the blackholed pod with IRSA (tests/e2e/test_incomplete_world.py) run 8 times at once, `--deadline 5`: the issue's
  case where 8 of 8 ended with exit 0 and no cause.

Usage: python bench/scenarios.py [--jobs 8] [-k EXPR] [--out FILE.json] [--same-only]
Nothing leaves the machine: every run is inside `unshare -rnm` (tests/world).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

Key = tuple[str, str, int]


def collect(expr: str | None) -> list[str]:
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/e2e"]
    if expr:
        argv += ["-k", expr]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return [line.strip() for line in out.splitlines() if "::" in line and not line.startswith(" ")]


def run_shards(shards: list[list[str]], log: Path) -> tuple[float, list[int]]:
    """Run each shard in its own pytest process, all at once; returns wall time and pytest exit codes."""
    env = {**os.environ, "WORLD_RUN_LOG": str(log)}
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *shard], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for shard in shards if shard]
    codes = [p.wait() for p in procs]
    return time.monotonic() - t0, codes


def read(log: Path) -> dict[Key, dict[str, Any]]:
    """Rows keyed by (test, argv, n-th run of that argv in the test)."""
    rows: dict[Key, dict[str, Any]] = {}
    seen: dict[tuple[str, str], int] = {}
    if not log.exists():
        return rows
    for line in log.read_text().splitlines():
        row = json.loads(line)
        argv = " ".join(str(a) for a in row["argv"] if "/" not in str(a))
        base = (row["test"], " ".join(argv.split())[:60])  # argv of `python -c SCRIPT` runs spans lines
        n = seen.get(base, 0)
        seen[base] = n + 1
        rows[(*base, n)] = row
    return rows


def table(serial: dict[Key, dict[str, Any]], parallel: dict[Key, dict[str, Any]]) -> tuple[list[str], int]:
    lines = [f"{'scenario':74} {'top cause (alone)':28} rc  {'top cause (8 at once)':28} rc  wall alone/8x"]
    differ = 0
    for key in sorted(serial.keys() | parallel.keys()):
        s, p = serial.get(key), parallel.get(key)
        name = key[0].split("::", 1)[-1][:52] + (f" [{key[1][-20:]}]" if key[1] else "")
        same = s is not None and p is not None and (s["top"], s["rc"]) == (p["top"], p["rc"])
        differ += not same

        def cell(r: dict[str, Any] | None) -> str:
            return f"{r['top']!s:28} {r['rc']!s:3}" if r else f"{'(no run)':28} {'-':3}"

        walls = "/".join(f"{r['elapsed']:.1f}" if r else "-" for r in (s, p))
        lines.append(f"{name[:74]:74} {cell(s)} {cell(p)} {walls}{'' if same else '   <-- DIFFERS'}")
    return lines, differ


def same_world_at_once(jobs: int) -> list[dict[str, Any]]:
    """The blackholed pod with IRSA, `run --deadline 5`, `jobs` copies at once."""
    from tests.e2e.test_incomplete_world import blackholed_irsa
    from tests.world import World

    def one(_: int) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="sigdoctor-load-") as tmp:
            r = blackholed_irsa(World(Path(tmp))).run("--deadline", "5", "--format", "json", timeout=40)
            rep = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
            causes = [c["id"] for c in rep.get("root_causes", [])]
            return {"rc": r.rc, "causes": causes, "elapsed": r.elapsed, "killed": r.timed_out,
                    "report_ms": rep.get("duration_ms")}

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, range(jobs)))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="scenarios")
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("-k", dest="expr", default=None, help="pytest -k expression to pick scenarios")
    ap.add_argument("--out", default="")
    ap.add_argument("--same-only", action="store_true", help="only the blackholed-IRSA world, --jobs copies at once")
    args = ap.parse_args(argv)
    from tests.world import namespaces_available

    ok, why = namespaces_available()
    if not ok:
        print(f"needs unshare -rnm: {why}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    differ = 0
    if not args.same_only:
        tests = collect(args.expr)
        print(f"{len(tests)} scenario tests", flush=True)
        with tempfile.TemporaryDirectory(prefix="sigdoctor-scenarios-") as tmp:
            slog, plog = Path(tmp) / "serial.jsonl", Path(tmp) / "parallel.jsonl"
            s_wall, s_codes = run_shards([tests], slog)
            p_wall, p_codes = run_shards([tests[i::args.jobs] for i in range(args.jobs)], plog)
            serial, parallel = read(slog), read(plog)
        lines, differ = table(serial, parallel)
        print("\n".join(lines))
        print(f"\n{len(serial)} world runs alone in {s_wall:.0f} s (pytest exit {s_codes}); {len(parallel)} with "
              f"{args.jobs} at once in {p_wall:.0f} s (pytest exits {p_codes}); {differ} differ", flush=True)
        results.update(serial=list(serial.values()), parallel=list(parallel.values()), differ=differ,
                       serial_wall_s=s_wall, parallel_wall_s=p_wall)
    runs = same_world_at_once(args.jobs)
    print(f"\nblackholed pod with IRSA, run --deadline 5, {args.jobs} at once:")
    for r in runs:
        print(f"  rc {r['rc']}  wall {r['elapsed']:.2f} s  report {r['report_ms']} ms  causes {r['causes']}")
    zero = sum(r["rc"] == 0 for r in runs)
    print(f"  exit 0: {zero} of {len(runs)}; median wall {statistics.median(r['elapsed'] for r in runs):.2f} s")
    results["blackholed_irsa_at_once"] = runs
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 1 if differ or zero else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
