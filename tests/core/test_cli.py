"""The CLI's contract: exit codes, one-line usage errors, fast --version, checks and explain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Never let the chain fall through to the real network (TESTING.md).
    return {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true", **extra,
    }


def sd(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sigdoctor", *args], capture_output=True, text=True,
                          env=clean_env(tmp_path, **env), timeout=60)


def test_version(tmp_path: Path) -> None:
    r = sd(tmp_path, "--version")
    assert r.returncode == 0 and r.stdout.strip() == "sigdoctor 0.1.0"


def test_version_and_help_do_not_import_heavy_modules() -> None:
    code = ("import sys; from sigdoctor.cli import main; import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--version']); main(['--help']); main(['run', '--help'])\n"
            "heavy = [m for m in ('boto3', 'botocore', 'dns', 'ntplib') if m in sys.modules]\n"
            "print(','.join(heavy))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


@pytest.mark.parametrize("args,needle", [
    (["run", "--bogus"], "No such option: --bogus"),
    (["run", "--format", "yaml"], "--format"),
    (["run", "--deadline", "0"], "--deadline must be positive"),
    (["run", "--only", "nosuchprobe"], "unknown probe nosuchprobe"),
    (["explain", "clock-skw"], "did you mean clock-skew"),
    (["frobnicate"], "No such command"),
    (["checks", "--form", "json"], "No such option: --form"),  # no abbreviations: new options must not break scripts
    (["decode", "a.log", "b.log"], "Unexpected argument: b.log"),
    (["run", "--deadline", "soon"], "--deadline: invalid float value"),
    (["sign"], "--request"),
])
def test_usage_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    r = sd(tmp_path, *args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert needle in lines[0]
    assert "hint" in lines[0]
    assert "Traceback" not in r.stderr


def test_no_arguments_prints_the_commands(tmp_path: Path) -> None:
    r = sd(tmp_path)
    assert r.returncode == 0 and "COMMAND" in r.stdout
    for command in ("run", "chain", "decode", "sign", "merge", "explain", "checks"):
        assert f"\n    {command} " in r.stdout


def test_debug_shows_traceback_for_usage_errors(tmp_path: Path) -> None:
    r = sd(tmp_path, "run", "--deadline", "0", "--debug")
    assert r.returncode == 2 and "Traceback" in r.stderr


def test_checks_lists_probes_and_causes(tmp_path: Path) -> None:
    r = sd(tmp_path, "checks")
    assert r.returncode == 0
    for probe in ("credentials", "identity", "signature"):
        assert probe in r.stdout
    assert "clock-skew" in r.stdout and "no-credentials" in r.stdout


def test_explain_prints_the_page(tmp_path: Path) -> None:
    r = sd(tmp_path, "explain", "no-credentials")
    assert r.returncode == 0
    assert r.stdout.startswith("# no-credentials")
    assert "## Fix" in r.stdout


SUITE = Path(__file__).resolve().parents[1] / "sigv4" / "data" / "sigv4_suite" / "aws4_testsuite_botocore"


def test_sign_reproduces_the_suite_and_masks_the_key_id(tmp_path: Path) -> None:
    case = SUITE / "get-vanilla"
    r = sd(tmp_path, "sign", "--request", str(case / "get-vanilla.req"), "--region", "us-east-1",
           "--service", "service", "--time", "20150830T123600Z", "--format", "json",
           AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    assert r.returncode == 0, r.stderr
    import json

    out = json.loads(r.stdout)
    assert out["canonical_request"] == (case / "get-vanilla.creq").read_text()
    assert out["signed_headers"] == "host;x-amz-date"
    assert "AKIAIOSFODNN7EXAMPLE" not in r.stdout and "AKIA…MPLE" in out["authorization"]
    assert "wJalrXUtnFEMI" not in r.stdout


def test_sign_without_credentials_or_with_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    req = SUITE / "get-vanilla" / "get-vanilla.req"
    r = sd(tmp_path, "sign", "--request", str(req), "--region", "us-east-1", "--service", "service")
    assert r.returncode == 2 and "no credentials to sign with" in r.stderr
    bad = tmp_path / "bad.req"
    bad.write_bytes(b"\x00\x01garbage")
    r = sd(tmp_path, "sign", "--request", str(bad), "--region", "us-east-1", "--service", "service",
           AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
