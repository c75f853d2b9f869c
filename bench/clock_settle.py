#!/usr/bin/env python3
"""The clock probe in the usual EKS pod (issue 14): Amazon Time Sync answers, UDP 123 to time.aws.com and
pool.ntp.org is dropped, STS answers over TLS. Prints the probe's own duration (median of N namespace runs) and the
status, so the settle rule (Time Sync + one AWS Date agree → stop) can be compared with waiting out the survey.

    .venv/bin/python bench/clock_settle.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.world import World  # noqa: E402


def one(tmp: Path) -> tuple[int, float, str, list[str]]:
    w = World(tmp)
    for name, address in (("time.aws.com", "198.51.100.123"), ("pool.ntp.org", "198.51.100.124")):
        w.dns(name, "A", address).server("ntp", address=address, port=123, mode="silent")
    # PYTHONPATH: the sigdoctor of the tree this script lives in, not whichever the venv has installed.
    w.time_sync(0.0).sts().env(AWS_REGION="us-east-1", PYTHONPATH=str(REPO))
    start = time.monotonic()
    r = w.run("run", "--only", "clock", "--format", "json")
    wall = time.monotonic() - start
    probe = next(p for p in r.json["probes"] if p["id"] == "clock")
    notes = [f"{s['server']}: {'not needed' if s.get('not_needed') else s['error'] or 'answered'}"
             for s in probe["data"]["clock"]["sources"]]
    return int(probe["duration_ms"]), wall, str(probe["status"]), notes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    runs = ap.parse_args().runs
    durations: list[int] = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(runs):
            ms, _, status, notes = one(Path(d) / str(i))
            durations.append(ms)
    print(f"clock probe, Time Sync answers + public NTP dropped + STS: median {statistics.median(durations):.0f} ms "
          f"(min {min(durations)}, max {max(durations)}, n={runs}); last status {status}; sources: {'; '.join(notes)}")


if __name__ == "__main__":
    main()
