#!/usr/bin/env python3
"""All of issues 7 and 14's benchmarks; prints Markdown tables (paste into bench/RESULTS.md). Timings are reported,
never asserted. Needs `unshare -rnm` for the world sections (nothing leaves the machine).

    .venv/bin/python bench/run.py [--runs 10] [--only startup,worlds,blackhole,merge,decode] [--aws PATH] [--profile]
                                  [--before OLD_CHECKOUT]

* startup   — `sigdoctor --version` / `--help` (venv, zipapp, executable when dist/ has them) vs `aws --version`
* worlds    — side by side, each vs one `aws sts get-caller-identity` in the same world (runs alternate):
              healthy: SigV4-verifying fake STS/IAM/AMP on AWS names over TLS, Amazon Time Sync, session keys in env;
              pod: the realistic EKS pod of issue 14 (bench/pod_world.py: IRSA, IMDS silently dropped, Time Sync
              answering, public NTP blocked, moto STS, AMP front end) — `sigdoctor run --target AMP_URL`, with
              per-probe medians; --profile adds one cProfile and one -X importtime of the healthy world's run
* blackhole — every AWS address silent (SYNs dropped, UDP unanswered, DNS answers): `run` (default deadline) and
              `run --deadline 5`, vs `aws sts get-caller-identity` (one run, bounded by our own timeout)
* merge     — bench/merge.py: 10,000 and 100,000 reports from a folder and from stdin (time, peak RSS)
* decode    — bench/decode.py (100 MB agent log vs grep -c)
awscli comes from PyPI into .bench-venv/ (created on first use) unless --aws names one.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pod_world import AMP_URL as POD_AMP_URL  # noqa: E402
from bench.pod_world import amp_launcher, pod_world  # noqa: E402
from bench.startup import measure  # noqa: E402
from tests.fakes.aws_api import FakeAws  # noqa: E402
from tests.fakes.aws_policy import Policy  # noqa: E402
from tests.world import ACCOUNT, REPO_ROOT, World  # noqa: E402

FAKE_ADDRESS = "52.94.0.40"
NAMES = ("sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "iam.amazonaws.com",
         "aps-workspaces.us-east-1.amazonaws.com")
AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
WS_ARN = f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-1"
# The fake answers for four AWS front ends from one socket, handshaking TLS in its accept loop; with the standard
# library's listen backlog of 5, the ~10 connections a run opens at once overflow it and the kernel drops SYNs
# (1 s retransmit): a property of the fake, not of AWS. A backlog like a real server's keeps that out of the figures.
LAUNCH = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); import http.server; "
          "http.server.ThreadingHTTPServer.request_queue_size = 128; from tests.fakes.aws_api import main; "
          "sys.exit(main(sys.argv[1:]))")
SIGDOCTOR_FULL = [sys.executable, str(REPO / "bench" / "sigdoctor_full.py")]
SIGDOCTOR = str(Path(sys.executable).with_name("sigdoctor"))
TIMER = [sys.executable, str(REPO / "bench" / "timer.py")]


def ensure_aws(path: str | None) -> str:
    if path:
        return path
    venv = REPO / ".bench-venv"
    aws = venv / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "awscli"],
                       check=True)
    return str(aws)


def stats_row(name: str, times_s: list[float], base: float | None = None, note: str = "") -> str:
    ms = [t * 1000 for t in times_s]
    med = statistics.median(ms)
    ratio = f"{med / base:.2f}×" if base else ""
    return f"| {name} | {len(ms)} | {med:.0f} | {min(ms):.0f} | {max(ms):.0f} | {ratio} | {note} |"


HEADER = "| command | runs | median ms | min ms | max ms | ratio | note |\n| --- | --- | --- | --- | --- | --- | --- |"


def startup(runs: int, aws: str) -> None:
    sd = str(Path(sys.executable).with_name("sigdoctor"))
    cases: dict[str, list[str]] = {"aws --version": [aws, "--version"],
                                   "sigdoctor --version (venv)": [sd, "--version"],
                                   "sigdoctor --help (venv)": [sd, "--help"]}
    pyz, exe = REPO / "dist" / "sigdoctor.pyz", REPO / "dist" / "sigdoctor"
    if pyz.exists():
        cases["sigdoctor.pyz --version"] = ["/usr/bin/python3", str(pyz), "--version"]
        cases["sigdoctor.pyz --help"] = ["/usr/bin/python3", str(pyz), "--help"]
    if exe.exists():
        cases["dist/sigdoctor --version (exe)"] = [str(exe), "--version"]
        cases["dist/sigdoctor --help (exe)"] = [str(exe), "--help"]
    res = {name: [t / 1000 for t in measure(cmd, runs)] for name, cmd in cases.items()}
    base = statistics.median(res["aws --version"]) * 1000
    print("\n### 1. Cold start (ratio to `aws --version`, goal ≤ 0.30×)\n")
    print(HEADER)
    for name, t in res.items():
        print(stats_row(name, t, base))


def _fake_world(tmp: Path, name: str) -> tuple[World, FakeAws]:
    w = World(tmp / name)
    fake = FakeAws()
    w.address(FAKE_ADDRESS)
    for n in NAMES:
        w.dns(n, "A", FAKE_ADDRESS)
    w.env(AWS_REGION="us-east-1")
    return w, fake


def _in_world(w: World, wrap: list[str], plan: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """Run bench/timer.py with `plan` inside the world, behind `wrap` (a launcher that serves a fake while the rest
    of its argv runs, or nothing)."""
    rundir = w.dir / "bench"
    rundir.mkdir(parents=True, exist_ok=True)
    plan_path, out_path = rundir / "plan.json", rundir / "out.json"
    plan_path.write_text(json.dumps(plan))
    r = w.run_cmd([*wrap, *TIMER, str(plan_path), str(out_path)], timeout=timeout)
    if not out_path.exists():
        raise SystemExit(f"benchmark world failed:\n{r.describe()}")
    return dict(json.loads(out_path.read_text()))


def _fake_aws_launcher(w: World, fake: FakeAws) -> list[str]:
    rundir = w.dir / "bench"
    rundir.mkdir(parents=True, exist_ok=True)
    config = rundir / "fake.json"
    config.write_text(json.dumps(fake.to_config()))
    return [sys.executable, "-c", LAUNCH, "--config", str(config), "--listen", f"{FAKE_ADDRESS}:443",
            *[a for n in NAMES for a in ("--tls-name", n)], "--calls-out", str(rundir / "calls.json"), "--"]


def _causes(stdout: str) -> str:
    try:
        rep = json.loads(stdout)
    except ValueError:
        return "(no JSON report)"
    probes = ", ".join(f"{p['id']} {p['status']} {p['duration_ms']} ms"
                       + (f" ({p['summary']})" if p["status"] == "error" else "") for p in rep["probes"])
    causes = [c["id"] for c in rep["root_causes"]] or ["none"]
    return f"causes: {', '.join(causes)}; probes: {probes}"


def _probe_medians(stdouts: list[str]) -> dict[str, tuple[float, str]]:
    """Per probe: the median duration over the runs and its statuses."""
    times: dict[str, list[float]] = {}
    statuses: dict[str, set[str]] = {}
    for out in stdouts:
        try:
            rep = json.loads(out)
        except ValueError:
            continue
        for p in rep["probes"]:
            times.setdefault(p["id"], []).append(float(p["duration_ms"]))
            statuses.setdefault(p["id"], set()).add(str(p["status"]))
    return {pid: (statistics.median(t), "/".join(sorted(statuses[pid]))) for pid, t in times.items()}


def _healthy_world(tmp: Path) -> tuple[World, list[str]]:
    w, fake = _fake_world(tmp, "healthy")
    allow = Policy("amp", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": WS_ARN},
        {"Effect": "Allow", "Action": ["iam:SimulatePrincipalPolicy", "iam:GetRole"], "Resource": "*"}]})
    role = fake.add_role("amp-ingest", [allow], path="/agents/")
    key = fake.add_session(role, "i-0123456789abcdef0")
    fake.add_workspace("ws-1")
    w.env(AWS_ACCESS_KEY_ID=key.access_key_id, AWS_SECRET_ACCESS_KEY=key.secret, AWS_SESSION_TOKEN=key.token or "")
    w.time_sync(0.0)
    return w, _fake_aws_launcher(w, fake)


def _pod_world(tmp: Path) -> tuple[World, list[str]]:
    w = pod_world(tmp)
    return w, amp_launcher(w.dir / "bench")


AWS_STS = "aws sts get-caller-identity"
SD_RUN = "sigdoctor run --target AMP"
# (label suffix, extra environment) per sigdoctor checkout timed; --before adds an older checkout, run by the same
# console script with PYTHONPATH pointing at it, alternating with this one so that both see the same machine.
VARIANTS: list[tuple[str, dict[str, str]]] = [("", {})]


def _variants(before: Path | None) -> None:
    if before is not None:
        VARIANTS[:] = [(f" (before: {_commit(before)})", {"PYTHONPATH": str(before)}), (f" (after: {_commit()})", {})]


def worlds(runs: int, aws: str, tmp: Path, profile: bool) -> None:
    """Both worlds, each a table of `aws` vs a full `run` alternating, and the per-probe medians side by side."""
    built = {"healthy (issue 7)": (_healthy_world(tmp), AMP_URL), "EKS pod (issue 14)": (_pod_world(tmp), POD_AMP_URL)}
    results: dict[str, dict[str, Any]] = {}
    for name, ((w, wrap), url) in built.items():
        args = ["run", "--target", url, "--format", "json"]
        plan: list[dict[str, Any]] = [
            {"name": AWS_STS, "argv": [aws, "sts", "get-caller-identity"], "runs": runs, "timeout": 60}]
        plan += [{"name": SD_RUN + label, "argv": [SIGDOCTOR, *args], "runs": runs, "timeout": 60, "keep": True,
                  "env": env} for label, env in VARIANTS]
        if profile and name.startswith("healthy"):
            prof = w.dir / "run.prof"
            plan += [{"name": "profiled", "argv": [*SIGDOCTOR_FULL, *args], "runs": 1, "timeout": 60,
                      "env": {"SIGDOCTOR_BENCH_PROFILE": str(prof)}},
                     {"name": "importtime", "argv": [sys.executable, "-X", "importtime", *SIGDOCTOR_FULL[1:], *args],
                      "runs": 1, "timeout": 60}]
        results[name] = _in_world(w, wrap, plan, timeout=60 * ((1 + len(VARIANTS)) * runs + 2))
    print("\n### 2. Healthy full run vs one `aws sts get-caller-identity`, both worlds (goal ≤ 1.0×)\n")
    print("| world | command | runs | median ms | min ms | max ms | ratio | note |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, res in results.items():
        base = statistics.median(res[AWS_STS]["times"]) * 1000
        for cmd in (AWS_STS, *(SD_RUN + label for label, _ in VARIANTS)):
            r = res[cmd]
            cpu = f", CPU median {statistics.median(r['cpu']) * 1000:.0f} ms" if r.get("cpu") else ""
            print(f"| {name} " + stats_row(cmd, r["times"], base, f"exit codes {sorted(set(r['rcs']), key=str)}{cpu}"))
    per = {f"{name}{label}": _probe_medians(res[SD_RUN + label]["stdouts"])
           for name, res in results.items() for label, _ in VARIANTS}
    names = list(per)
    print(f"\nPer probe, median ms over the runs ({' | '.join(names)}):\n")
    print("| probe | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for pid in dict.fromkeys(p for m in per.values() for p in m):
        cells = [f"{per[n][pid][0]:.0f} ({per[n][pid][1]})" if pid in per[n] else "" for n in names]
        print(f"| {pid} | " + " | ".join(cells) + " |")
    for name, res in results.items():
        for label, _ in VARIANTS:
            print(f"\nLast run, {name}{label}: {_causes(res[SD_RUN + label]['last_stdout'])}")
    healthy_res = results["healthy (issue 7)"]
    prof = built["healthy (issue 7)"][0][0].dir / "run.prof"
    if profile and prof.exists():
        print("\nProfile of one healthy-world run, all threads (sigdoctor functions by cumulative time, top 30):\n\n```")
        pstats.Stats(str(prof), stream=sys.stdout).sort_stats("cumulative").print_stats("sigdoctor/", 30)
        print("```")
    if profile and "importtime" in healthy_res:
        print("Imports of one run (`-X importtime`, top 15 by cumulative µs):\n\n```")
        print(_importtime(healthy_res["importtime"]["last_stderr"]))
        print("```")


def _importtime(text: str) -> str:
    rows, total = [], 0
    for line in text.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cum, raw = line[len("import time:"):].split("|")
            rows.append((int(cum), raw.strip()))
            if not raw[1:].startswith(" "):  # top-level import: "| name", nested ones are indented further
                total += int(cum)
    top = sorted(rows, reverse=True)[:15]
    return "\n".join([f"{c / 1000:8.1f} ms  {n}" for c, n in top] + [f"{total / 1000:8.1f} ms  all imports"])


def blackhole(runs: int, aws: str, tmp: Path) -> None:
    w = World(tmp / "blackhole")
    w.ec2(True).env(AWS_REGION="us-east-1").env_keys("AKIA")
    silent = "52.94.0.20"
    for n in NAMES:
        w.dns(n, "A", silent)
    w.address(silent, "169.254.169.254", "169.254.169.123", "169.254.170.2")
    holes = [f"tcp:{silent}:443", "tcp:169.254.169.254:80", "tcp:169.254.170.2:80", "udp:169.254.169.123:123"]
    w.process([sys.executable, str(REPO / "bench" / "blackholes.py"), "127.0.0.1:7999", *holes],
              ready="127.0.0.1:7999", name="blackholes")
    base = [SIGDOCTOR, "run", "--target", AMP_URL, "--format", "json"]
    cases = {"sigdoctor run (default deadline, 20 s)": (base, 20.0, 4.0),
             "sigdoctor run --deadline 5": ([*base, "--deadline", "5"], 5.0, 5.5)}
    cases = {name + label: (argv, d, goal, env) for name, (argv, d, goal) in cases.items() for label, env in VARIANTS}
    plan: list[dict[str, Any]] = [{"name": name, "argv": argv, "runs": runs, "timeout": d + 30, "keep": True,
                                   "env": env} for name, (argv, d, _, env) in cases.items()]
    plan.append({"name": "aws sts get-caller-identity (our timeout 60 s)", "runs": 1, "timeout": 60,
                 "argv": [aws, "sts", "get-caller-identity"]})
    res = _in_world(w, [], plan, timeout=sum(p["timeout"] * p["runs"] for p in plan) + 60)
    print("\n### 3. Everything blackholed (goals: default run ≤ 4 s, `--deadline 5` ≤ 5.5 s, same verdict)\n")
    print(HEADER)
    for name, r in res.items():
        note = f"timed out (killed) {r['timed_out']}×" if r["timed_out"] else f"exit codes {sorted(set(r['rcs']), key=str)}"
        if name in cases:
            goal = cases[name][2]
            tops = sorted({_top(out) for out in r["stdouts"]})
            note += f"; over {goal:g} s: {sum(t > goal for t in r['times'])}/{len(r['times'])}; top cause {', '.join(tops)}"
        print(stats_row(name, r["times"], None, note))
    for name in cases:
        print(f"\nLast `{name}`: {_causes(res[name]['last_stdout'])}")


def _top(stdout: str) -> str:
    try:
        causes = json.loads(stdout)["root_causes"]
    except (ValueError, KeyError, TypeError):
        return "(no report)"
    return causes[0]["id"] if causes else "none"


def merge(runs: int) -> None:
    print("\n### 5. merge of a fleet's reports (bench/merge.py; goal 10,000 ≤ 5 s and ≤ 200 MB)\n")
    sys.stdout.flush()
    # JSON view (the one scripts collect); fleets cached in /tmp between runs of this benchmark (5 GB for both).
    subprocess.run([sys.executable, str(REPO / "bench" / "merge.py"), "--hosts", "10000,100000", "--runs", str(runs),
                    "--formats", "json", "--cache", str(Path(tempfile.gettempdir()) / "sigdoctor-bench-merge-cache")],
                   check=False)


def decode(runs: int) -> None:
    print("\n### 4. decode of a 100 MB agent log (bench/decode.py)\n")
    for label, env in VARIANTS:
        print(f"sigdoctor{label}:\n\n```", flush=True)
        subprocess.run([sys.executable, str(REPO / "bench" / "decode.py"), "--mb", "100", "--runs", str(runs)],
                       check=False, env={**os.environ, **env})
        print("```")


def compile_bytecode(repo: Path = REPO) -> None:
    """Write sigdoctor's .pyc files first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (this machine
    sets it) or a fresh checkout, every timed run would otherwise compile the modules from source again."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(repo / "sigdoctor")], check=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--only", default="startup,worlds,blackhole,merge,decode")
    ap.add_argument("--aws", default=None)
    ap.add_argument("--profile", action="store_true", help="profile one healthy-world run (cProfile, importtime)")
    ap.add_argument("--before", type=Path, default=None,
                    help="an older checkout (git worktree) timed beside this one: runs alternate in each world")
    args = ap.parse_args()
    _variants(args.before)
    only = set(args.only.split(","))
    aws = ensure_aws(args.aws)
    compile_bytecode()
    if args.before is not None:
        compile_bytecode(args.before)
    print(f"commit {_commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="sigdoctor-bench-") as d:
        if "startup" in only:
            startup(args.runs, aws)
        if "worlds" in only:
            worlds(args.runs, aws, Path(d), args.profile)
        if "blackhole" in only:
            blackhole(args.runs, aws, Path(d))
        if "decode" in only:
            decode(args.runs)
        if "merge" in only:
            merge(args.runs)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end", flush=True)
    return 0


def _commit(repo: Path = REPO) -> str:
    r = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
