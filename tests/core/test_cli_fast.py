"""`sigdoctor decode FILE` with plain options is read without typer (cli.plain_decode): the handler gets the options
typer's parser would have given it, and anything else still goes through typer, which words every error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sigdoctor import cli

PLAIN = [
    ["decode"],
    ["decode", "-"],
    ["decode", "agent.log"],
    ["decode", "agent.log", "--format", "json"],
    ["decode", "--format=markdown", "agent.log"],
    ["decode", "agent.log", "--format", "text", "--no-color", "-v", "--debug"],
    ["decode", "--verbose", "agent.log", "--deadline", "2.5"],
    ["decode", "agent.log", "--deadline=1e3", "--format", "json"],
    ["decode", "a log with spaces.txt", "--no-color"],
]

# typer's parser reads these (help, errors, options the plain reading leaves to it).
TYPER = [
    ["decode", "agent.log", "--help"],
    ["decode", "-h"],
    ["decode", "agent.log", "--format", "yaml"],
    ["decode", "agent.log", "--format", "JSON"],
    ["decode", "agent.log", "--format"],
    ["decode", "agent.log", "--deadline", "0"],
    ["decode", "agent.log", "--deadline", "nan"],
    ["decode", "agent.log", "--deadline=soon"],
    ["decode", "a.log", "b.log"],
    ["decode", "agent.log", "-o", "out.json"],
    ["decode", "agent.log", "--output", "out.md"],
    ["decode", "agent.log", "--client", "creq.txt"],
    ["decode", "agent.log", "-v", "-v"],
    ["decode", "agent.log", "--format", "json", "--format", "text"],
    ["decode", "agent.log", "-vv"],
    ["decode", "--", "-weird.log"],
    ["decode", "agent.log", "--no-color=1"],
    ["decode", "agent.log", "--bogus"],
    ["decode", "agent.log", "--form", "json"],
    ["run", "--offline"],
    ["--version"],
    [],
]


def _typer_options(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> dict[str, Any]:
    """What typer's parser hands the decode handler for `args`."""
    got: dict[str, Any] = {}

    def record(handler: Any, options: dict[str, Any]) -> int:
        got.update(options)
        return 0

    monkeypatch.setattr(cli, "_call", record)
    cli._parse_and_run(args)
    return got


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_decode_gives_the_handler_what_typer_gives_it(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    plain = cli.plain_decode(args)
    assert plain is not None
    want = _typer_options(monkeypatch, args)
    assert vars(plain) == want
    assert [type(v) for v in vars(plain).values()] == [type(v) for v in want.values()]


@pytest.mark.parametrize("args", TYPER, ids=" ".join)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert cli.plain_decode(args) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_SIGDOCTOR_COMPLETE", "bash_complete")
    assert cli.plain_decode(["decode", "agent.log"]) is None


def _imported_after(args: list[str]) -> list[str]:
    """The exit status of `sigdoctor ARGS` in a fresh interpreter, and which of typer, click and rich it imported."""
    code = ("import sys, contextlib, io\n"
            "from sigdoctor.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    code = main({args!r})\n"
            "print(code, *sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_decoding_a_file_imports_no_typer_and_to_json_no_rich(tmp_path: Path) -> None:
    log = tmp_path / "agent.log"
    log.write_text("<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not "
                   "match the signature you provided.</Message></Error>\n")
    assert _imported_after(["decode", str(log), "--format", "json"]) == ["0"]
    # The text view's layout is rich's own (render/text.py); typer and click stay out of it too.
    assert _imported_after(["decode", str(log), "--no-color"]) == ["0", "rich"]
    # Its help and its errors are typer's.
    assert _imported_after(["decode", str(log), "--format", "yaml"])[:2] == ["2", "typer"]
