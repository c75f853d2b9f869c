"""The command line: parse → build Context → run → render → exit code. The only error boundary.

Heavy modules (boto3, botocore, rich rendering) are imported inside the commands so that
`sigdoctor --version` and `--help` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigdoctor import __version__
from sigdoctor.errors import ExitStatus, UsageError

if TYPE_CHECKING:
    from sigdoctor.context import Context
    from sigdoctor.model import Report
    from sigdoctor.redact import Redactor

FORMATS = ("text", "json", "markdown")
DESCRIPTION = "A doctor for AWS request signing: which layer breaks your telemetry agent's SigV4 requests, and the fix."

# Set by the command being run, read by the error boundary.
_state: dict[str, object] = {"debug": False}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting: the error boundary words every error as one line.
    No abbreviated options (`--form`): a script relying on one would break the day another option shares its prefix."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:
        raise UsageError(_argparse_message(message), f"see '{self.prog} --help'")


def _argparse_message(message: str) -> str:
    if message.startswith("argument COMMAND: invalid choice:"):
        bad, _, known = message.split("invalid choice:", 1)[1].partition("(choose from ")
        return f"No such command {bad.strip()} (commands: {known.rstrip(')').replace(chr(39), '')})"
    return message.replace("argument ", "", 1) if message.startswith("argument ") else message


def _color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


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
        from sigdoctor.render.summary import summary_line

        for i, cause in enumerate(report.root_causes[:3], 1):
            print(f"{i}. [{cause.severity.value}] {cause.id} — {cause.title}")
        print(summary_line(report))
        print(f"report written to {output}", file=sys.stderr)
        return
    sys.stdout.write(render(report, fmt or "text", color=color, verbose=verbose))


def _write_output(path: Path, text: str) -> None:
    from sigdoctor.output import write_text_file

    try:
        write_text_file(path, text, _redactor())
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", "choose a writable path") from exc


def _format_for(path: Path) -> str:
    return {".json": "json", ".md": "markdown"}.get(path.suffix.lower(), "text")


def _exit_for(report: Report) -> int:
    return int(ExitStatus.PROBLEMS if report.has_error else ExitStatus.OK)


def run(a: argparse.Namespace) -> int:
    """Diagnose this environment: ordered probes, then ranked root causes and fixes."""
    _setup(a.debug)
    for flag, path in (("--agent-binary", a.agent_binary), ("--agent-config", a.agent_config)):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag} {path}: no such file", f"{flag} takes the path of the agent's "
                             + ("executable" if flag == "--agent-binary" else "configuration file"))
    _check_deadline(a.deadline)
    ctx = _context(
        region=a.region, profile=a.profile, targets=a.target or [], role_arn=a.role_arn, service=a.service,
        vpc_endpoints=a.vpc_endpoints, ntp_servers=a.ntp_server or [], offline=a.offline, deadline_s=a.deadline,
        principal_arn=a.principal_arn, verbose=a.verbose,
    )
    if a.pid is not None:
        from sigdoctor.agent.process import context_for_pid

        ctx = context_for_pid(a.pid, ctx)  # before any ctx.shared[...] below: it copies shared
    if a.agent_binary is not None:
        ctx.shared["agent_binary"] = str(a.agent_binary)
    if a.agent_config is not None:
        ctx.shared["agent_config"] = str(a.agent_config)
    report = _diagnose(ctx, "run", a.only or [], a.skip or [], a.no_color)
    _emit(report, a.format, a.output, _color(a.no_color), a.verbose)
    return _exit_for(report)


def chain(a: argparse.Namespace) -> int:
    """The credential chain alone: every source, its state, which one wins."""
    _setup(a.debug)
    _check_deadline(a.deadline)
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


def checks(a: argparse.Namespace) -> int:
    """List the probes and the root causes sigdoctor knows."""
    from sigdoctor.listing import render_checks

    sys.stdout.write(render_checks(a.format or "text"))
    return ExitStatus.OK


def explain(a: argparse.Namespace) -> int:
    """Print the documentation page of one root cause."""
    from sigdoctor.listing import cause_page

    sys.stdout.write(cause_page(a.cause_id))
    return ExitStatus.OK


def decode(a: argparse.Namespace) -> int:
    """Offline: explain the AWS errors found in pasted logs, HTTP bodies or SDK debug output."""
    from sigdoctor.context import Context
    from sigdoctor.decode import decode_report

    _setup(a.debug)
    ctx = Context(offline=True, redactor=_redactor())
    report = decode_report(sys.stdin.buffer if a.source == "-" else Path(a.source), client=a.client, ctx=ctx)
    _emit(report, a.format, a.output, _color(a.no_color), a.verbose)
    return _exit_for(report)


def merge(a: argparse.Namespace) -> int:
    """Aggregate many JSON reports (a fleet) into one view: causes × hosts."""
    from sigdoctor.merge import merge_command

    _setup(a.debug)
    text, code = merge_command(a.reports, a.format or "text", _color(a.no_color) and a.output is None)
    if a.output is not None:
        _write_output(a.output, text)
        print(f"report written to {a.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return int(code)


def sign(a: argparse.Namespace) -> int:
    """What a correct SigV4 signer produces for a raw HTTP request."""
    import json

    from sigdoctor.signing import sign_file

    _setup(a.debug)
    result, access_key = sign_file(a.request, region=a.region, service=a.service, timestamp=a.time, s3=a.s3,
                                   profile=a.profile, redactor=_redactor())
    from sigdoctor.sigv4.signer import render_sign_text

    redactor = _redactor()
    # The signature is the product of `sign` and stays; the access key id is shown masked like everywhere else.
    redactor.allow(result.signature)
    redactor.add_key_id(access_key)
    text = json.dumps(result.to_dict(), indent=2) + "\n" if a.format == "json" else render_sign_text(result)
    sys.stdout.write(redactor.display(text))
    return ExitStatus.OK


def _common(p: argparse.ArgumentParser, *, formats: tuple[str, ...] = FORMATS, output: bool = True,
            verbose: bool = True) -> None:
    p.add_argument("--format", choices=formats, help=" | ".join(formats) + " (default: text)")
    if output:
        p.add_argument("--output", "-o", type=Path, metavar="FILE",
                       help="write the full report to FILE; the terminal gets the summary")
        p.add_argument("--no-color", action="store_true", help="no colour (NO_COLOR is honoured too)")
    if verbose:
        p.add_argument("--verbose", "-v", action="store_true", help="show every finding")
    p.add_argument("--debug", action="store_true", help="tracebacks and debug logging (still redacted)")


def _command(sub: Any, fn: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    doc = (fn.__doc__ or "").strip()
    p: argparse.ArgumentParser = sub.add_parser(fn.__name__, help=doc, description=doc)
    p.set_defaults(handler=fn)
    return p


def parser() -> argparse.ArgumentParser:
    """The whole command line; building it costs ~2 ms, so it is built per call and never imports a probe."""
    top = _Parser(prog="sigdoctor", description=DESCRIPTION)
    top.add_argument("--version", action="version", version=f"sigdoctor {__version__}", help="print the version")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _command(sub, run)
    p.add_argument("--target", action="append", metavar="URL", help="URL (or ARN) the agent sends to (repeatable)")
    p.add_argument("--region", help="the region the agent signs for (sigv4.region)")
    p.add_argument("--profile", help="AWS profile to diagnose")
    p.add_argument("--role-arn", metavar="ARN", help="role the agent assumes (sigv4.role_arn)")
    p.add_argument("--service", help="signing name override")
    p.add_argument("--pid", metavar="PID|auto", help="diagnose with that process's environment")
    p.add_argument("--vpc-endpoints", action="store_true", help="AWS must be reached via VPC endpoints")
    p.add_argument("--ntp-server", action="append", metavar="HOST[:PORT]", help="NTP server (repeatable)")
    p.add_argument("--only", action="append", metavar="PROBE", help="run only this probe (repeatable)")
    p.add_argument("--skip", action="append", metavar="PROBE", help="skip this probe (repeatable)")
    p.add_argument("--deadline", type=float, default=20.0, metavar="SECONDS",
                   help="seconds for the whole run (default: 20)")
    p.add_argument("--offline", action="store_true", help="send nothing over the network")
    p.add_argument("--principal-arn", metavar="ARN", help="simulate IAM for this ARN")
    p.add_argument("--agent-binary", type=Path, metavar="PATH", help="the agent's executable")
    p.add_argument("--agent-config", type=Path, metavar="FILE", help="the agent's configuration file")
    _common(p)

    p = _command(sub, chain)
    p.add_argument("--profile", help="AWS profile to diagnose")
    p.add_argument("--region", help="region for STS calls made by role sources")
    p.add_argument("--offline", action="store_true", help="do not contact IMDS or container endpoints")
    p.add_argument("--pid", metavar="PID|auto", help="diagnose with that process's environment")
    p.add_argument("--deadline", type=float, default=20.0, metavar="SECONDS",
                   help="seconds for the whole run (default: 20)")
    _common(p)

    p = _command(sub, decode)
    p.add_argument("source", nargs="?", default="-", metavar="FILE|-",
                   help="log file, HTTP body or SDK debug output; - = stdin (default)")
    p.add_argument("--client", type=Path, metavar="FILE", help="the client's own canonical request, to diff")
    _common(p)

    p = _command(sub, sign)
    p.add_argument("--request", type=Path, required=True, metavar="FILE",
                   help="raw HTTP/1.1 request file (AWS SigV4 test suite .req format)")
    p.add_argument("--region", help="signing region (default: AWS_REGION / the profile's region)")
    p.add_argument("--service", help="signing name, e.g. aps, logs, s3, es")
    p.add_argument("--time", metavar="YYYYMMDDTHHMMSSZ", help="signing time (default: now)")
    p.add_argument("--s3", action="store_true", help="S3 rules: no path normalisation, x-amz-content-sha256")
    p.add_argument("--profile", help="AWS profile whose credentials sign")
    _common(p, formats=("text", "json"), output=False, verbose=False)

    p = _command(sub, merge)
    p.add_argument("reports", nargs="+", metavar="REPORT", help="JSON reports: files, folders, or - (stdin, one per line)")
    _common(p, verbose=False)

    p = _command(sub, explain)
    p.add_argument("cause_id", metavar="CAUSE_ID", help="a root-cause id, e.g. clock-skew")

    p = _command(sub, checks)
    p.add_argument("--format", choices=FORMATS, help=" | ".join(FORMATS) + " (default: text)")
    return top


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
    try:
        _setup(False)  # every sink redacts from the first byte, usage errors included
        cli = parser()
        try:
            # parse_known_args: unknown options come back here (named one at a time, with the command's --help)
            # instead of argparse's "unrecognized arguments" list.
            ns, extra = cli.parse_known_args(args)
            if extra:
                where = f"sigdoctor {ns.command}" if getattr(ns, "command", None) else "sigdoctor"
                kind = "No such option" if extra[0].startswith("-") else "Unexpected argument"
                raise UsageError(f"{kind}: {extra[0]}", f"see '{where} --help'")
        except SystemExit as exc:  # --help and --version print and "exit" inside argparse
            return int(exc.code or 0)
        if getattr(ns, "handler", None) is None:
            cli.print_help()
            return ExitStatus.OK
        return int(ns.handler(ns))
    except UsageError as exc:
        _fail_line(exc.line())
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("\nsigdoctor: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _internal_error(exc)


def _redactor() -> Redactor:
    from sigdoctor.redact import process_redactor

    return process_redactor()


def _fail_line(line: str) -> None:
    print(_redactor().display(line.replace("\n", " ")), file=sys.stderr)
    if _state["debug"]:
        import traceback

        traceback.print_exc()


def _internal_error(exc: BaseException) -> int:
    redactor = _redactor()
    import traceback

    text = redactor.text("".join(traceback.format_exception(exc)))
    import tempfile  # only on this path: ~4 ms of imports a healthy run does not need

    fd, path = tempfile.mkstemp(prefix="sigdoctor-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(redactor.text(f"sigdoctor {__version__}\n{text}"))
    first = redactor.display(f"{type(exc).__name__}: {exc}".splitlines()[0])
    print(f"sigdoctor: internal error: {first} (a bug; crash log: {path})", file=sys.stderr)
    if _state["debug"]:
        print(text, file=sys.stderr)
    return ExitStatus.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
