"""The typer seam (sigdoctor/typerseam.py) against the installed typer: the private names it relies on are still
there, and for every option of sigdoctor's command line the direct coercion gives what typer's own (pydantic)
coercion gives — the same values on success, the same error (class and message) on failure."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from sigdoctor import cli, typerseam


def test_every_private_name_is_still_there() -> None:
    for module, name in typerseam.PRIVATE:
        assert hasattr(importlib.import_module(module), name), f"typer moved {module}.{name}"
    command = typer.main.get_command(cli.build_app())
    param = command.commands["run"].params[0]  # type: ignore[attr-defined]
    for attribute in typerseam.PARAMETER_ATTRIBUTES:
        assert hasattr(param, attribute), f"typer's parameters have no {attribute} any more"


def test_every_option_of_the_command_line_gets_the_direct_coercion() -> None:
    command = typer.main.get_command(cli.build_app())
    params = [p for c in [command, *command.commands.values()] for p in c.params]  # type: ignore[attr-defined]
    assert typerseam.install(command) == len(params)


def _parse(args: list[str], direct: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """What the command's handler receives, or the usage error typer raises: (class name, message)."""
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "_call", lambda handler, options: seen.append(dict(options)) or 0)
    command = typer.main.get_command(cli.build_app())
    if direct:
        typerseam.install(command)
    try:
        command.main(args, prog_name="sigdoctor", standalone_mode=False)
    except typer.TyperException as exc:
        return type(exc).__name__, exc.format_message()
    return seen


def _cases(tmp: Path) -> list[list[str]]:
    agent, conf, req, folder = tmp / "alloy", tmp / "agent.river", tmp / "get.req", tmp / "folder"
    for f in (agent, conf, req):
        f.write_text("x")
    folder.mkdir()
    return [
        ["run"],
        ["run", "--target", "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
         "--target", "arn:aws:aps:us-east-1:123456789012:workspace/ws-1", "--region", "us-east-1", "--profile", "p",
         "--role-arn", "arn:aws:iam::123456789012:role/r", "--service", "aps", "--pid", "auto", "--vpc-endpoints",
         "--ntp-server", "169.254.169.123:123", "--ntp-server", "time.aws.com", "--only", "dns", "--skip", "clock",
         "--deadline", "3.5", "--offline", "--principal-arn", "arn:aws:iam::123456789012:role/p",
         "--agent-binary", str(agent), "--agent-config", str(conf), "--format", "json", "-o", str(tmp / "r.json"),
         "--no-color", "-v", "--debug"],
        ["run", "--region", "", "--target", "", "--agent-binary", "./alloy//x", "--output", "relative/../r.md"],
        ["run", "--format", "yaml"], ["run", "--format", "JSON"], ["run", "--deadline", "nan"],
        ["run", "--deadline", "soon"], ["run", "--deadline", "-1"], ["run", "--deadline", "1e999"],
        ["run", "--output", str(folder)], ["run", "--output", ""], ["run", "--agent-config", str(folder)],
        ["chain", "--deadline", "1e3", "--format", "markdown", "--pid", "42", "--offline"],
        ["chain", "--format", "xml"],
        ["decode"], ["decode", "-", "--format", "text"],
        ["decode", str(conf), "--client", str(req), "--deadline", "2", "--output", str(tmp / "d.md"), "-v"],
        ["decode", "--client", str(folder)],
        ["sign", "--request", str(req), "--time", "20150830T123600Z", "--s3", "--format", "json", "--region", "eu-west-1",
         "--service", "s3", "--profile", "p", "--deadline", "5"],
        ["sign", "--request", str(req), "--format", "markdown"], ["sign", "--request", ""], ["sign"],
        ["merge", "a.json", str(folder), "-", "--deadline", "5", "--format", "json", "--no-color"], ["merge"],
        ["merge", "r.json", "--output", str(folder)],
        ["explain", "clock-skew"], ["explain", ""], ["checks", "--format", "markdown"], ["checks", "--format", "csv"],
    ]


def test_direct_coercion_gives_what_typers_own_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for args in _cases(tmp_path):
        mine, typers = _parse(args, True, monkeypatch), _parse(args, False, monkeypatch)
        assert mine == typers, args
        if isinstance(mine, list):
            assert mine and all(type(mine[0][k]) is type(typers[0][k]) for k in mine[0]), args
