"""`sigdoctor decode`: explain the AWS errors in pasted logs, HTTP bodies and SDK debug output.

Importing this package costs nothing: `entry.py` imports `decode.early` (the scanner and its tail child) before the
CLI, and that must not pull in the readings. `decode_report` imports the pipeline when it is called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from sigdoctor.context import Context
    from sigdoctor.model import Report
    from sigdoctor.timed_input import ReadDeadline

__all__ = ["DECODE_PROBE", "EMITS", "decode_report"]


def __getattr__(name: str) -> Any:
    if name in ("DECODE_PROBE", "EMITS"):
        from sigdoctor.decode import probe

        return getattr(probe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def decode_report(source: BinaryIO | Path, *, client: Path | None, ctx: Context,
                  deadline: ReadDeadline | None = None) -> Report:
    """Decode `source` (a file path or a binary stream such as stdin) into the SPEC report (`command: decode`).

    Raises `UsageError` when the input (or `--client`) cannot be read at all; anything readable, even empty,
    yields a report. `deadline`: a pipe (stdin, a FIFO) still open when it passes counts as ended, and the report
    says so (`decode.diagnosis-incomplete`).
    """
    import dataclasses

    from sigdoctor.decode.client import load_client
    from sigdoctor.decode.decoder import decode_stream
    from sigdoctor.decode.probe import returning
    from sigdoctor.doctor import run_report  # the runner pulls in the probe registry; not needed for a usage error
    from sigdoctor.errors import UsageError

    client_signing = load_client(client) if client is not None else None
    if isinstance(source, Path):
        try:
            with source.open("rb") as stream:
                outcome = decode_stream(stream, client=client_signing, redactor=ctx.redactor, deadline=deadline)
        except IsADirectoryError:
            raise UsageError(f"{source} is a directory", "pass a log file, or - for stdin") from None
        except FileNotFoundError:
            raise UsageError(f"{source}: no such file", "pass a log file, or - for stdin") from None
        except PermissionError:
            raise UsageError(f"{source}: permission denied", "run as a user who can read it, or pipe it in") from None
        except OSError as exc:
            raise UsageError(f"{source}: {exc.strerror or exc}", "pass a readable log file") from None
    else:
        outcome = decode_stream(source, client=client_signing, redactor=ctx.redactor, deadline=deadline)
    # The deadline bounds network work; decode sends nothing, so a long read must not use it up.
    run_ctx = dataclasses.replace(ctx, offline=True, started_monotonic=ctx.monotonic())
    return run_report(run_ctx, [returning(outcome)], command="decode")
