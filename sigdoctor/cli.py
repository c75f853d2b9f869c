"""The command line: parse → build Context → run → render → exit code. The only error boundary.

Heavy modules (boto3, botocore, dnspython, rich rendering) are imported inside the commands so that
`sigdoctor --version` and `--help` start fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from sigdoctor import __version__
from sigdoctor.errors import ExitStatus, UsageError

if TYPE_CHECKING:
    from sigdoctor.context import Context
    from sigdoctor.model import Report
    from sigdoctor.redact import Redactor


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="A doctor for AWS request signing: which layer breaks your telemetry agent's SigV4 requests, and the fix.",
)

# Set by the command being run, read by the error boundary.
_state: dict[str, object] = {"debug": False}

FormatOpt = Annotated[Format | None, typer.Option("--format", help="text | json | markdown (default: text)")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="write the full report to FILE; the terminal gets the summary")
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="no colour (NO_COLOR is honoured too)")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="show every finding")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="tracebacks and debug logging (still redacted)")]


def _version_callback(value: bool) -> None:
    if value:
        print(f"sigdoctor {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="print the version")
    ] = False,
) -> None:
    """sigdoctor — diagnose AWS SigV4 failures of telemetry agents."""


def _color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _setup(debug: bool) -> None:
    from sigdoctor.redact import Redactor

    _state["debug"] = debug
    # One registry for the whole process: probes, debug logs and the error boundary all scrub with it.
    _state["redactor"] = Redactor()
    if debug:
        import logging

        from sigdoctor.logs import install_redacting_handler

        install_redacting_handler(logging.DEBUG, _redactor())


def _emit(report: Report, fmt: Format | None, output: Path | None, color: bool, verbose: bool) -> None:
    from sigdoctor.output import render

    if output is not None:
        file_fmt = fmt or _format_for(output)
        _write_output(output, render(report, file_fmt.value, color=False, verbose=True))
        # The terminal still gets the short summary: the top causes and the one-line verdict.
        from sigdoctor.render.summary import summary_line

        for i, cause in enumerate(report.root_causes[:3], 1):
            print(f"{i}. [{cause.severity.value}] {cause.id} — {cause.title}")
        print(summary_line(report))
        print(f"report written to {output}", file=sys.stderr)
        return
    sys.stdout.write(render(report, (fmt or Format.TEXT).value, color=color, verbose=verbose))


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", "choose a writable path") from exc


def _format_for(path: Path) -> Format:
    return {".json": Format.JSON, ".md": Format.MARKDOWN}.get(path.suffix.lower(), Format.TEXT)


def _exit_for(report: Report) -> NoReturn:
    raise typer.Exit(int(ExitStatus.PROBLEMS if report.has_error else ExitStatus.OK))


@app.command()
def run(
    target: Annotated[list[str] | None, typer.Option("--target", help="URL (or ARN) the agent sends to")] = None,
    region: Annotated[str | None, typer.Option(help="the region the agent signs for (sigv4.region)")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile to diagnose")] = None,
    role_arn: Annotated[str | None, typer.Option("--role-arn", help="role the agent assumes (sigv4.role_arn)")] = None,
    service: Annotated[str | None, typer.Option(help="signing name override")] = None,
    pid: Annotated[str | None, typer.Option(help="diagnose with that process's environment (PID or auto)")] = None,
    vpc_endpoints: Annotated[bool, typer.Option("--vpc-endpoints", help="AWS must be reached via VPC endpoints")] = False,
    ntp_server: Annotated[list[str] | None, typer.Option("--ntp-server", help="NTP server HOST[:PORT]")] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="run only this probe (repeatable)")] = None,
    skip: Annotated[list[str] | None, typer.Option("--skip", help="skip this probe (repeatable)")] = None,
    deadline: Annotated[float, typer.Option(help="seconds for the whole run")] = 20.0,
    offline: Annotated[bool, typer.Option("--offline", help="send nothing over the network")] = False,
    principal_arn: Annotated[str | None, typer.Option("--principal-arn", help="simulate IAM for this ARN")] = None,
    agent_binary: Annotated[Path | None, typer.Option("--agent-binary", help="the agent's executable")] = None,
    agent_config: Annotated[Path | None, typer.Option("--agent-config", help="the agent's configuration file")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Diagnose this environment: ordered probes, then ranked root causes and fixes."""
    _setup(debug)
    for flag, path in (("--agent-binary", agent_binary), ("--agent-config", agent_config)):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag} {path}: no such file", f"{flag} takes the path of the agent's "
                             + ("executable" if flag == "--agent-binary" else "configuration file"))
    _check_deadline(deadline)
    ctx = _context(
        region=region, profile=profile, targets=target or [], role_arn=role_arn, service=service,
        vpc_endpoints=vpc_endpoints, ntp_servers=ntp_server or [], offline=offline, deadline_s=deadline,
        principal_arn=principal_arn, verbose=verbose,
    )
    if pid is not None:
        from sigdoctor.agent.process import context_for_pid

        ctx = context_for_pid(pid, ctx)  # before any ctx.shared[...] below: it copies shared
    if agent_binary is not None:
        ctx.shared["agent_binary"] = str(agent_binary)
    if agent_config is not None:
        ctx.shared["agent_config"] = str(agent_config)
    report = _diagnose(ctx, "run", only or [], skip or [], no_color)
    _emit(report, fmt, output, _color(no_color), verbose)
    _exit_for(report)


@app.command()
def chain(
    profile: Annotated[str | None, typer.Option(help="AWS profile to diagnose")] = None,
    region: Annotated[str | None, typer.Option(help="region for STS calls made by role sources")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="do not contact IMDS or container endpoints")] = False,
    pid: Annotated[str | None, typer.Option(help="diagnose with that process's environment (PID or auto)")] = None,
    deadline: Annotated[float, typer.Option(help="seconds for the whole run")] = 20.0,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The credential chain alone: every source, its state, which one wins."""
    _setup(debug)
    _check_deadline(deadline)
    ctx = _context(region=region, profile=profile, offline=offline, deadline_s=deadline, verbose=verbose)
    if pid is not None:
        from sigdoctor.agent.process import context_for_pid

        ctx = context_for_pid(pid, ctx)
    report = _diagnose(ctx, "chain", ["credentials"], [], no_color)
    color = _color(no_color)
    if fmt in (None, Format.TEXT) and output is None:
        from sigdoctor.render.chain import render_chain_text

        sys.stdout.write(render_chain_text(report, color=color))
    elif fmt is Format.MARKDOWN and output is None:
        from sigdoctor.render.chain import render_chain_markdown

        sys.stdout.write(render_chain_markdown(report))
    else:
        _emit(report, fmt, output, color, verbose)
    _exit_for(report)


@app.command()
def checks(fmt: FormatOpt = None) -> None:
    """List the probes and the root causes sigdoctor knows."""
    from sigdoctor.listing import render_checks

    sys.stdout.write(render_checks((fmt or Format.TEXT).value))


@app.command()
def explain(
    cause_id: Annotated[str, typer.Argument(metavar="CAUSE_ID", help="a root-cause id, e.g. clock-skew")],
) -> None:
    """Print the documentation page of one root cause."""
    from sigdoctor.listing import cause_page

    sys.stdout.write(cause_page(cause_id))


@app.command()
def decode(
    source: Annotated[str, typer.Argument(metavar="[FILE|-]", help="log file, HTTP body or SDK debug output; - = stdin")] = "-",
    client: Annotated[Path | None, typer.Option("--client", help="the client's own canonical request, to diff")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Offline: explain the AWS errors found in pasted logs, HTTP bodies or SDK debug output."""
    from sigdoctor.context import Context
    from sigdoctor.decode import decode_report

    _setup(debug)
    ctx = Context(offline=True, redactor=_redactor())
    report = decode_report(sys.stdin.buffer if source == "-" else Path(source), client=client, ctx=ctx)
    _emit(report, fmt, output, _color(no_color), verbose)
    _exit_for(report)


@app.command()
def merge(
    reports: Annotated[list[str], typer.Argument(metavar="REPORT…", help="JSON reports: files, folders, or - (stdin, one per line)")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Aggregate many JSON reports (a fleet) into one view: causes × hosts."""
    from sigdoctor.merge import merge_command

    _setup(debug)
    text, code = merge_command(reports, (fmt or Format.TEXT).value, _color(no_color) and output is None)
    if output is not None:
        _write_output(output, text)
        print(f"report written to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    raise typer.Exit(code)


class SignFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def sign(
    request: Annotated[Path, typer.Option("--request", help="raw HTTP/1.1 request file (AWS SigV4 test suite .req format)")],
    region: Annotated[str | None, typer.Option(help="signing region (default: AWS_REGION / the profile's region)")] = None,
    service: Annotated[str | None, typer.Option(help="signing name, e.g. aps, logs, s3, es")] = None,
    time_: Annotated[str | None, typer.Option("--time", help="YYYYMMDDTHHMMSSZ (default: now)")] = None,
    s3: Annotated[bool, typer.Option("--s3", help="S3 rules: no path normalisation, x-amz-content-sha256")] = False,
    profile: Annotated[str | None, typer.Option(help="AWS profile whose credentials sign")] = None,
    fmt: Annotated[SignFormat | None, typer.Option("--format", help="text | json")] = None,
    debug: DebugOpt = False,
) -> None:
    """What a correct SigV4 signer produces for a raw HTTP request."""
    import json

    from sigdoctor.signing import sign_file

    _setup(debug)
    result, access_key = sign_file(request, region=region, service=service, timestamp=time_, s3=s3, profile=profile,
                       redactor=_redactor())
    from sigdoctor.redact import mask_key_id
    from sigdoctor.sigv4.signer import render_sign_text

    text = json.dumps(result.to_dict(), indent=2) + "\n" if fmt is SignFormat.JSON else render_sign_text(result)
    # The signature is the product of `sign` and stays; the access key id is shown masked like everywhere else.
    sys.stdout.write(text.replace(access_key, mask_key_id(access_key)) if access_key else text)


def _check_deadline(deadline: float) -> None:
    if deadline <= 0:
        raise UsageError(f"--deadline must be positive, got {deadline:g}", "e.g. --deadline 20")


def _context(**fields: Any) -> Context:
    """A Context from the command's options (Context field names), with the process-wide redactor."""
    from sigdoctor.context import Context

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
    from sigdoctor.agent.process import agent_environment
    from sigdoctor.doctor import run_report
    from sigdoctor.probes import PROBES

    live_on = sys.stderr.isatty() and not _state["debug"]
    try:
        with agent_environment(ctx), _live(live_on, _color(no_color)) as live:
            return run_report(ctx, PROBES, command=command, only=only, skip=skip, observer=live)
    except ValueError as exc:
        if str(exc).startswith("unknown probe"):
            raise UsageError(str(exc), "sigdoctor checks lists the probes") from exc
        raise


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the process exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        # Fast path: no typer, no click — the cold start users see most.
        print(f"sigdoctor {__version__}")
        return 0
    cx = _click_exceptions()
    try:
        rv = app(args=args, prog_name="sigdoctor", standalone_mode=False)
    except UsageError as exc:
        _fail_line(exc.line())
        return ExitStatus.USAGE
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return ExitStatus.INTERRUPTED
    except cx.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            print(exc.ctx.get_help())
            return ExitStatus.OK
        where = f"sigdoctor {exc.ctx.info_name} --help" if exc.ctx and exc.ctx.parent else "sigdoctor --help"
        _fail_line(f"sigdoctor: error: {_one_line(exc.format_message())} (hint: see '{where}')")
        return ExitStatus.USAGE
    except cx.ClickException as exc:
        _fail_line(f"sigdoctor: error: {_one_line(exc.format_message())}")
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("\nsigdoctor: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _internal_error(exc)
    # standalone_mode=False hands back the exit code of typer.Exit raised inside a command.
    return rv if isinstance(rv, int) else 0


def _click_exceptions() -> Any:
    """Typer >= 0.25 vendors click as typer._click; older typer uses click itself."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - depends on the installed typer
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def _redactor() -> Redactor:
    from sigdoctor.redact import Redactor

    r = _state.get("redactor")
    return r if isinstance(r, Redactor) else Redactor()


def _one_line(message: str) -> str:
    # Typer's choice validation speaks pydantic ("Value error, 'yaml' is not one of ..."): keep the useful part.
    return message.replace("Value error, ", "").strip().rstrip(".")


def _fail_line(line: str) -> None:
    print(_redactor().text(line.replace("\n", " ")), file=sys.stderr)
    if _state["debug"]:
        traceback.print_exc()


def _internal_error(exc: BaseException) -> int:
    redactor = _redactor()
    text = redactor.text("".join(traceback.format_exception(exc)))
    fd, path = tempfile.mkstemp(prefix="sigdoctor-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"sigdoctor {__version__}\n{text}")
    first = redactor.text(f"{type(exc).__name__}: {exc}".splitlines()[0])
    print(f"sigdoctor: internal error: {first} (a bug; crash log: {path})", file=sys.stderr)
    if _state["debug"]:
        print(text, file=sys.stderr)
    return ExitStatus.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
