#!/usr/bin/env python3
"""Throughput and memory of `sigdoctor decode` on a large synthetic agent log, next to `grep -c`.

Usage: python bench/decode.py [--mb 100] [--every 500] [--runs 3] [--keep] [--one-line] [--profile]
                              [--before OLD_CHECKOUT] [--input FILE]
Writes a synthetic Prometheus/Alloy/OTel log with an AWS error every N lines to /tmp, then runs, each in a child
process, `sigdoctor decode FILE --format json` and `grep -c SignatureDoesNotMatch FILE`, reporting wall time, CPU
time (user + system), MB/s and the child's peak RSS (from wait4's rusage). The commands alternate run by run, so a
busy machine slows them alike. --before times an older checkout (a git worktree) the same way, through this venv's
interpreter with PYTHONPATH pointing at it. Not a test: figures are reported, never asserted.
Before timing, each checkout gets what an installed sigdoctor has after its first run (`warm`): .pyc files and the
regexes' file of sigdoctor/recache.py, both of which PYTHONDONTWRITEBYTECODE (set on the project's machine) would
otherwise leave unwritten.
Goal: decode ≤ 10× grep's time, peak RSS < 100 MB.
--split times the decode work in-process (no start-up) as the two processes of a large file share it: this process's
CPU and the tail child's; on an idle machine with two cores the larger one is the scan's critical path, which a busy
machine's wall time hides (there the two run one after the other).
--profile also times the decode work alone (`decode_report` in this process: no interpreter start-up, no CLI
import) and prints where its time goes under cProfile.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NORMAL = [
    'ts={ts} caller=queue_manager.go:1670 level=info component=remote remote_name=6b2a44 '
    'url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write '
    'msg="Remote storage resharding" from={n} to={m}\n',
    'ts={ts} caller=head.go:1286 level=info component=tsdb msg="Head GC completed" caller=truncateMemory '
    'duration=12.{n}ms\n',
    'ts={ts} level=info msg="finished node evaluation" controller_path=/ controller_id="" '
    'node_id=prometheus.scrape.default duration={n}.{m}µs\n',
    '{{"level":"info","ts":"{ts}","caller":"exporterhelper/queue_sender.go:128","msg":"Exporting batch",'
    '"kind":"exporter","data_type":"metrics","name":"prometheusremotewrite","items":{n}}}\n',
    'ts={ts} caller=compact.go:523 level=info component=tsdb msg="write block" mint={n}000 maxt={m}000 '
    'ulid=01HX{n}ABCDEF duration=1.2s\n',
]
ERRORS = [
    'ts={ts} caller=dedupe.go:112 component=remote level=warn remote_name=6b2a44 '
    'url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write '
    'msg="Failed to send batch, retrying" err="server returned HTTP status 403 Forbidden: {{\\"message\\":\\"The '
    "request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
    "and signing method. Consult the service documentation for details.\\\\n\\\\nThe Canonical String for this "
    "request should have been\\\\n'POST\\\\n/workspaces/ws-1/api/v1/remote_write\\\\n\\\\ncontent-encoding:snappy"
    "\\\\ncontent-type:application/x-protobuf\\\\nhost:aps-workspaces.us-east-1.amazonaws.com\\\\nx-amz-date:"
    "20261127T031502Z\\\\n\\\\ncontent-encoding;content-type;host;x-amz-date\\\\n"
    "5b3c7e0a9d1f2e4c6b8a0d2f4e6c8b0a1d3f5e7c9b1a3d5f7e9c1b3a5d7f9e1c'\\\\n\\\\nThe String-to-Sign should have "
    "been\\\\n'AWS4-HMAC-SHA256\\\\n20261127T031502Z\\\\n20261127/us-east-1/aps-workspaces/aws4_request\\\\n"
    '8e1d9c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d\'\\\\n\\"}}"\n',
    'ts={ts} caller=dedupe.go:112 component=remote level=error remote_name=cw url=https://logs.us-east-1.'
    'amazonaws.com/ msg="non-recoverable error" err="ExpiredTokenException: The security token included in the '
    'request is expired\\n\\tstatus code: 400, request id: 3c4d5e6f-7a8b-9c0d-1e2f-{n:012d}"\n',
    'ts={ts} caller=dedupe.go:112 component=remote level=warn remote_name=6b2a44 url=https://aps-workspaces.'
    'us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write msg="Failed to send batch, retrying" err="Post '
    '\\"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\\": dial tcp '
    '52.94.133.131:443: i/o timeout"\n',
    'ts={ts} level=error component_path=/ component_id=prometheus.remote_write.amp msg="non-recoverable error" '
    'err="server returned HTTP status 403 Forbidden: {{\\"Message\\":\\"User: arn:aws:sts::123456789012:assumed-'
    "role/ingest/i-0a1b is not authorized to perform: aps:RemoteWrite on resource: arn:aws:aps:us-east-1:"
    '123456789012:workspace/ws-1 because no identity-based policy allows the aps:RemoteWrite action\\"}}"\n',
]


def generate(path: Path, size_mb: int, every: int, one_line: bool = False) -> int:
    target = size_mb * 1024 * 1024
    written = lines = 0
    if one_line:
        # A log without newlines (a JSON array on one line, a collapsed paste): the records around each error
        # are cut where log entries start inside the line.
        with path.open("w", encoding="utf-8") as f:
            while written < target:
                ts = f"2026-11-27T03:{(lines // 60000) % 60:02d}:{(lines // 1000) % 60:02d}.000Z"
                if lines % every == every - 1:
                    piece = ERRORS[(lines // every) % len(ERRORS)].format(ts=ts, n=lines)
                else:
                    piece = NORMAL[lines % len(NORMAL)].format(ts=ts, n=lines % 97, m=lines % 89)
                piece = piece.replace("\n", " ")
                f.write(piece)
                written += len(piece.encode())
                lines += 1
            f.write("\n")
        return 1
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            ts = f"2026-11-27T03:{(lines // 60000) % 60:02d}:{(lines // 1000) % 60:02d}.{lines % 1000:03d}Z"
            if lines % every == every - 1:
                line = ERRORS[(lines // every) % len(ERRORS)].format(ts=ts, n=lines)
            else:
                line = NORMAL[lines % len(NORMAL)].format(ts=ts, n=lines % 97, m=lines % 89)
            f.write(line)
            written += len(line.encode())
            lines += 1
    return lines


def warm(cmd: list[str], env: dict[str, str] | None) -> None:
    """What an installed sigdoctor has after its first run: its modules' .pyc (pip install writes them) and its
    regexes' file (sigdoctor/recache.py, written by a first decode). This machine sets PYTHONDONTWRITEBYTECODE,
    under which neither is written and every timed run would compile both afresh."""
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    root = Path(env["PYTHONPATH"].split(os.pathsep)[0]) if env.get("PYTHONPATH") else Path(__file__).parents[1]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "sigdoctor")], check=False, env=env)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, exit code, CPU seconds) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return wall, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


# One decode in a fresh interpreter: (this process's CPU, its children's CPU) in seconds for the decode alone.
_SPLIT = """
import os, resource, sys
from pathlib import Path
from sigdoctor.context import Context
from sigdoctor.decode import decode_report
def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime
p0, c0 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
decode_report(Path(sys.argv[1]), client=None, ctx=Context(offline=True))
p1 = cpu(resource.RUSAGE_SELF)
while True:  # an older checkout may leave its finished child unreaped
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
print(p1 - p0, cpu(resource.RUSAGE_CHILDREN) - c0)
"""


def split(path: Path, runs: int, checkouts: dict[str, dict[str, str] | None]) -> None:
    """Parent and tail-child CPU of the decode work, checkouts alternating run by run."""
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
    for _ in range(runs):
        for name, env in checkouts.items():
            # Run from the log's folder: `-c` puts the working directory first on sys.path, ahead of PYTHONPATH.
            out = subprocess.run([sys.executable, "-c", _SPLIT, str(path)], env=env, capture_output=True,
                                 text=True, check=True, cwd=path.parent).stdout.split()
            got[name].append((float(out[0]), float(out[1])))
    for name, rs in got.items():
        parent = statistics.median(r[0] for r in rs)
        child = statistics.median(r[1] for r in rs)
        print(f"{name + ' (split)':<31} parent CPU {parent:6.3f} s  tail child CPU {child:6.3f} s  "
              f"critical path {max(parent, child):6.3f} s  ({runs} runs)")


def profile(path: Path, runs: int) -> None:
    """Decode work alone, as the `decode` command does it after start-up, then its cProfile by own time."""
    import cProfile
    import pstats

    from sigdoctor.context import Context
    from sigdoctor.decode import decode_report

    def work() -> None:
        decode_report(path, client=None, ctx=Context(offline=True))

    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        walls.append(time.perf_counter() - t0)
    size_mb = path.stat().st_size / 1e6
    med = statistics.median(walls)
    print(f"{'decode_report (in-process)':<31} median {med:7.3f} s  {size_mb / med:8.1f} MB/s  ({runs} runs)")
    prof = cProfile.Profile()
    prof.runcall(work)
    pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--every", type=int, default=500, help="one AWS error every N lines")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated log")
    ap.add_argument("--sigdoctor", default=None, help="the command to time (default: this venv's sigdoctor)")
    ap.add_argument("--one-line", action="store_true", help="the whole log on one line")
    ap.add_argument("--profile", action="store_true", help="also time and profile the decode work in-process")
    ap.add_argument("--split", action="store_true", help="also time the parent's and the tail child's CPU")
    ap.add_argument("--before", type=Path, default=None, help="an older checkout timed beside this one")
    ap.add_argument("--input", type=Path, default=None, help="decode this file instead of a generated log")
    args = ap.parse_args()
    if args.input is not None:
        path = args.input
        lines = sum(1 for _ in path.open("rb"))
        args.keep = True
    else:
        # A name of its own: other checkouts on this machine run this benchmark too, and would delete our file.
        fd, name = tempfile.mkstemp(prefix=f"sigdoctor-bench-decode-{args.mb}mb{'-1line' if args.one_line else ''}-",
                                    suffix=".log")
        os.close(fd)
        path = Path(name)
        lines = generate(path, args.mb, args.every, args.one_line)
    size_mb = path.stat().st_size / 1e6
    print(f"input: {path} {size_mb:.1f} MB, {lines} lines, an AWS error every {args.every} lines; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    sd = (shlex.split(args.sigdoctor) if args.sigdoctor
          else [shutil.which("sigdoctor", path=str(Path(sys.executable).parent)) or "sigdoctor"])
    grep = shutil.which("grep") or "grep"
    cases: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "sigdoctor decode": ([*sd, "decode", str(path), "--format", "json"], None),
    }
    if args.before is not None:
        # The console script's own directory is first on sys.path, then PYTHONPATH: the old package wins.
        old_env = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
        cases["sigdoctor decode (before)"] = ([*sd, "decode", str(path), "--format", "json"], old_env)
    cases["grep -c SignatureDoesNotMatch"] = ([grep, "-c", "SignatureDoesNotMatch", str(path)], None)
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=False)  # warm the page cache
    for name, (cmd, env) in cases.items():
        if name != "grep -c SignatureDoesNotMatch":
            warm(cmd, env)
    results: dict[str, list[tuple[float, float, int, float]]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (cmd, env) in cases.items():
            results[name].append(run_child(cmd, env))
    med: dict[str, float] = {}
    grep_name = "grep -c SignatureDoesNotMatch"
    for name, rs in results.items():
        walls = [r[0] for r in rs]
        cpus = [r[3] for r in rs]
        rss = max(r[1] for r in rs)
        med[name] = statistics.median(walls)
        print(f"{name:<31} median {med[name]:7.3f} s  CPU {statistics.median(cpus):6.3f} s  "
              f"{size_mb / med[name]:8.1f} MB/s  peak RSS {rss:6.1f} MB  exit {rs[0][2]}  ({args.runs} runs)")
    for name in cases:
        if name != grep_name:
            print(f"{name} / grep = {med[name] / med[grep_name]:.1f}x (goal <= 10x)")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if args.split:
        split(path, args.runs, {name: env for name, (_, env) in cases.items() if name != grep_name})
    if args.profile:
        profile(path, args.runs)
    if not args.keep:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
