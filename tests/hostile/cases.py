"""Hostile but ordinary inputs, each run the way a user would run it, inside a network namespace with nothing but a
down loopback (`unshare -rn`: nothing can leave the machine) and a clean environment.

Each case is a shell snippet; `$SD` runs sigdoctor (with SIGINT restored, so a background run can be interrupted),
`$D` is the case's own directory. `run_case` measures what the issue asks for: exit code, wall time, peak RSS (of the
whole process tree, from wait4), and whether anything written holds a raw control character.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# Raw C0/C1 controls other than tab/newline, and any ESC: none may reach a terminal from data.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
REQUEST = "POST /api/v1/remote_write HTTP/1.1\nHost:aps-workspaces.us-east-1.amazonaws.com\n\npayload\n"
ROLE = "arn:aws:iam::123456789012:role/agent-irsa-role"
ESC_PROFILE = "prod\x1b]0;pwned\x07\x1b[2J\x9b1m"
KEYS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE12", "AWS_SECRET_ACCESS_KEY": "Cnry0hostileSecretKey0123456789abcdefghij"}


@dataclass(frozen=True)
class Case:
    name: str
    script: str
    deadline: float | None = None  # the --deadline the command was given (wall time goal: deadline + 1 s)
    env: dict[str, str] = field(default_factory=dict)
    exits: tuple[int, ...] = (0, 1)  # acceptable exit codes
    says: str = ""  # a regex the output (stdout + stderr) must match
    files: dict[str, str] = field(default_factory=dict)  # name → content, written into $D first


def _proc_config(command: str) -> dict[str, str]:
    return {"config": f"[default]\nregion = us-east-1\ncredential_process = {command}\n"}


def _mounted(setup: str, command: str) -> str:
    """`command` in a mount namespace of its own where `setup` has bind-mounted something over a system file."""
    return f"unshare -m sh -c {shlex.quote(setup + ' && ' + command)}"


_CFG = {"AWS_CONFIG_FILE": "$D/config"}
_IRSA_FIFO = {"AWS_WEB_IDENTITY_TOKEN_FILE": "$D/token", "AWS_ROLE_ARN": ROLE, "AWS_REGION": "us-east-1"}
_SIGN = "$SD sign --request $D/req.http --region us-east-1 --service aps"

CASES: tuple[Case, ...] = (
    # ---- unbounded reads -------------------------------------------------------------------------------------------
    Case("config=/dev/zero chain", "$SD chain --deadline 5", 5, {"AWS_CONFIG_FILE": "/dev/zero"}),
    Case("credentials=/dev/zero run", "$SD run --offline --deadline 5", 5,
         {"AWS_SHARED_CREDENTIALS_FILE": "/dev/zero"}),
    Case("config 5 GiB sparse run", "truncate -s 5G $D/config && $SD run --offline --deadline 5", 5, _CFG,
         says="5.0 GiB, more than"),
    Case("config FIFO chain", "mkfifo $D/config && $SD chain --deadline 5", 5, _CFG),
    Case("config 5 MB region run", "$SD run --deadline 5", 5, _CFG,
         files={"config": "[default]\nregion = " + "a" * 5_000_000 + "\n"}, says="more than"),
    Case("config 900 kB region run", "$SD run --deadline 5", 5, {**_CFG, **KEYS},
         files={"config": "[default]\nregion = " + "a" * 900_000 + "\n"}),
    Case("agent config 1 GiB sparse run",
         "truncate -s 1G $D/agent.yaml && $SD run --offline --agent-config $D/agent.yaml --deadline 5", 5,
         exits=(0, 1, 2), says="more than"),
    Case("agent config FIFO run", "mkfifo $D/agent.yaml && $SD run --offline --agent-config $D/agent.yaml "
         "--deadline 5", 5, exits=(1, 2)),
    # ---- web identity token file -------------------------------------------------------------------------------------
    Case("token FIFO run", "mkfifo $D/token && $SD run --deadline 5", 5, _IRSA_FIFO, says="FIFO"),
    Case("token FIFO chain", "mkfifo $D/token && $SD chain --deadline 5", 5, _IRSA_FIFO, says="FIFO"),
    Case("token FIFO sign", f"mkfifo $D/token && {_SIGN} --deadline 5", 5, _IRSA_FIFO, exits=(2,), says="FIFO"),
    Case("token=/dev/zero run", "$SD run --deadline 5", 5, {**_IRSA_FIFO, "AWS_WEB_IDENTITY_TOKEN_FILE": "/dev/zero"},
         says="character device"),
    # ---- credential_process ----------------------------------------------------------------------------------------
    Case("process 100 MB stderr run", "$SD run --deadline 5", 5, _CFG,
         files=_proc_config("sh -c 'head -c 100000000 /dev/zero | tr \"\\\\0\" x >&2; exit 1'"),
         says="exited with code 1"),
    Case("process endless stdout run", "$SD run --deadline 5", 5, _CFG, files=_proc_config("cat /dev/zero"),
         says="more than 1.0 MiB"),
    Case("process sleeps run", "$SD run --deadline 3", 3, _CFG, files=_proc_config("sleep 60"),
         says="did not finish within"),
    Case("process sleeps chain", "$SD chain --deadline 3", 3, _CFG, files=_proc_config("sleep 60"),
         says="did not finish within"),
    Case("process sleeps sign", f"{_SIGN} --deadline 3", 3, _CFG, files=_proc_config("sleep 60"), exits=(2,),
         says="did not finish within|deadline"),
    Case("process Ctrl-C run",
         "$SD run --deadline 20 & sd=$!; sleep 2; kill -INT $sd; wait $sd; rc=$?; sleep 0.3; "
         "if pgrep -f 'hostile-[m]arker' >/dev/null; then echo ORPHANED >&2; fi; exit $rc",
         20, _CFG, files=_proc_config("sh -c 'sleep 60 # hostile-marker'"), exits=(130,), says="interrupted"),
    # ---- arguments ---------------------------------------------------------------------------------------------------
    Case("target https://[::1 run", "$SD run --offline --target 'https://[::1' --deadline 5", 5, exits=(2,),
         says="not a valid URL"),
    # ---- control characters ----------------------------------------------------------------------------------------
    Case("AWS_PROFILE escapes run text", "$SD run --offline --deadline 5 -v", 5, {"AWS_PROFILE": ESC_PROFILE}),
    Case("AWS_PROFILE escapes run markdown", "$SD run --offline --deadline 5 --format markdown", 5,
         {"AWS_PROFILE": ESC_PROFILE}),
    Case("AWS_PROFILE escapes chain", "$SD chain --offline --deadline 5", 5, {"AWS_PROFILE": ESC_PROFILE}),
    Case("--profile escapes error line", f"$SD chain --offline --profile {shlex.quote(ESC_PROFILE)} --deadline 5", 5,
         exits=(0, 1, 2)),
    Case("config value escapes run", "$SD run --offline --deadline 5 -v", 5, {**_CFG, **KEYS},
         files={"config": "[default]\nregion = us-east-1\x1b]8;;http://x\x07\nrole_arn = arn\x1b[31m\n"
                          "[profile \x1b]0;t\x07x]\nregion = us-east-1\n"}),
    # System files the probes read, replaced in a private mount namespace (`unshare -m` inside the user namespace).
    Case("resolv.conf FIFO run", _mounted("mkfifo $D/fifo && mount --bind $D/fifo /etc/resolv.conf",
                                          "$SD run --deadline 5 --format json"), 5, KEYS,
         says=r"/etc/resolv.conf is a FIFO \(named pipe\), not a regular file: not read"),
    Case("hosts=/dev/zero run", _mounted("mount --bind /dev/zero /etc/hosts", "$SD run --deadline 5 --format json"),
         5, KEYS, says="/etc/hosts is a character device, not a regular file: not read"),
    Case("nsswitch.conf=/dev/zero run", _mounted("mount --bind /dev/zero /etc/nsswitch.conf",
                                                 "$SD run --deadline 5 --format json"), 5, KEYS,
         says="/etc/nsswitch.conf is a character device"),
    Case("--pid environ FIFO run",
         _mounted("mkfifo $D/fifo && { sleep 30 & p=$!; } && mount --bind $D/fifo /proc/$p/environ",
                  "$SD run --offline --pid $p --deadline 5; rc=$?; kill $p; exit $rc"), 5, exits=(2,),
         says=r"cannot read the environment of process \d+ \(sleep\): /proc/\d+/environ is a FIFO"),
    Case("--pid environ=/dev/zero run",
         _mounted("{ sleep 30 & p=$!; } && mount --bind /dev/zero /proc/$p/environ",
                  "$SD run --offline --pid $p --deadline 5; rc=$?; kill $p; exit $rc"), 5, exits=(2,),
         says=r"/proc/\d+/environ is a character device"),
    Case("AWS_REGION escape sign", "$SD sign --request $D/req.http --service aps", None,
         {**KEYS, "AWS_REGION": "us-east-1\x1b[2J"}, exits=(2,),
         says=r"AWS_REGION='us-east-1\\x1b\[2J' \(contains control characters\) is not a valid region"),
    Case("--region escape run", "$SD run --region \"$(printf 'us-east-1\033]0;t\007')\" --deadline 5", 5, KEYS,
         exits=(2,), says=r"--region 'us-east-1\\x1b\]0;t\\x07': not a valid region"),
    Case("--pid environment escapes run",
         f"env AWS_PROFILE={shlex.quote(ESC_PROFILE)} sleep 30 & p=$!; sleep 0.2; "
         "$SD run --offline --pid $p --deadline 5 -v; rc=$?; kill $p; exit $rc", 5),
    Case("sign header escapes", f"{_SIGN} --time 20150830T123600Z", None, KEYS, exits=(0, 2),
         files={"req.http": "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Evil:a\x1b]52;c;cHduZWQ=\x07b\n\n"}),
    Case("decode escapes text", "printf 'x\\033]0;t\\007 <Code>SignatureDoesNotMatch</Code>\\033[2J\\n' | $SD decode",
         None, exits=(0, 1)),
    Case("decode escapes markdown",
         "printf 'x\\033]0;t\\007 <Code>AccessDenied</Code>\\n' | $SD decode --format markdown", None, exits=(0, 1)),
)


@dataclass
class Measured:
    case: Case
    rc: int
    wall: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    raw_controls: int
    timed_out: bool

    @property
    def internal_error(self) -> bool:
        return self.rc == 3 or "internal error" in self.stderr or "Traceback" in self.stderr


def sigdoctor_prefix() -> list[str]:
    script = Path(sys.executable).with_name("sigdoctor")
    target = [str(script)] if script.exists() else [sys.executable, "-m", "sigdoctor.cli"]
    if os.environ.get("HOSTILE_BEFORE"):  # bench/hostile.py --before DIR: another source tree (argparse CLI)
        target = ["/usr/bin/env", f"PYTHONPATH={os.environ['HOSTILE_BEFORE']}", sys.executable, "-m", "sigdoctor.cli"]
    # Background jobs of a non-interactive shell start with SIGINT ignored, and Python then never turns it into
    # KeyboardInterrupt: restore the default so the Ctrl-C case interrupts like a terminal would.
    restore = "import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    return [sys.executable, "-c", restore, *target]


def run_case(case: Case, timeout: float = 90.0) -> Measured:
    d = Path(tempfile.mkdtemp(prefix="hostile-"))
    try:
        (d / "home").mkdir()
        (d / "req.http").write_text(REQUEST)
        for name, content in case.files.items():
            (d / name).write_text(content)
        sd = d / "sd"
        sd.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in sigdoctor_prefix()) + ' "$@"\n')
        sd.chmod(0o755)
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(d / "home"), "LANG": "C.UTF-8",
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_EC2_METADATA_DISABLED": "true", "D": str(d),
               "SD": str(sd)}
        env.update({k: v.replace("$D", str(d)) for k, v in case.env.items()})
        argv = ["unshare", "-rn", "sh", "-c", case.script]
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        timed_out = False
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            out, err = p.communicate()
            timed_out = True
        wall = time.monotonic() - t0
        # communicate() reaped the child; its tree's peak RSS is in the RUSAGE_CHILDREN maximum only if it was the
        # largest so far, so each case runs in its own short-lived process (see bench/hostile.py), and here we
        # read what the kernel kept for our children.
        import resource

        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        so, se = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        raw = len(RAW_CONTROL.findall(so + se))
        return Measured(case, p.returncode, wall, rss_kb / 1024, so, se, raw, timed_out)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def available() -> tuple[bool, str]:
    if shutil.which("unshare") is None:
        return False, "unshare(1) not installed"
    r = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    return (r.returncode == 0, r.stderr.decode(errors="replace").strip())


def main(argv: list[str]) -> int:
    """One case (by index) in this process: `python -m tests.hostile.cases N` prints a JSON line."""
    import json

    m = run_case(CASES[int(argv[0])])
    print(json.dumps({"case": m.case.name, "rc": m.rc, "wall": round(m.wall, 2), "rss_mb": round(m.peak_rss_mb, 1),
                      "raw_controls": m.raw_controls, "internal_error": m.internal_error, "timed_out": m.timed_out,
                      "deadline": m.case.deadline, "exits_ok": m.rc in m.case.exits,
                      "says_ok": bool(re.search(m.case.says, m.stdout + m.stderr)) if m.case.says else True,
                      "orphaned": "ORPHANED" in m.stderr}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
