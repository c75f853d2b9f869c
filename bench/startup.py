#!/usr/bin/env python3
"""Cold start and exit: `sigdoctor --version` / `--help` vs `aws --version` (awscli from PyPI), and what each start-up
or exit trick in sigdoctor/entry.py is worth.

Usage: python bench/startup.py [--runs 20] [--aws PATH_TO_aws] [--tricks]
Prints median/min/max in milliseconds and ratios. Runs of the compared commands alternate (round-robin), so that a
machine busy with other work slows them alike. Not a test: timings are reported, never asserted.

--tricks times `run --offline` and `chain --offline` (clean environment: nothing leaves the machine) as shipped and
with each trick undone, and `--version` through its fast path and through typer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIGDOCTOR = str(Path(sys.executable).with_name("sigdoctor"))

# sigdoctor/entry.py with one trick undone; the same entry point otherwise.
ENTRY = "import sys; sys.argv[0] = 'sigdoctor'; import sigdoctor.entry as e; {patch}; sys.exit(e.main())"
VARIANTS = {
    "as shipped": "pass",
    "gc kept on": "import gc; gc.disable = lambda: None",
    "interpreter teardown": "e._exit_now = lambda code: None",
}
CLEAN_ENV = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "LANG": "C.UTF-8", "AWS_CONFIG_FILE": "/dev/null",
             "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall milliseconds of `runs` runs (after one warm-up run)."""
    return measure_all({"x": cmd}, runs, env)["x"].wall


class Times:
    """Wall and CPU (user + system, from wait4) milliseconds per run. CPU time is the steadier figure on a machine
    shared with other work: waiting for a core shows in wall time only."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def _one(cmd: list[str], env: dict[str, str] | None) -> tuple[float, float]:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(p.pid, 0)
    p.returncode = 0  # reaped above
    return (time.perf_counter() - t0) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def measure_all(cases: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, Times]:
    out = {name: Times() for name in cases}
    for cmd in cases.values():
        _one(cmd, env)  # warm the page cache once
    for _ in range(runs):
        for name, cmd in cases.items():
            wall, cpu = _one(cmd, env)
            out[name].wall.append(wall)
            out[name].cpu.append(cpu)
    return out


def row(name: str, t: Times, base: Times | None = None) -> str:
    wall, cpu = statistics.median(t.wall), statistics.median(t.cpu)
    ratio = (f"{wall / statistics.median(base.wall):.2f}× | {cpu / statistics.median(base.cpu):.2f}×"
             if base else " | ")
    return f"| {name} | {len(t.wall)} | {wall:.0f} | {min(t.wall):.0f} | {max(t.wall):.0f} | {cpu:.0f} | {ratio} |"


HEADER = ("| command | runs | wall median ms | min | max | CPU median ms | wall ratio | CPU ratio |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")


def compile_tree() -> None:
    # As pip install does; this machine sets PYTHONDONTWRITEBYTECODE=1, and an edited tree would compile per run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "sigdoctor")], check=False,
                   capture_output=True)


def ensure_aws(path: str | None) -> str:
    if path:
        return path
    aws = REPO / ".bench-venv" / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REPO / ".bench-venv")], check=True)
        subprocess.run([str(REPO / ".bench-venv" / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                        "awscli"], check=True)
    return str(aws)


def startup(runs: int, aws: str) -> None:
    cases = {"aws --version": [aws, "--version"], "sigdoctor --version": [SIGDOCTOR, "--version"],
             "sigdoctor --help": [SIGDOCTOR, "--help"], "sigdoctor run --help": [SIGDOCTOR, "run", "--help"]}
    res = measure_all(cases, runs)
    base = res["aws --version"]
    print("\n### Cold start (goal: `--help` ≤ 0.5× `aws --version`)\n")
    print(HEADER)
    for name, t in res.items():
        print(row(name, t, base))


def tricks(runs: int) -> None:
    print("\n### Start-up and exit tricks (sigdoctor/entry.py), each undone in turn\n")
    print(HEADER)
    version = measure_all({"--version, fast path (entry.py)": [SIGDOCTOR, "--version"],
                           "--version through typer": [sys.executable, "-m", "sigdoctor.cli", "--version"]}, runs)
    base = version["--version, fast path (entry.py)"]
    for name, t in version.items():
        print(row(name, t, base))
    for args in (["run", "--offline"], ["chain", "--offline"]):
        cases = {f"{' '.join(args)}: {v}": [sys.executable, "-c", ENTRY.format(patch=p), *args]
                 for v, p in VARIANTS.items()}
        res = measure_all(cases, runs, env=CLEAN_ENV)
        base = next(iter(res.values()))
        for name, t in res.items():
            print(row(name, t, base))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--aws", default=None)
    ap.add_argument("--tricks", action="store_true", help="also time each trick of sigdoctor/entry.py undone")
    args = ap.parse_args()
    compile_tree()
    startup(args.runs, ensure_aws(args.aws))
    if args.tricks:
        tricks(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
