#!/usr/bin/env python3
"""`sigdoctor ARGS` with every probe the source tree has, registered or not yet (for benchmarks: the whole
diagnosis as it will ship). A no-op swap once the lead registers them all in sigdoctor/probes/__init__.py.
With SIGDOCTOR_BENCH_PROFILE=FILE, the run is profiled (cProfile) into FILE."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    import sigdoctor.probes as registry

    for p in registry.PROBES:
        if not p.implemented:
            try:
                probe = importlib.import_module(f"sigdoctor.probes.{p.id}").PROBE
            except (ImportError, AttributeError):
                continue
            registry.PROBES = tuple(probe if q.id == p.id else q for q in registry.PROBES)
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
