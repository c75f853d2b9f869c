"""The command line: parse (typer) → build Context → run → render → exit code. The only error boundary.

Heavy modules (boto3, botocore, rich rendering, the probes) are imported inside the handlers, so that `--help` costs
typer alone; `sigdoctor --version` does not even import this module (entry.py). typer itself and the commands'
declarations are in cliapp.py, imported unless the arguments are a plain `decode` (`plain_decode`), which is read
here without it.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sigdoctor import __version__
from sigdoctor.errors import ExitStatus, UsageError

if TYPE_CHECKING:
    import typer

    from sigdoctor.context import Context
    from sigdoctor.model import Report
    from sigdoctor.redact import Redactor

# A command's parsed options, by option name (`a.deadline`, `a.no_color`); typer has checked their types.
Args = SimpleNamespace

FORMATS = ("text", "json", "markdown")
DESCRIPTION = "A doctor for AWS request signing: which layer breaks your telemetry agent's SigV4 requests, and the fix."

# Set by the command being run, read by the error boundary.
_state: dict[str, object] = {"debug": False}


def _color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and _capable_terminal(sys.stdout)


def _capable_terminal(stream: Any) -> bool:
    """A terminal that understands colour and cursor movement: TERM=dumb (Emacs shells, some CI logs) does not."""
    return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"


def _setup(debug: bool) -> None:
    from sigdoctor.output import install_redacting_streams
    from sigdoctor.redact import process_redactor

    _state["debug"] = debug
    # One registry for the whole process: probes, stdout, stderr, debug logs, report files and the error boundary
    # all scrub with it.
    _state["redactor"] = install_redacting_streams(process_redactor())
    if debug:
        import logging

        from sigdoctor.logs import install_redacting_handler

        install_redacting_handler(logging.DEBUG, _redactor())


def _emit(report: Report, fmt: str | None, output: Path | None, color: bool, verbose: bool) -> None:
    from sigdoctor.output import render

    if output is not None:
        file_fmt = fmt or _format_for(output)
        _write_output(output, render(report, file_fmt, color=False, verbose=True))
        # The terminal still gets the short summary: the top causes and the one-line verdict.
        from sigdoctor.render.summary import summary_line, top_lines

        for line in top_lines(report):
            print(line)
        print(summary_line(report))
        print(f"report written to {output}", file=sys.stderr)
        return
    sys.stdout.write(render(report, fmt or "text", color=color, verbose=verbose))


def _write_output(path: Path, text: str | Iterable[str]) -> None:
    from sigdoctor.output import write_text_file

    try:
        write_text_file(path, text, _redactor())
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", "choose a writable path") from exc


def _format_for(path: Path) -> str:
    return {".json": "json", ".md": "markdown"}.get(path.suffix.lower(), "text")


def _exit_for(report: Report) -> int:
    return int(ExitStatus.PROBLEMS if report.has_error else ExitStatus.OK)


def run(a: Args) -> int:
    """Diagnose this environment: ordered probes, then ranked root causes and fixes."""
    _setup(a.debug)
    for flag, path in (("--agent-binary", a.agent_binary), ("--agent-config", a.agent_config)):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag} {path}: no such file", f"{flag} takes the path of the agent's "
                             + ("executable" if flag == "--agent-binary" else "configuration file"))
    _check_targets(a.target or [])
    ctx = _context(
        region=a.region, profile=a.profile, targets=a.target or [], role_arn=a.role_arn, service=a.service,
        vpc_endpoints=a.vpc_endpoints, ntp_servers=a.ntp_server or [], offline=a.offline, deadline_s=a.deadline,
        principal_arn=a.principal_arn, verbose=a.verbose,
    )
    if a.pid is not None:
        from sigdoctor.agent.process import context_for_pid

        ctx = context_for_pid(a.pid, ctx)
    if a.agent_binary is not None:
        ctx.agent_binary = str(a.agent_binary)
    if a.agent_config is not None:
        ctx.agent_config = str(a.agent_config)
    report = _diagnose(ctx, "run", a.only or [], a.skip or [], a.no_color)
    _emit(report, a.format, a.output, _color(a.no_color), a.verbose)
    return _exit_for(report)


def chain(a: Args) -> int:
    """The credential chain alone: every source, its state, which one wins."""
    _setup(a.debug)
    ctx = _context(region=a.region, profile=a.profile, offline=a.offline, deadline_s=a.deadline, verbose=a.verbose)
    if a.pid is not None:
        from sigdoctor.agent.process import context_for_pid

        ctx = context_for_pid(a.pid, ctx)
    report = _diagnose(ctx, "chain", ["credentials"], [], a.no_color)
    color = _color(a.no_color)
    if a.format in (None, "text") and a.output is None:
        from sigdoctor.render.chain import render_chain_text

        sys.stdout.write(render_chain_text(report, color=color))
    elif a.format == "markdown" and a.output is None:
        from sigdoctor.render.chain import render_chain_markdown

        sys.stdout.write(render_chain_markdown(report))
    else:
        _emit(report, a.format, a.output, color, a.verbose)
    return _exit_for(report)


def checks(a: Args) -> int:
    """List the probes and the root causes sigdoctor knows."""
    from sigdoctor.listing import render_checks

    sys.stdout.write(render_checks(a.format or "text"))
    return ExitStatus.OK


def explain(a: Args) -> int:
    """Print the documentation page of one root cause."""
    from sigdoctor.listing import cause_page

    sys.stdout.write(cause_page(a.cause_id))
    return ExitStatus.OK


def decode(a: Args) -> int:
    """Offline: explain the AWS errors found in pasted logs, HTTP bodies or SDK debug output."""
    from sigdoctor.context import Context
    from sigdoctor.decode import decode_report
    from sigdoctor.timed_input import ReadDeadline

    _setup(a.debug)
    ctx = Context(offline=True, redactor=_redactor())
    source = _stdin("decode", "sigdoctor decode agent.log, or pipe the log in").buffer if a.source == "-" else Path(
        a.source)
    # A pipe still open at the deadline (`kubectl logs -f`) ends there: what was read is reported, marked incomplete.
    report = decode_report(source, client=a.client, ctx=ctx, deadline=ReadDeadline(a.deadline))
    _emit(report, a.format, a.output, _color(a.no_color), a.verbose)
    return _exit_for(report)


def merge(a: Args) -> int:
    """Aggregate many JSON reports (a fleet) into one view: causes × hosts."""
    from sigdoctor.merge import merge_lines
    from sigdoctor.timed_input import ReadDeadline

    _setup(a.debug)
    if "-" in a.reports:
        _stdin("merge", "pass report files or folders, or pipe JSON lines in")
    deadline = ReadDeadline(a.deadline)
    lines, code = merge_lines(a.reports, a.format or "text", _color(a.no_color) and a.output is None,
                              deadline=deadline)
    if a.output is not None:
        _write_output(a.output, lines)
        print(f"report written to {a.output}", file=sys.stderr)
    else:
        # Line by line: the redacting stream rescans a whole write when it holds an anchor word, and a fleet view of
        # 10,000 hosts is one 3 MB string full of them (2.3 of 4.0 s CPU in bench/merge.py; 0.4 s per line).
        sys.stdout.writelines(lines)
    if deadline.cut:
        # The fleet view holds only what arrived in time: never exit 0 on it.
        print(f"merge: stopped reading {', '.join(deadline.cut_sources)} at --deadline {a.deadline:g}s after "
              f"{deadline.cut_reports} reports; the rest were not read", file=sys.stderr)
        return max(int(code), int(ExitStatus.PROBLEMS))
    return int(code)


def sign(a: Args) -> int:
    """What a correct SigV4 signer produces for a raw HTTP request."""
    import json

    from sigdoctor.signing import sign_file

    _setup(a.debug)
    _check_region(a.region)
    result, access_key = sign_file(a.request, region=a.region, service=a.service, timestamp=a.time, s3=a.s3,
                                   profile=a.profile, redactor=_redactor(), deadline_s=a.deadline)
    from sigdoctor.sigv4.signer import render_sign_text

    redactor = _redactor()
    # The signature is the product of `sign` and stays; the access key id is shown masked like everywhere else.
    redactor.allow(result.signature)
    redactor.add_key_id(access_key)
    text = json.dumps(result.to_dict(), indent=2) + "\n" if a.format == "json" else render_sign_text(result)
    sys.stdout.write(redactor.display(text))
    return ExitStatus.OK


def seconds_or_problem(value: str) -> float | str:
    """--deadline: a finite number of seconds above zero, or what is wrong with `value`. `nan` would compare false
    with every clock reading (the run would start nothing and call that healthy) and `inf` would never end; both are
    usage errors."""
    try:
        seconds = float(value)
    except ValueError:
        return f"not a number of seconds: {value!r}"
    if not math.isfinite(seconds) or seconds <= 0:
        return f"must be a positive number of seconds, got {value!r} (e.g. --deadline 20)"
    return seconds


def build_app(only: str | None = None) -> typer.Typer:
    """The whole command line (cliapp.py, which imports typer)."""
    from sigdoctor.cliapp import build_app as build

    return build(only)


# `decode`'s options as cliapp.py declares them: name → (its key in Args, whether it takes a value).
_DECODE_OPTIONS = {"--format": ("format", True), "--deadline": ("deadline", True), "--no-color": ("no_color", False),
                   "--verbose": ("verbose", False), "-v": ("verbose", False), "--debug": ("debug", False)}


def plain_decode(args: list[str]) -> Args | None:
    """The options typer would give `decode` for `args` (`decode FILE --format json`), read without typer, when they
    are only these: one FILE (or `-`, or none: stdin), --format with one of FORMATS, a valid --deadline, and the
    flags; each at most once. None for anything else (--output, --client, --help, `--`, a value typer refuses, shell
    completion): typer's parser then reads them and words every error."""
    if args[:1] != ["decode"] or _completing():
        return None
    got: dict[str, Any] = {"source": "-", "client": None, "deadline": 60.0, "format": None, "output": None,
                           "no_color": False, "verbose": False, "debug": False}
    seen: set[str] = set()
    sources = 0
    it = iter(args[1:])
    for arg in it:
        if arg == "-" or not arg.startswith("-"):
            sources += 1
            got["source"] = arg
            continue
        name, eq, value = arg.partition("=")
        if name not in _DECODE_OPTIONS:
            return None
        key, valued = _DECODE_OPTIONS[name]
        if key in seen or (eq and not valued):
            return None
        seen.add(key)
        if not valued:
            got[key] = True
            continue
        if not eq:
            nxt = next(it, None)
            if nxt is None:
                return None
            value = nxt
        if key == "format":
            if value not in FORMATS:
                return None
            got[key] = value
        else:
            seconds = seconds_or_problem(value)
            if isinstance(seconds, str):
                return None
            got[key] = seconds
    return None if sources > 1 else Args(**got)


def _stdin(command: str, hint: str) -> Any:
    """stdin as `-`; closed (`<&-`, a service without one) is an input error, not a crash."""
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError(f"{command} reads stdin (-), but stdin is closed", hint)
    return sys.stdin


def _check_targets(targets: list[str]) -> None:
    """A --target no URL parser accepts (`https://[::1`) is a usage error, not three crashed probes."""
    from urllib.parse import urlsplit

    for t in targets:
        if t.strip().startswith("arn:"):
            continue
        try:
            _ = urlsplit(t if "://" in t else f"https://{t}").port
        except ValueError as exc:
            raise UsageError(f"--target {t}: not a valid URL ({exc})",
                             "e.g. --target https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-ID/api/v1/"
                             "remote_write") from exc


def _check_region(region: str | None) -> None:
    """A --region botocore would refuse (`'us-east-1 '`, `'bad region'`) is a usage error, not a run of probes that
    each fail on it."""
    from sigdoctor.endpoints import region_problem, shown_value

    problem = region_problem(region) if region else None
    if problem is not None and region is not None:
        raise UsageError(f"--region {shown_value(_redactor(), region)}: not a valid region ({problem})",
                         "give the region the agent signs for, e.g. --region us-east-1")


def _context(**fields: Any) -> Context:
    """A Context from the command's options (Context field names), with the process-wide redactor."""
    from sigdoctor.context import Context

    _check_region(fields.get("region"))

    ctx = Context(**fields, redactor=_redactor())
    entry = sys.modules.get("sigdoctor.entry")
    if entry is not None:
        ctx.started_monotonic = entry.STARTED
    return ctx


def _live(enabled: bool, color: bool) -> Any:
    """The live per-probe status on a terminal; rich is not even imported when nobody watches (pipes, CI)."""
    if not enabled:
        import contextlib

        from sigdoctor.runner import NullObserver

        return contextlib.nullcontext(NullObserver())
    from sigdoctor.render.live import LiveStatus

    return LiveStatus.for_stderr(enabled=True, color=color)


def _diagnose(ctx: Context, command: str, only: list[str], skip: list[str], no_color: bool) -> Report:
    from sigdoctor.doctor import run_report
    from sigdoctor.probes import PROBES

    live_on = _capable_terminal(sys.stderr) and not _state["debug"]
    try:
        with _live(live_on, _color(no_color)) as live:
            return run_report(ctx, PROBES, command=command, only=only, skip=skip, observer=live)
    except ValueError as exc:
        if str(exc).startswith("unknown probe"):
            raise UsageError(str(exc), "sigdoctor checks lists the probes") from exc
        raise


class _Interrupted(Exception):
    """Ctrl-C inside a command. Carried past typer as an ordinary exception: typer would turn the KeyboardInterrupt
    into a bare exit status 130 and the boundary could not say what happened."""


def _call(handler: Callable[[Args], int], options: dict[str, Any]) -> int:
    try:
        return handler(Args(**options))
    except KeyboardInterrupt as exc:
        raise _Interrupted() from exc


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the process exit status."""
    args = sys.argv[1:] if argv is None else argv
    from sigdoctor.output import OutputError

    try:
        _encodable_output()
        _setup(False)  # every sink redacts from the first byte, usage errors included
        # Known before parsing, so that a usage error found by the parser shows its traceback under --debug too.
        _state["debug"] = "--debug" in args
        plain = plain_decode(args)
        if plain is not None:
            # The options typer would have given the handler (plain_decode), without importing it.
            result: Any = _call(decode, vars(plain))
        else:
            result = _parse_and_run(args)
        # Inside the boundary: a report that could not be written (a full disk) is an error, not a lost report.
        sys.stdout.flush()
        # --help, --version and the completion options end as an exit status; a command returns its own.
        return int(result or 0)
    except UsageError as exc:
        _fail_line(exc.line())
        return ExitStatus.USAGE
    except OutputError as exc:
        _fail_line(UsageError(str(exc), "free some space, or write the report elsewhere with --output FILE").line())
        return ExitStatus.USAGE
    except (KeyboardInterrupt, _Interrupted):
        _say("\nsigdoctor: interrupted")
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _internal_error(exc)


COMMANDS = ("run", "chain", "decode", "sign", "merge", "explain", "checks")


def _parse_and_run(args: list[str]) -> Any:
    """typer's parser over `args`, then the command's handler; what the handler returned (or None)."""
    import typer

    # `sigdoctor run …` builds `run` alone; anything else (no command, an unknown one, top-level options, shell
    # completion, whose words come from the environment) the whole command line.
    only = args[0] if args and args[0] in COMMANDS and not _completing() else None
    command = typer.main.get_command(build_app(only))
    # Strings, paths, choices and --deadline coerced by typer's own helpers without a pydantic adapter each.
    from sigdoctor.typerseam import install

    install(command)
    try:
        # With no arguments: the commands, exit 0 (click would call that a usage error, exit 2).
        return command.main(args or ["--help"], prog_name="sigdoctor", standalone_mode=False)
    except typer.TyperException as exc:  # click's UsageError, BadParameter, NoSuchOption, ... (all exit 2)
        if exc.exit_code != ExitStatus.USAGE:
            raise
        raise _usage_error(exc, args) from exc


def _completing() -> bool:
    """typer's shell completion is asked for through _SIGDOCTOR_COMPLETE (click's `_{PROG}_COMPLETE`)."""
    return any(name.endswith("_COMPLETE") for name in os.environ)


def _usage_error(exc: typer.TyperException, args: list[str]) -> UsageError:
    """click's message, reworded where ours was clearer, as one line with the command's --help as the hint."""
    ctx = getattr(exc, "ctx", None)
    # click's option parser raises some errors (an option without its value) without a context.
    where = ctx.command_path if ctx is not None else " ".join(["sigdoctor", *[a for a in args if a in COMMANDS][:1]])
    # pydantic's "Value error, " prefix says nothing to a user.
    message = " ".join(exc.format_message().replace("Value error, ", "").split())
    if message.startswith("Got unexpected extra argument"):
        extra = message.rpartition("(")[2].rstrip(")").split()
        message = f"Unexpected argument: {extra[0] if extra else message}"
    elif message.startswith("No such command") and ctx is not None and hasattr(ctx.command, "list_commands"):
        message = f"{message.rstrip('.')} (commands: {', '.join(ctx.command.list_commands(ctx))})"
    return UsageError(message.rstrip("."), f"see '{where} --help'")


def _redactor() -> Redactor:
    from sigdoctor.redact import process_redactor

    return process_redactor()


def _say(line: str) -> None:
    """A line on stderr; when stderr itself cannot be written there is nobody left to tell, and the exit status
    still says it."""
    import contextlib

    from sigdoctor.output import OutputError

    with contextlib.suppress(OSError, ValueError, OutputError):
        print(line, file=sys.stderr)
        sys.stderr.flush()


def _fail_line(line: str) -> None:
    _say(_redactor().display(line.replace("\n", " ")))
    if _state["debug"]:
        import traceback

        _say(_redactor().text(traceback.format_exc()).rstrip("\n"))


# What sigdoctor's own text uses beyond ASCII, for terminals and pipes that cannot show it (PYTHONIOENCODING=ascii,
# LANG=C on old systems): readable stand-ins; anything else (a pasted log's text) becomes a \uXXXX escape.
_ASCII_STAND_INS = {"—": "-", "–": "-", "…": "...", "→": "->", "←": "<-", "×": "x", "✓": "ok", "✗": "x", "·": "-",
                    "•": "*", "‘": "'", "’": "'", "“": '"', "”": '"', "≤": "<=", "≥": ">=", "±": "+/-", "≈": "~"}


def _ascii_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(_ASCII_STAND_INS.get(ch) or ch.encode("ascii", "backslashreplace").decode() for ch in bad), exc.end


def _encodable_output() -> None:
    """stdout/stderr in an encoding that cannot show every character (PYTHONIOENCODING=ascii) get stand-ins
    instead of a UnicodeEncodeError."""
    import codecs

    codecs.register_error("sigdoctor-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        inner = getattr(stream, "inner", stream)  # under the redacting wrapper when main() runs twice in-process
        encoding = str(getattr(inner, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("", "utf8", "utf16", "utf32") and hasattr(inner, "reconfigure"):
            inner.reconfigure(errors="sigdoctor-ascii")


def _internal_error(exc: BaseException) -> int:
    redactor = _redactor()
    import traceback

    text = redactor.text("".join(traceback.format_exception(exc)))
    first = redactor.display(f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__)
    _say(f"sigdoctor: internal error: {first} (a bug; {_crash_log(text)})")
    if _state["debug"]:
        _say(text.rstrip("\n"))
    return ExitStatus.INTERNAL


def _crash_log(text: str) -> str:
    """Where the redacted traceback went. tempfile tries $TMPDIR, /tmp, /var/tmp, /usr/tmp and the working directory;
    when none is writable (a read-only root filesystem) the log is skipped and the line says so."""
    import tempfile  # only on this path

    try:
        fd, path = tempfile.mkstemp(prefix="sigdoctor-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_redactor().text(f"sigdoctor {__version__}\n{text}"))
    except OSError as err:
        return f"no crash log: no writable temporary directory ({err.strerror or err}); rerun with --debug to see it"
    return f"crash log: {path}"


if __name__ == "__main__":
    sys.exit(main())
