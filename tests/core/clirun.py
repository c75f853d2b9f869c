"""Running the installed CLI as a user would: a child process with a clean environment (nothing in it can reach
the network: AWS config and credential files are /dev/null, IMDS is disabled)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SIGDOCTOR = [sys.executable, "-m", "sigdoctor"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true", **extra,
    }


def sd(tmp_path: Path, *args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SIGDOCTOR, *args], capture_output=True, text=True, input=input,
                          env=clean_env(tmp_path, **env), timeout=60)


def sd_popen(tmp_path: Path, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*SIGDOCTOR, *args], env={**clean_env(tmp_path), **(env or {})}, **kw)


def open_pipe(command: str, first: bytes, *args: str, hang_s: float = 30) -> tuple[int, str, str]:
    """`sigdoctor COMMAND - ARGS` with `first` written to its stdin and the pipe then held open, so only the
    command's --deadline can end the read; `hang_s` is the hang detector, not a timing assertion."""
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*SIGDOCTOR, command, "-", *args], stdin=subprocess.PIPE, stdout=out, stderr=err,
                                env=clean_env(Path(home)))
        assert proc.stdin is not None
        try:
            if first:
                proc.stdin.write(first)
                proc.stdin.flush()
            rc = proc.wait(timeout=hang_s)
        finally:
            proc.kill()
            proc.stdin.close()
            proc.wait()
        out.seek(0)
        err.seek(0)
        return rc, out.read().decode(), err.read().decode()


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def in_process(capsys: Any, monkeypatch: Any, tmp_path: Path, *args: str, **env: str) -> Ran:
    """`sigdoctor ARGS` through cli.main in this process, with the same clean environment: for what main() decides
    (usage errors, help), where a child process per case would only add start-up time. What happens around main()
    (entry.py's exit, signals, broken pipes) is tested with real child processes."""
    from sigdoctor.cli import main

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in clean_env(tmp_path, **env).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return Ran(code, out, err)
