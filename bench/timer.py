#!/usr/bin/env python3
"""Runs commands inside the namespace world and times them (wall clock, each a child process).

Usage: python bench/timer.py PLAN.json OUT.json — PLAN: [{"name", "argv", "runs", "timeout", "env"?, "keep"?}, …].
OUT: {name: {"times": [s…], "cpu": [s…], "rcs": [...], "timed_out": n, "last_stdout", "last_stderr", "stdouts"}};
"cpu" is each run's user + system CPU time (the command's and its children's); "stdouts" has every run's stdout
when the item says "keep": true (per-probe times over all runs), else [].
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import Any


def _children_cpu() -> float:
    """User + system CPU seconds of every child waited for so far (the run's, once it has been waited for)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _once(item: dict[str, Any], res: dict[str, Any]) -> None:
    env = {**os.environ, **item.get("env", {})}
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    try:
        p = subprocess.run(item["argv"], capture_output=True, text=True, timeout=item["timeout"], env=env)
        res["rcs"].append(p.returncode)
        res["last_stdout"], res["last_stderr"] = p.stdout[:200_000], p.stderr[-500_000:]
        if item.get("keep"):
            res["stdouts"].append(p.stdout[:200_000])
    except subprocess.TimeoutExpired:
        res["timed_out"] += 1
        res["rcs"].append(None)
    res["times"].append(time.perf_counter() - t0)
    res["cpu"].append(_children_cpu() - cpu0)


def main(plan_path: str, out_path: str) -> int:
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    results: dict[str, dict[str, Any]] = {}
    for item in plan:
        results[item["name"]] = {"times": [], "cpu": [], "rcs": [], "timed_out": 0, "last_stdout": "",
                                 "last_stderr": "", "stdouts": []}
    # Round robin (a, b, a, b, …): commands compared side by side see the same machine, not one its busy minute.
    for round_ in range(max((item["runs"] for item in plan), default=0)):
        for item in plan:
            if round_ < item["runs"]:
                _once(item, results[item["name"]])
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
