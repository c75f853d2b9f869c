#!/usr/bin/env python3
"""`sigdoctor ARGS` for the benchmarks. With SIGDOCTOR_BENCH_PROFILE=FILE, the run is profiled (cProfile) into
FILE, probe threads included."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from sigdoctor.cli import main as cli_main

    return int(cli_main(sys.argv[1:]) or 0)


if __name__ == "__main__":
    out = os.environ.get("SIGDOCTOR_BENCH_PROFILE")
    if not out:
        sys.exit(main())
    import cProfile
    import pstats
    import threading

    # Probes run in worker threads, which cProfile does not follow: give each thread its own profiler.
    thread_profs: list[cProfile.Profile] = []
    thread_run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        p = cProfile.Profile()
        thread_profs.append(p)
        p.runcall(thread_run, self)

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    prof = cProfile.Profile()
    try:
        rc = prof.runcall(main)
    finally:
        stats = pstats.Stats(prof)
        for tp in thread_profs:
            stats.add(tp)
        stats.dump_stats(out)
    sys.exit(rc)
