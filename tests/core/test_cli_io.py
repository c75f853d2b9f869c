"""Ordinary I/O conditions at the CLI boundary (issue 12.4): each ends with one line and the documented exit code,
never "internal error" and never a traceback. Every case runs the CLI as a child process with a clean environment;
nothing here touches the network (decode, checks, explain, --help, and run/chain --offline)."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.core.clirun import SIGDOCTOR, clean_env, sd, sd_popen

# A denial naming its action: the text decides it, decode exits 1.
LOG = ("2026-01-02T03:04:05Z level=error msg=\"remote write failed\" err=\"AccessDeniedException: User: "
       "arn:aws:sts::123456789012:assumed-role/agent/i-0abc is not authorized to perform: aps:RemoteWrite on resource: "
       "arn:aws:aps:us-east-1:123456789012:workspace/ws-1\"\n")

# Commands that write something to stdout without the network, and the exit code each ends with.
WRITERS = {
    "checks": (["checks"], None, 0),
    "explain": (["explain", "clock-skew"], None, 0),
    "help": (["--help"], None, 0),
    "version": (["--version"], None, 0),
    "decode": (["decode"], LOG, 1),
    "run offline": (["run", "--offline", "--only", "credentials"], None, 1),
}


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_reader_gone_before_the_output_is_quiet_and_keeps_the_exit_code(tmp_path: Path, case: str) -> None:
    """`sigdoctor ... | true`: the read end is closed before the first byte, so every write meets EPIPE."""
    args, stdin, code = WRITERS[case]
    read_end, write_end = os.pipe()
    os.close(read_end)
    p = sd_popen(tmp_path, *args, stdin=subprocess.PIPE, stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = p.communicate(input=(stdin or "").encode(), timeout=60)
    assert p.returncode == code, err.decode()
    assert err.decode() == ""


def test_reader_that_stops_after_one_line_is_quiet(tmp_path: Path) -> None:
    """`sigdoctor checks --format json | head -1` with pipefail: the exit code is sigdoctor's, not a crash's."""
    r = subprocess.run(["bash", "-o", "pipefail", "-c", '"$@" | head -1', "sh", *SIGDOCTOR, "checks", "--format",
                        "json"], capture_output=True, text=True, env=clean_env(tmp_path), timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "{\n", "")


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_stdout_on_a_full_disk_is_reported_not_lost(tmp_path: Path, case: str) -> None:
    args, stdin, _ = WRITERS[case]
    with open("/dev/full", "w") as full:
        r = subprocess.run([*SIGDOCTOR, *args], stdout=full, stderr=subprocess.PIPE, text=True, input=stdin or "",
                           env=clean_env(tmp_path), timeout=60)
    assert r.returncode == 2
    assert _one_line(r.stderr).startswith("sigdoctor: error: cannot write to stdout: No space left on device")


@pytest.mark.parametrize("command", [["decode"], ["decode", "-"], ["merge", "-"]])
def test_closed_stdin_is_an_input_error(tmp_path: Path, command: list[str]) -> None:
    r = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *SIGDOCTOR, *command], capture_output=True, text=True,
                       env=clean_env(tmp_path), timeout=60)
    assert r.returncode == 2
    assert _one_line(r.stderr).startswith(f"sigdoctor: error: {command[0]} reads stdin (-), but stdin is closed")


@pytest.mark.parametrize("args", [["explain", "clock-skew"], ["checks"], ["--help"], ["decode", "-v"],
                                  ["run", "--offline", "--only", "credentials"]])
def test_ascii_only_output_gets_stand_ins_not_a_crash(tmp_path: Path, args: list[str]) -> None:
    r = subprocess.run([*SIGDOCTOR, *args], capture_output=True, env=clean_env(tmp_path, PYTHONIOENCODING="ascii"),
                       input=(LOG.replace("failed", "fehlgeschlagen – ü")).encode(), timeout=60)
    assert r.returncode in (0, 1), r.stderr
    r.stdout.decode("ascii")  # raises if anything non-ASCII got through
    r.stderr.decode("ascii")
    assert b"internal error" not in r.stderr and len(r.stdout) > 100


def test_ascii_stand_ins_are_readable(tmp_path: Path) -> None:
    utf8 = sd(tmp_path, "explain", "clock-skew").stdout
    ascii_ = sd(tmp_path, "explain", "clock-skew", PYTHONIOENCODING="ascii").stdout
    assert "—" in utf8 and "—" not in ascii_
    assert ascii_ == utf8.replace("—", "-").replace("–", "-").replace("…", "...").replace("→", "->").replace(
        "’", "'").replace("“", '"').replace("”", '"').replace("×", "x").replace("≤", "<=").replace("≥", ">=")


def _on_terminal(tmp_path: Path, args: list[str], term: str) -> bytes:
    """stdout and stderr on a pseudo-terminal, as in an interactive shell."""
    master, slave = pty.openpty()
    p = subprocess.Popen([*SIGDOCTOR, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                         env=clean_env(tmp_path, TERM=term, COLUMNS="100"))
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has gone
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert p.wait(timeout=60) in (0, 1)
    return out


@pytest.mark.parametrize("args", [["run", "--offline", "--only", "credentials"], ["chain", "--offline"], ["--help"]])
def test_dumb_terminal_gets_no_escape_codes(tmp_path: Path, args: list[str]) -> None:
    assert b"\x1b[" in _on_terminal(tmp_path, args, "xterm-256color")  # a capable terminal does get colour
    out = _on_terminal(tmp_path, args, "dumb")
    assert b"\x1b" not in out and len(out) > 200


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie (killed, not yet reaped by init) is not alive."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def _wait_for(predicate: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.mark.parametrize("command", ["chain", "run"])
def test_ctrl_c_exits_130_and_kills_the_credential_process(tmp_path: Path, command: str) -> None:
    pidfile = tmp_path / "child.pid"
    config = tmp_path / "config"
    config.write_text(f"[profile slow]\ncredential_process = sh -c 'echo $$ > {pidfile}; exec sleep 60'\n")
    # Ctrl-C in a terminal meets the default SIGINT disposition; a test run started in the background inherits
    # "ignored", which the child must not.
    p = sd_popen(tmp_path, command, "--offline", "--profile", "slow", env={"AWS_CONFIG_FILE": str(config)},
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    _wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())  # the event: the child has started
    child = int(pidfile.read_text())
    assert _alive(child)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert _one_line(err.decode()) == "sigdoctor: interrupted"
    _wait_for(lambda: not _alive(child), timeout=10)


# An internal error needs a bug; this one is planted in `checks` by the child itself (the only stand-in in this file).
# Its message carries a request signature, which must not reach the terminal or the crash log.
SIGNATURE = "ab" * 32
PLANTED_BUG = f"""
import sys
import sigdoctor.cli as cli
def checks(a):
    raise RuntimeError("bug: Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/aps/"
                       "aws4_request, SignedHeaders=host, Signature={SIGNATURE}")
cli.checks = checks
sys.exit(cli.main(sys.argv[1:]))
"""

# Runs inside `unshare -rm` (a mount namespace of its own): makes the given directories read-only, then runs the
# planted bug and reports what a user would see, plus the crash log it names (read, then removed, before the
# namespace ends). A read-only bind of the directory itself, not an empty tmpfs over it: the checkout and its venv
# may live under /tmp (CI's clone can), and the child must still find its interpreter there.
IN_NAMESPACE = """
import json, os, re, subprocess, sys
cwd, readonly, argv, env = json.loads(sys.argv[1])
os.chdir(cwd)
subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", cwd], check=True)
os.chdir(cwd)  # the read-only mount, not the directory under it
for d in readonly:
    subprocess.run(["mount", "--rbind", d, d], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", d], check=True)
r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
m = re.search(r"crash log: (\\S+)\\)", r.stderr)
log = open(m.group(1)).read() if m else None
if m:
    os.unlink(m.group(1))
print(json.dumps({"rc": r.returncode, "stderr": r.stderr, "log": log, "log_path": m.group(1) if m else None}))
"""


def _crash(tmp_path: Path, readonly: list[str], **env: str) -> dict[str, object]:
    import json
    import sys

    from tests.world import namespaces_available

    ok, why = namespaces_available()
    if not ok:
        pytest.skip(f"needs `unshare -rm` to make /tmp read-only: {why}")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    spec = [str(cwd), readonly, [sys.executable, "-c", PLANTED_BUG, "checks"], clean_env(tmp_path, **env)]
    r = subprocess.run(["unshare", "-rm", sys.executable, "-c", IN_NAMESPACE, json.dumps(spec)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


@pytest.mark.e2e  # a mount namespace makes /tmp read-only
def test_internal_error_writes_a_redacted_crash_log(tmp_path: Path) -> None:
    out = _crash(tmp_path, readonly=[])
    assert out["rc"] == 3
    line = _one_line_any(str(out["stderr"]))
    assert line.startswith("sigdoctor: internal error: RuntimeError: bug: Authorization:")
    assert str(out["log_path"]).startswith("/tmp/sigdoctor-crash-")
    assert "Traceback" in str(out["log"]) and "RuntimeError" in str(out["log"])
    assert SIGNATURE not in str(out["stderr"]) + str(out["log"])


@pytest.mark.e2e  # a mount namespace makes /tmp read-only
def test_read_only_tmp_puts_the_crash_log_elsewhere(tmp_path: Path) -> None:
    out = _crash(tmp_path, readonly=["/tmp"])
    assert out["rc"] == 3
    assert str(out["log_path"]).startswith("/var/tmp/sigdoctor-crash-")
    assert SIGNATURE not in str(out["stderr"]) + str(out["log"])


@pytest.mark.e2e  # a mount namespace makes /tmp read-only
def test_no_writable_temporary_directory_skips_the_log_with_a_note(tmp_path: Path) -> None:
    out = _crash(tmp_path, readonly=["/tmp", "/var/tmp"], TMPDIR="/nonexistent")
    assert out["rc"] == 3 and out["log"] is None
    line = _one_line_any(str(out["stderr"]))
    assert line.startswith("sigdoctor: internal error: RuntimeError: bug:")
    assert "(a bug; no crash log: no writable temporary directory (No usable temporary directory found" in line
    assert line.endswith("; rerun with --debug to see it)")
    assert SIGNATURE not in str(out["stderr"])


def _one_line_any(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]
