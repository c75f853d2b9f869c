#!/usr/bin/env python3
"""Cold-start benchmark: `sigdoctor --version` / `--help` vs `aws --version` (awscli from PyPI).

Usage: python bench/startup.py [--runs 10] [--aws PATH_TO_aws]
Prints median/min/max in milliseconds and the ratio to aws. Not a test: timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=False)  # warm the page cache once
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--aws", default=shutil.which("aws"))
    args = ap.parse_args()
    sd = str(Path(sys.executable).with_name("sigdoctor"))
    cases = {"sigdoctor --version": [sd, "--version"], "sigdoctor --help": [sd, "--help"]}
    if args.aws:
        cases["aws --version"] = [args.aws, "--version"]
    med: dict[str, float] = {}
    for name, cmd in cases.items():
        t = measure(cmd, args.runs)
        med[name] = statistics.median(t)
        print(f"{name:<22} median {med[name]:7.1f} ms   min {min(t):7.1f}   max {max(t):7.1f}   ({args.runs} runs)")
    if "aws --version" in med:
        for name in ("sigdoctor --version", "sigdoctor --help"):
            print(f"{name} / aws --version = {med[name] / med['aws --version']:.2f}x (goal <= 0.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
