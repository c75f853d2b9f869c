"""Running the installed CLI as a user would: a child process with a clean environment (nothing in it can reach
the network: AWS config and credential files are /dev/null, IMDS is disabled)."""

from __future__ import annotations

import os
import subprocess
import sys
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
