"""The hostile-input table for issue 12: per case exit code, wall time, peak RSS, and the goals (no internal error,
no raw control character, no run past its --deadline + 1 s, peak RSS ≤ 300 MB).

Each case (tests/hostile/cases.py) runs in a fresh process, inside `unshare -rn` with a clean environment, so its
peak RSS is its own. Usage: python bench/hostile.py [-k SUBSTRING] [--before SOURCE_DIR] (another checkout's
sigdoctor, e.g. `git archive <commit> | tar -x -C DIR`, for a before/after table).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile.cases import CASES, available  # noqa: E402

RSS_GOAL_MB = 300.0


def main(argv: list[str]) -> int:
    ok, why = available()
    if not ok:
        print(f"needs `unshare -rn`: {why}")
        return 2
    pick = argv[argv.index("-k") + 1] if "-k" in argv else ""
    env = dict(os.environ)
    if "--before" in argv:
        env["HOSTILE_BEFORE"] = str(Path(argv[argv.index("--before") + 1]).resolve())
    print(f"{'case':36} {'exit':>4} {'wall s':>7} {'deadline':>8} {'peak RSS MB':>11}  verdict")
    failures = 0
    for i, case in enumerate(CASES):
        if pick not in case.name:
            continue
        out = subprocess.run([sys.executable, "-m", "tests.hostile.cases", str(i)], cwd=ROOT, capture_output=True,
                             text=True, env=env)
        try:
            m = json.loads(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            print(f"{case.name:36} harness failed: {out.stderr.strip()[-300:]}")
            failures += 1
            continue
        problems = []
        if m["internal_error"]:
            problems.append("internal error")
        if m["raw_controls"]:
            problems.append(f"{m['raw_controls']} raw control chars")
        if m["timed_out"]:
            problems.append("hung")
        if case.deadline is not None and m["wall"] > case.deadline + 1:
            problems.append("past deadline + 1 s")
        if m["rss_mb"] > RSS_GOAL_MB:
            problems.append("RSS > 300 MB")
        if not m["exits_ok"]:
            problems.append(f"exit {m['rc']} not in {list(case.exits)}")
        if not m["says_ok"]:
            problems.append("message missing")
        if m["orphaned"]:
            problems.append("child orphaned")
        failures += bool(problems)
        deadline = f"{case.deadline:g}" if case.deadline is not None else "-"
        print(f"{case.name:36} {m['rc']:>4} {m['wall']:>7.2f} {deadline:>8} {m['rss_mb']:>11.1f}  "
              f"{'ok' if not problems else '; '.join(problems)}", flush=True)
    print(f"{failures} case(s) missing a goal")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
