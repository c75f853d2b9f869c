"""Console-script entry point. Kept import-free so `sigdoctor --version` costs a bare interpreter start."""

from __future__ import annotations

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

    return cli_main()
