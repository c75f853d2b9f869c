#!/usr/bin/env python3
"""Runs commands inside the namespace world and times them (wall clock, each a child process).

Usage: python bench/timer.py PLAN.json OUT.json — PLAN: [{"name", "argv", "runs", "timeout", "env"?}, …].
OUT: {name: {"times": [s…], "rcs": [...], "timed_out": n, "last_stdout", "last_stderr"}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(plan_path: str, out_path: str) -> int:
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    results = {}
    for item in plan:
        times, rcs, timed_out, last, last_err = [], [], 0, "", ""
        env = {**os.environ, **item.get("env", {})}
        for _ in range(item["runs"]):
            t0 = time.perf_counter()
            try:
                p = subprocess.run(item["argv"], capture_output=True, text=True, timeout=item["timeout"], env=env)
                rcs.append(p.returncode)
                last, last_err = p.stdout[:200_000], p.stderr[-500_000:]
            except subprocess.TimeoutExpired:
                timed_out += 1
                rcs.append(None)
            times.append(time.perf_counter() - t0)
        results[item["name"]] = {"times": times, "rcs": rcs, "timed_out": timed_out, "last_stdout": last,
                                "last_stderr": last_err}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
