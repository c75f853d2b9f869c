#!/usr/bin/env python3
"""How long `sigdoctor run` takes when the network answers nothing, against its --deadline (GitHub issue 4,
"Speed and bounds"), and what `aws sts get-caller-identity` does in the same world.

The worlds (namespace worlds, nothing leaves the machine):
* blackholed — tests/e2e/test_network_blackholed_world.py: the resolver silent for the target, STS's address
  accepting TCP and never speaking, IAM's dropping SYNs, NTP and IMDS silent;
* dns-silent — the resolver never answers any name; NTP and IMDS silent.

Usage: python bench/deadline.py [--runs 5] [--aws /tmp/awsvenv/bin/aws] [--aws-timeout 60] [--out FILE.json]
Prints a table (wall time of the command inside the world: median / min / max) and writes the raw figures.
awscli is not a project dependency: install it into its own venv (python -m venv /tmp/awsvenv &&
/tmp/awsvenv/bin/pip install awscli); without it that row is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.test_network_blackholed_world import blackholed
from tests.e2e.test_network_causes_world import NetWorld
from tests.world import World, namespaces_available


def dns_silent(world: World) -> NetWorld:
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp(mode="silent")
    world.dns("*", "TIMEOUT")
    world.ec2(True)
    net.blackhole("169.254.169.254", 80)
    return net


WORLDS = {"blackholed": blackholed, "dns-silent": dns_silent}


def measure(build: Any, args: list[str], runs: int) -> dict[str, Any]:
    times, rcs, killed, summaries = [], [], 0, {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="sigdoctor-deadline-") as tmp:
            net = build(World(Path(tmp)))
            r = net.run(*args, "--format", "json", timeout=60)
            times.append(r.elapsed)
            rcs.append(r.rc)
            killed += r.timed_out
            if not r.timed_out and r.rc in (0, 1):
                summaries = {p["id"]: p["summary"] for p in r.json["probes"]}
    return {"times": times, "rcs": rcs, "killed": killed, "median": statistics.median(times), "min": min(times),
            "max": max(times), "summaries": summaries}


def aws_cli(build: Any, aws: str, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sigdoctor-deadline-") as tmp:
        net = build(World(Path(tmp)))
        r = net.run_cmd([aws, "sts", "get-caller-identity"], timeout=timeout)
        return {"elapsed": r.elapsed, "rc": r.rc, "killed_at_timeout": r.timed_out,
                "stdout": r.redacted(r.stdout)[-2000:], "stderr": r.redacted(r.stderr)[-2000:]}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="deadline")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--aws", default="/tmp/awsvenv/bin/aws")
    ap.add_argument("--aws-timeout", type=float, default=60.0)
    ap.add_argument("--worlds", default=",".join(WORLDS))
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    ok, why = namespaces_available()
    if not ok:
        print(f"needs unshare -rnm: {why}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    for name in args.worlds.split(","):
        build = WORLDS[name]
        for deadline in (None, 5.0):
            label = f"{name}, --deadline {deadline:g}" if deadline else f"{name}, default deadline (20 s)"
            extra = ["--deadline", f"{deadline:g}"] if deadline else []
            m = measure(build, extra, args.runs)
            m["deadline"] = deadline or 20.0
            results[label] = m
            print(f"{label:40} median {m['median']:6.2f} s  min {m['min']:6.2f}  max {m['max']:6.2f}  "
                  f"limit {m['deadline'] + 0.5:5.1f}  rc {sorted(set(m['rcs']))}  killed {m['killed']}", flush=True)
        if os.path.exists(args.aws):
            a = aws_cli(build, args.aws, args.aws_timeout)
            results[f"{name}, aws sts get-caller-identity"] = a
            print(f"{name + ', aws sts get-caller-identity':40} {a['elapsed']:6.2f} s  rc {a['rc']}  "
                  f"killed at {args.aws_timeout:g} s: {a['killed_at_timeout']}\n  stdout: {a['stdout'].strip()!r}\n"
                  f"  stderr: {a['stderr'].strip()[-600:]!r}", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
