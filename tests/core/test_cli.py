"""The CLI's contract: exit codes, one-line usage errors, fast --version, checks and explain."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.clirun import Ran, clean_env, in_process, sd


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Ran]:
    return lambda *args, **env: in_process(capsys, monkeypatch, tmp_path, *args, **env)


def test_version(tmp_path: Path) -> None:
    r = sd(tmp_path, "--version")
    assert r.returncode == 0 and r.stdout.strip() == "sigdoctor 0.1.0"


def test_version_and_help_do_not_import_heavy_modules() -> None:
    # (`sigdoctor --version` does not even reach cli.py: see entry.py.) pydantic, which typer would use to coerce
    # each option, is not needed for sigdoctor's options at all (sigdoctor/typerseam.py), not even by a command.
    code = ("import sys; from sigdoctor.cli import main; import contextlib, io\n"
            "heavy = lambda: ','.join(m for m in ('boto3', 'botocore', 'dns', 'ntplib', 'pydantic') if m in sys.modules)\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--help'])\n"
            "print(heavy())\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--version']); main(['run', '--help'])\n"
            "print(heavy())\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['explain', 'clock-skew']); main(['checks', '--format', 'json'])\n"
            "print('pydantic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["", "", "False"]


# One case per usage error a user can make; each must be one line on stderr, exit 2, naming what was wrong and
# where to look. The whole line is compared where it is ours; click's own wording is matched by its key part.
USAGE_ERRORS = {
    "unknown option": (["run", "--bogus"], "No such option: --bogus", "see 'sigdoctor run --help'"),
    "unknown short option": (["run", "-x"], "No such option: -x", "see 'sigdoctor run --help'"),
    "unknown top-level option": (["--bogus"], "No such option: --bogus", "see 'sigdoctor --help'"),
    "bad choice": (["run", "--format", "yaml"], "'yaml' is not one of 'text', 'json', 'markdown'",
                   "see 'sigdoctor run --help'"),
    "sign has no markdown": (["sign", "--request", "x.req", "--format", "markdown"], "'markdown' is not one of",
                             "see 'sigdoctor sign --help'"),
    "option without its value": (["run", "--target"], "Option '--target' requires an argument",
                                 "see 'sigdoctor run --help'"),
    "deadline zero": (["run", "--deadline", "0"], "must be a positive number of seconds, got '0'", "--help"),
    "deadline negative": (["chain", "--deadline", "-1"], "got '-1'", "see 'sigdoctor chain --help'"),
    "deadline nan": (["run", "--deadline", "nan"], "got 'nan'", "--help"),
    "deadline inf": (["run", "--deadline", "inf"], "got 'inf'", "--help"),
    "deadline overflow": (["run", "--deadline", "1e999"], "got '1e999'", "--help"),
    "deadline not a number": (["run", "--deadline", "soon"], "not a number of seconds: 'soon'", "--help"),
    "unknown probe": (["run", "--offline", "--only", "nosuchprobe"], "unknown probe nosuchprobe",
                      "sigdoctor checks lists the probes"),
    "unknown cause": (["explain", "clock-skw"], "unknown cause id 'clock-skw'", "did you mean clock-skew?"),
    "missing argument": (["explain"], "Missing argument 'CAUSE_ID'", "see 'sigdoctor explain --help'"),
    "merge without reports": (["merge"], "Missing argument 'REPORT...'", "see 'sigdoctor merge --help'"),
    "unknown command": (["frobnicate"], "No such command 'frobnicate' (commands: run, chain, decode, sign, merge, "
                        "explain, checks)", "see 'sigdoctor --help'"),
    # No abbreviations: a script using `--form` would break the day another option shares the prefix.
    "abbreviated option": (["checks", "--form", "json"], "No such option: --form", "see 'sigdoctor checks --help'"),
    "extra argument": (["decode", "a.log", "b.log"], "Unexpected argument: b.log", "see 'sigdoctor decode --help'"),
    "missing required option": (["sign"], "Missing option '--request'", "see 'sigdoctor sign --help'"),
    "missing input file": (["decode", "/nonexistent/agent.log"], "/nonexistent/agent.log: no such file",
                           "pass a log file, or - for stdin"),
    "missing agent binary": (["run", "--offline", "--agent-binary", "/nonexistent/alloy"],
                             "--agent-binary /nonexistent/alloy: no such file", "the path of the agent's executable"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_are_one_line_exit_2(cli: Callable[..., Ran], case: str) -> None:
    args, needle, hint = USAGE_ERRORS[case]
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("sigdoctor: error: ")
    assert needle in lines[0]
    assert f"(hint: {hint}" in lines[0] or (hint in lines[0] and "(hint: " in lines[0])
    assert r.stdout == ""


@pytest.mark.parametrize("case", ["unknown option", "deadline nan"])
def test_usage_errors_read_the_same_from_the_console_script(tmp_path: Path, cli: Callable[..., Ran], case: str) -> None:
    args = USAGE_ERRORS[case][0]
    r = sd(tmp_path, *args)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", cli(*args).stderr)


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    r = sd(tmp_path, "run", "--offline", "--only", "credentials", "--output", str(tmp_path / "no" / "r.json"))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (f"sigdoctor: error: cannot write {tmp_path / 'no' / 'r.json'}: "
                                                 "No such file or directory (hint: choose a writable path)")


def test_no_arguments_prints_the_commands(cli: Callable[..., Ran]) -> None:
    r = cli()
    assert r.returncode == 0, r.stderr
    assert "Usage: sigdoctor [OPTIONS] COMMAND [ARGS]..." in r.stdout
    listed = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2]
    for command in ("run", "chain", "decode", "sign", "merge", "explain", "checks"):
        assert command in listed, r.stdout


@pytest.mark.parametrize("command", ["run", "chain", "decode", "sign", "merge", "explain", "checks"])
def test_each_command_has_help_with_its_options(cli: Callable[..., Ran], command: str) -> None:
    r = cli(command, "--help", COLUMNS="120")
    assert r.returncode == 0, r.stderr
    assert f"Usage: sigdoctor {command}" in r.stdout
    expected = {"run": ["--target", "--deadline", "--only", "--agent-config"], "chain": ["--profile", "--deadline"],
                "decode": ["--client", "--format"], "sign": ["--request", "--s3", "--time"],
                "merge": ["REPORT...", "--output"], "explain": ["CAUSE_ID"], "checks": ["--format"]}[command]
    for option in expected:
        assert option in r.stdout
    assert "\x1b[" not in r.stdout  # not a terminal: no colour codes


def test_help_short_option_works_too(cli: Callable[..., Ran]) -> None:
    assert cli("run", "-h").stdout == cli("run", "--help").stdout


def _from_bash(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # typer finds the user's shell from the parent process (shellingham): here, a bash that stays the parent.
    return subprocess.run(["bash", "-c", '"$@"; exit $?', "bash", sys.executable, "-m", "sigdoctor", *args],
                          capture_output=True, text=True, env=clean_env(tmp_path), timeout=60)


def test_show_completion_prints_a_bash_script(tmp_path: Path) -> None:
    r = _from_bash(tmp_path, "--show-completion")
    assert r.returncode == 0, r.stderr
    assert "_SIGDOCTOR_COMPLETE=complete_bash" in r.stdout and "complete " in r.stdout


def test_install_completion_writes_the_shell_startup_file(tmp_path: Path) -> None:
    r = _from_bash(tmp_path, "--install-completion")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("bash completion installed in ")
    assert "sigdoctor" in (tmp_path / ".bashrc").read_text()


@pytest.mark.parametrize("words,expected", [("sigdoctor ru", ["run"]), ("sigdoctor run --dead", ["--deadline"]),
                                            ("sigdoctor checks --format ", ["text", "json", "markdown"])])
def test_completion_completes_commands_options_and_choices(tmp_path: Path, words: str, expected: list[str]) -> None:
    # What the installed bash function asks the program when the user presses TAB.
    r = sd(tmp_path, _SIGDOCTOR_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == expected


def test_debug_shows_traceback_for_usage_errors(tmp_path: Path) -> None:
    r = sd(tmp_path, "run", "--deadline", "0", "--debug")
    assert r.returncode == 2 and "Traceback" in r.stderr


def test_checks_lists_probes_and_causes(cli: Callable[..., Ran]) -> None:
    r = cli("checks")
    assert r.returncode == 0
    for probe in ("credentials", "identity", "signature"):
        assert probe in r.stdout
    assert "clock-skew" in r.stdout and "no-credentials" in r.stdout


def test_explain_prints_the_page(cli: Callable[..., Ran]) -> None:
    r = cli("explain", "no-credentials")
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
