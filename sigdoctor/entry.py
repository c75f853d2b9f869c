"""Console-script entry point. Kept import-free so `sigdoctor --version` costs a bare interpreter start."""

from __future__ import annotations

import contextlib
import os
import sys
import time

# The run's --deadline counts from here, so start-up (imports) is inside it, as a user timing the command sees it.
STARTED = time.monotonic()


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        from sigdoctor import __version__

        print(f"sigdoctor {__version__}")
        return 0
    if sys.argv[1:2] in (["run"], ["chain"]):
        import gc

        # A diagnosis is short (bounded by --deadline) and allocates mostly long-lived module and botocore data:
        # the cyclic collector only costs time here (~110 ms of a ~700 ms run). `decode` keeps it: it streams
        # logs of any size.
        gc.disable()
    from sigdoctor.cli import main as cli_main

    code = cli_main()
    _exit_now(code)
    return code  # pragma: no cover - _exit_now does not return


def _exit_now(code: int) -> None:
    """Exit without the interpreter's teardown: after a run it spends ~80 ms freeing botocore's models and a few
    hundred modules, and joining probe threads that a deadline abandoned. Everything the command wrote is flushed
    first; the operating system closes the rest."""
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (`| head`) or a closed stream: nothing left to save.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
