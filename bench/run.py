#!/usr/bin/env python3
"""All of issue 7's benchmarks; prints Markdown tables (paste into bench/RESULTS.md). Timings are reported, never
asserted. Needs `unshare -rnm` for the world sections (nothing leaves the machine).

    .venv/bin/python bench/run.py [--runs 10] [--only startup,healthy,blackhole,decode] [--aws PATH]

* startup   — `sigdoctor --version` / `--help` (venv, zipapp, executable when dist/ has them) vs `aws --version`
* healthy   — a full `sigdoctor run --target AMP_URL` in the namespace world (SigV4-verifying fake STS/IAM/AMP on
              AWS names over TLS, Amazon Time Sync) vs one `aws sts get-caller-identity` there; plus one cProfile
* blackhole — every AWS address silent (SYNs dropped, UDP unanswered, DNS answers): `run --deadline D` vs
              `aws sts get-caller-identity` (bounded by our own timeout)
* decode    — bench/decode.py (100 MB agent log vs grep -c)
awscli comes from PyPI into .bench-venv/ (created on first use) unless --aws names one.
"""

from __future__ import annotations

import argparse
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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


def _in_world(w: World, fake: FakeAws | None, plan: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    rundir = w.dir / "bench"
    rundir.mkdir(parents=True, exist_ok=True)
    plan_path, out_path = rundir / "plan.json", rundir / "out.json"
    plan_path.write_text(json.dumps(plan))
    argv = [*TIMER, str(plan_path), str(out_path)]
    if fake is not None:
        config = rundir / "fake.json"
        config.write_text(json.dumps(fake.to_config()))
        argv = [sys.executable, "-c", LAUNCH, "--config", str(config), "--listen", f"{FAKE_ADDRESS}:443",
                *[a for n in NAMES for a in ("--tls-name", n)], "--calls-out", str(rundir / "calls.json"), "--",
                *argv]
    r = w.run_cmd(argv, timeout=timeout)
    if not out_path.exists():
        raise SystemExit(f"benchmark world failed:\n{r.describe()}")
    return dict(json.loads(out_path.read_text()))


def _causes(stdout: str) -> str:
    try:
        rep = json.loads(stdout)
    except ValueError:
        return "(no JSON report)"
    probes = ", ".join(f"{p['id']} {p['status']} {p['duration_ms']} ms"
                       + (f" ({p['summary']})" if p["status"] == "error" else "") for p in rep["probes"])
    causes = [c["id"] for c in rep["root_causes"]] or ["none"]
    return f"causes: {', '.join(causes)}; probes: {probes}"


def healthy(runs: int, aws: str, tmp: Path) -> None:
    w, fake = _fake_world(tmp, "healthy")
    allow = Policy("amp", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": WS_ARN},
        {"Effect": "Allow", "Action": ["iam:SimulatePrincipalPolicy", "iam:GetRole"], "Resource": "*"}]})
    role = fake.add_role("amp-ingest", [allow], path="/agents/")
    key = fake.add_session(role, "i-0123456789abcdef0")
    fake.add_workspace("ws-1")
    w.env(AWS_ACCESS_KEY_ID=key.access_key_id, AWS_SECRET_ACCESS_KEY=key.secret, AWS_SESSION_TOKEN=key.token or "")
    w.time_sync(0.0)
    prof = w.dir / "run.prof"
    args = ["run", "--target", AMP_URL, "--format", "json"]
    # Timed: the console script users run (sigdoctor.entry, with its start-up choices); profiled: the same CLI
    # under cProfile.
    sd, sd_prof = [SIGDOCTOR, *args], [*SIGDOCTOR_FULL, *args]
    plan = [{"name": "aws sts get-caller-identity", "argv": [aws, "sts", "get-caller-identity"], "runs": runs,
             "timeout": 60},
            {"name": "sigdoctor run --target AMP (all 7 probes)", "argv": sd, "runs": runs, "timeout": 60},
            {"name": "profiled", "argv": sd_prof, "runs": 1, "timeout": 60,
             "env": {"SIGDOCTOR_BENCH_PROFILE": str(prof)}},
            {"name": "importtime", "argv": [sys.executable, "-X", "importtime", *sd_prof[1:]], "runs": 1, "timeout": 60}]
    res = _in_world(w, fake, plan, timeout=60 * (2 * runs + 2))
    base = statistics.median(res["aws sts get-caller-identity"]["times"]) * 1000
    print("\n### 2. Healthy full run vs one `aws sts get-caller-identity` (goal ≤ 1.0×)\n")
    print(HEADER)
    for name in ("aws sts get-caller-identity", "sigdoctor run --target AMP (all 7 probes)"):
        r = res[name]
        note = f"exit codes {sorted(set(r['rcs']), key=str)}"
        print(stats_row(name, r["times"], base, note))
    print(f"\nLast sigdoctor run: {_causes(res['sigdoctor run --target AMP (all 7 probes)']['last_stdout'])}\n")
    if prof.exists():
        print("Profile of one run, all threads (sigdoctor functions by cumulative time, top 30):\n\n```")
        pstats.Stats(str(prof), stream=sys.stdout).sort_stats("cumulative").print_stats("sigdoctor/", 30)
        print("```")
    print("Imports of one run (`-X importtime`, top 15 by cumulative µs):\n\n```")
    print(_importtime(res["importtime"]["last_stderr"]))
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


def blackhole(aws: str, tmp: Path, deadlines: tuple[float, ...] = (5.0, 20.0)) -> None:
    w = World(tmp / "blackhole")
    w.ec2(True).env(AWS_REGION="us-east-1").env_keys("AKIA")
    silent = "52.94.0.20"
    for n in NAMES:
        w.dns(n, "A", silent)
    w.address(silent, "169.254.169.254", "169.254.169.123", "169.254.170.2")
    holes = [f"tcp:{silent}:443", "tcp:169.254.169.254:80", "tcp:169.254.170.2:80", "udp:169.254.169.123:123"]
    w.process([sys.executable, str(REPO / "bench" / "blackholes.py"), "127.0.0.1:7999", *holes],
              ready="127.0.0.1:7999", name="blackholes")
    plan = [{"name": f"sigdoctor run --deadline {d:g}", "runs": 3 if d <= 5 else 1, "timeout": d + 30,
             "argv": [*SIGDOCTOR_FULL, "run", "--target", AMP_URL, "--format", "json", "--deadline", f"{d:g}"]}
            for d in deadlines]
    plan.append({"name": "aws sts get-caller-identity (our timeout 90 s)", "runs": 1, "timeout": 90,
                 "argv": [aws, "sts", "get-caller-identity"]})
    res = _in_world(w, None, plan, timeout=sum(p["timeout"] * p["runs"] for p in plan) + 60)
    print("\n### 3. Everything blackholed (goal: `run` ends within --deadline + 0.5 s)\n")
    print(HEADER)
    for name, r in res.items():
        note = f"timed out (killed) {r['timed_out']}×" if r["timed_out"] else f"exit codes {r['rcs']}"
        if name.startswith("sigdoctor"):
            d = float(name.rsplit(" ", 1)[1])
            note += f"; over deadline+0.5 s: {sum(t > d + 0.5 for t in r['times'])}/{len(r['times'])}"
        print(stats_row(name, r["times"], None, note))
    for d in deadlines:
        last = res[f"sigdoctor run --deadline {d:g}"]["last_stdout"]
        print(f"\nLast `--deadline {d:g}` run: {_causes(last)}")


def decode(runs: int) -> None:
    print("\n### 4. decode of a 100 MB agent log (bench/decode.py)\n\n```")
    sys.stdout.flush()
    subprocess.run([sys.executable, str(REPO / "bench" / "decode.py"), "--mb", "100", "--runs", str(runs)],
                   check=False)
    print("```")


def compile_bytecode() -> None:
    """Write sigdoctor's .pyc files first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (this machine
    sets it) or a fresh checkout, every timed run would otherwise compile the modules from source again."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "sigdoctor")], check=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--only", default="startup,healthy,blackhole,decode")
    ap.add_argument("--aws", default=None)
    args = ap.parse_args()
    only = set(args.only.split(","))
    aws = ensure_aws(args.aws)
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="sigdoctor-bench-") as d:
        if "startup" in only:
            startup(args.runs, aws)
        if "healthy" in only:
            healthy(args.runs, aws, Path(d))
        if "blackhole" in only:
            blackhole(aws, Path(d))
        if "decode" in only:
            decode(min(args.runs, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
