"""The command line as typer declares it: every command's options, their help and their types.

Imported only when the arguments need typer's parser (cli.main): `sigdoctor decode FILE` with plain options is read
by cli.py's own few lines, which give the handler the same options this declaration would (tests/core/test_cli_fast.py
compares the two for each option), without typer, click and their imports (~40 ms of every decode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from sigdoctor import __version__, cli

# ---- the command line (typer) -------------------------------------------------------------------------------------
# Each command below only declares its options; the handler above does the work with them. Option types are checked
# by typer; everything a user can get wrong becomes one line (see main()).

Fmt = Literal["text", "json", "markdown"]
FormatOpt = Annotated[Fmt | None, typer.Option("--format", help="report format (default: text)",
                                               show_default=False)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", dir_okay=False,
                                                help="write the full report to FILE; the terminal gets the summary")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="no colour (NO_COLOR and TERM=dumb are honoured too)")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="show every finding")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="tracebacks and debug logging (still redacted)")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", metavar="NAME", help="AWS profile to diagnose")]
PidOpt = Annotated[str | None, typer.Option("--pid", metavar="PID|auto",
                                            help="diagnose with that process's environment")]


def deadline_seconds(value: str) -> float:
    """--deadline, read by `cli.seconds_or_problem` (a finite number of seconds above zero); what is wrong with it, in typer's
    terms."""
    seconds = cli.seconds_or_problem(value)
    if isinstance(seconds, str):
        raise typer.BadParameter(seconds)
    return seconds


DeadlineOpt = Annotated[float, typer.Option("--deadline", metavar="SECONDS", parser=deadline_seconds,
                                            help="seconds for the whole run")]


def build_app(only: str | None = None) -> typer.Typer:
    """The whole command line. Built per call; it imports no probe, so `--help` costs typer and rich alone.
    `only`: the command being run is the only one typer turns into a click command (inspecting each command's
    signature and building its options costs ~1.5 ms a command); the group around it stays the same."""
    app = typer.Typer(name="sigdoctor", help=cli.DESCRIPTION, add_completion=True, rich_markup_mode="rich",
                      pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]})

    @app.callback()
    def _top(version: Annotated[bool, typer.Option("--version", is_eager=True, help="print the version")] = False,
             ) -> None:
        if version:
            print(f"sigdoctor {__version__}")
            raise typer.Exit(0)

    @app.command("run", help=cli.run.__doc__)
    def _run(
        target: Annotated[list[str] | None, typer.Option(
            "--target", metavar="URL", help="URL (or ARN) the agent sends to (repeatable)")] = None,
        region: Annotated[str | None, typer.Option(
            "--region", metavar="REGION", help="the region the agent signs for (sigv4.region)")] = None,
        profile: ProfileOpt = None,
        role_arn: Annotated[str | None, typer.Option("--role-arn", metavar="ARN",
                                                        help="role the agent assumes (sigv4.role_arn)")] = None,
        service: Annotated[str | None, typer.Option("--service", metavar="NAME", help="signing name override")] = None,
        pid: PidOpt = None,
        vpc_endpoints: Annotated[bool, typer.Option("--vpc-endpoints",
                                                    help="AWS must be reached via VPC endpoints")] = False,
        ntp_server: Annotated[list[str] | None, typer.Option("--ntp-server", metavar="HOST[:PORT]",
                                                                help="NTP server (repeatable)")] = None,
        only: Annotated[list[str] | None, typer.Option("--only", metavar="PROBE",
                                                          help="run only this probe (repeatable)")] = None,
        skip: Annotated[list[str] | None, typer.Option("--skip", metavar="PROBE",
                                                          help="skip this probe (repeatable)")] = None,
        deadline: DeadlineOpt = 20.0,
        offline: Annotated[bool, typer.Option("--offline", help="send nothing over the network")] = False,
        principal_arn: Annotated[str | None, typer.Option("--principal-arn", metavar="ARN",
                                                             help="simulate IAM for this ARN")] = None,
        agent_binary: Annotated[Path | None, typer.Option("--agent-binary", metavar="PATH",
                                                             help="the agent's executable")] = None,
        agent_config: Annotated[Path | None, typer.Option("--agent-config", metavar="FILE",
                                                             help="the agent's configuration file")] = None,
        format: FormatOpt = None, output: OutputOpt = None, no_color: NoColorOpt = False,
        verbose: VerboseOpt = False, debug: DebugOpt = False,
    ) -> int:
        return cli._call(cli.run, locals())

    @app.command("chain", help=cli.chain.__doc__)
    def _chain(
        profile: ProfileOpt = None,
        region: Annotated[str | None, typer.Option(
            "--region", metavar="REGION", help="region for STS calls made by role sources")] = None,
        offline: Annotated[bool, typer.Option("--offline",
                                              help="do not contact IMDS or container endpoints")] = False,
        pid: PidOpt = None,
        deadline: DeadlineOpt = 20.0,
        format: FormatOpt = None, output: OutputOpt = None, no_color: NoColorOpt = False,
        verbose: VerboseOpt = False, debug: DebugOpt = False,
    ) -> int:
        return cli._call(cli.chain, locals())

    @app.command("decode", help=cli.decode.__doc__)
    def _decode(
        source: Annotated[str, typer.Argument(metavar="FILE|-", show_default=False,
                                              help="log file, HTTP body or SDK debug output; - = stdin (default)")
                          ] = "-",
        client: Annotated[Path | None, typer.Option("--client", metavar="FILE",
                                                       help="the client's own canonical request, to diff")] = None,
        deadline: Annotated[float, typer.Option(
            "--deadline", metavar="SECONDS", parser=deadline_seconds,
            help="stop reading a pipe still open after SECONDS (kubectl logs -f): report what was read, exit 1")
                            ] = 60.0,
        format: FormatOpt = None, output: OutputOpt = None, no_color: NoColorOpt = False,
        verbose: VerboseOpt = False, debug: DebugOpt = False,
    ) -> int:
        return cli._call(cli.decode, locals())

    @app.command("sign", help=cli.sign.__doc__)
    def _sign(
        request: Annotated[Path, typer.Option("--request", metavar="FILE", show_default=False,
                                              help="raw HTTP/1.1 request file (AWS SigV4 test suite .req format)")],
        region: Annotated[str | None, typer.Option(
            "--region", metavar="REGION", help="signing region (default: AWS_REGION / the profile's region)")] = None,
        service: Annotated[str | None, typer.Option(
            "--service", metavar="NAME", help="signing name, e.g. aps, logs, s3, es")] = None,
        time: Annotated[str | None, typer.Option("--time", metavar="YYYYMMDDTHHMMSSZ",
                                                    help="signing time (default: now)")] = None,
        s3: Annotated[bool, typer.Option("--s3", help="S3 rules: no path normalisation, x-amz-content-sha256")
                      ] = False,
        profile: Annotated[str | None, typer.Option(
            "--profile", metavar="NAME", help="AWS profile whose credentials sign")] = None,
        deadline: Annotated[float, typer.Option("--deadline", metavar="SECONDS", parser=deadline_seconds,
                                                help="seconds to find credentials")] = 20.0,
        format: Annotated[Literal["text", "json"] | None, typer.Option(
            "--format", help="output format (default: text)", show_default=False)] = None,
        debug: DebugOpt = False,
    ) -> int:
        return cli._call(cli.sign, locals())

    @app.command("merge", help=cli.merge.__doc__)
    def _merge(
        reports: Annotated[list[str], typer.Argument(metavar="REPORT...", show_default=False,
                                                     help="JSON reports: files, folders, or - (stdin, one per line)")],
        deadline: Annotated[float, typer.Option(
            "--deadline", metavar="SECONDS", parser=deadline_seconds,
            help="stop reading a pipe still open after SECONDS: merge what arrived, exit 1")] = 60.0,
        format: FormatOpt = None, output: OutputOpt = None, no_color: NoColorOpt = False, debug: DebugOpt = False,
    ) -> int:
        return cli._call(cli.merge, locals())

    @app.command("explain", help=cli.explain.__doc__)
    def _explain(
        cause_id: Annotated[str, typer.Argument(metavar="CAUSE_ID", show_default=False,
                                                help="a root-cause id, e.g. clock-skew")],
    ) -> int:
        return cli._call(cli.explain, locals())

    @app.command("checks", help=cli.checks.__doc__)
    def _checks(format: FormatOpt = None) -> int:
        return cli._call(cli.checks, locals())

    if only is not None:
        app.registered_commands = [c for c in app.registered_commands if c.name == only]
    return app
