"""typer's option coercion for sigdoctor's plain option types, without building a pydantic TypeAdapter per option.

typer (>= 0.25) coerces every option's value — None included — through a pydantic TypeAdapter it builds the first
time the option is processed: ~20 adapters and the pydantic import for one `sigdoctor run`, ~90 ms of CPU per
command, more than any probe's own work in a healthy run. sigdoctor's options are strings, lists of strings, paths,
choices (Literal) and numbers read by a parser function; what typer's adapter does for each is a call to one of
typer's own helpers (the same ones used here) wrapped in pydantic. Here each option of those kinds gets a
RuntimeParam that calls those helpers directly. Anything else — and any value whose coercion fails — goes through
typer's own adapter, so error messages are typer's, word for word, and a type not listed here behaves as before.

Every private typer name used is listed in PRIVATE; tests/seam/test_typerseam.py checks them against the installed
typer and compares what both paths return for each option of the command line. When typer moves them, `install`
does nothing and typer's own coercion runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from sigdoctor.records import datarecord

# (module, name) of every private typer object relied on here.
PRIVATE: tuple[tuple[str, str], ...] = (
    ("typer._coercion", "RuntimeParam"),
    ("typer._coercion", "build_runtime_param"),
    ("typer._param_types", "coerce_cli_choice"),
    ("typer._param_types", "coerce_cli_path"),
    ("typer.core", "_TyperParameter"),
)
# Attributes of typer's parameters (set in _TyperParameter.__init__).
PARAMETER_ATTRIBUTES = ("_runtime_param", "type_descriptor")

_MISS = object()


def install(command: Any) -> int:
    """Give every option and argument of `command` (a click command from typer.main.get_command) and its
    subcommands the direct coercion when its type is one of the plain kinds; returns how many got it."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import coerce_cli_choice, coerce_cli_path
        from typer.core import _TyperParameter
    except ImportError:
        return 0

    @datarecord(frozen=True)
    class DirectParam(RuntimeParam):
        """RuntimeParam.coerce (None, multi-value checks) as typer's; `_coerce_value` without pydantic."""

        kind: str = "str"

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                out = self._direct(value, param, ctx)
            except Exception:  # typer's own path below raises what a user must see
                out = _MISS
            if out is _MISS:
                return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
            return out

        def _direct(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.kind == "list":
                items = value if isinstance(value, (list, tuple)) else [value]
                if not all(type(v) is str for v in items):
                    return _MISS
                return list(items)
            if self.kind == "bool":
                # Flags arrive as bools and skip coercion; --help and the completion flags arrive as None, which
                # RuntimeParam.coerce answers before this.
                return value if type(value) is bool else _MISS
            if self.kind == "parser":
                parser: Any = self.parameter_info.parser
                return parser(value)
            if type(value) is not str:
                return _MISS  # typer's adapters read bytes and other types in ways not repeated here
            if self.kind == "str":
                return value
            if self.kind == "choice":
                return coerce_cli_choice(value, choices=get_args(self.annotation),
                                         case_sensitive=self.parameter_info.case_sensitive, ctx=ctx)
            if self.kind == "path" and value and "\0" not in value:
                # typer's adapter makes the Path (pydantic: Path(value)), then checks it against the option's flags.
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            return _MISS

    def give(param: Any) -> bool:
        if not isinstance(param, _TyperParameter) or not all(hasattr(param, a) for a in PARAMETER_ATTRIBUTES):
            return False
        descriptor = param.type_descriptor
        kind = _kind(descriptor.annotation, descriptor.parameter_info, descriptor.file_annotation)
        if kind is None or param._runtime_param is not None:
            return False
        param._runtime_param = DirectParam(parameter_info=descriptor.parameter_info,
                                           annotation=descriptor.annotation, kind=kind)
        return True

    done = 0
    stack = [command]
    while stack:
        cmd = stack.pop()
        stack.extend(getattr(cmd, "commands", {}).values())
        done += sum(give(param) for param in getattr(cmd, "params", ()))
        if callable(getattr(cmd, "get_help_option", None)):
            # click makes each command's --help option when it first parses (from the context's option names).
            def get_help_option(ctx: Any, _make: Any = cmd.get_help_option) -> Any:
                option = _make(ctx)
                give(option)
                return option

            cmd.get_help_option = get_help_option
    return done


def _kind(annotation: Any, info: Any, file_annotation: Any) -> str | None:
    """Which plain kind typer's adapter for this annotation amounts to (typer's build_leaf_adapter checks a
    parser first, then Literal, then str, then paths; list[str] is a list of its str adapter)."""
    if file_annotation is not None:
        return None
    if getattr(info, "parser", None) is not None:
        return "parser"
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return "list"
    if get_origin(annotation) is Literal and all(type(v) is str for v in get_args(annotation)):
        return "choice"
    if annotation is str:
        return "str"
    if annotation is bool:
        return "bool"
    if annotation is Path and getattr(info, "path_type", None) is None:
        return "path"
    return None
