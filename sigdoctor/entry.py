"""Console-script entry point. Kept import-free so `sigdoctor --version` costs a bare interpreter start."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        from sigdoctor import __version__

        print(f"sigdoctor {__version__}")
        return 0
    from sigdoctor.cli import main as cli_main

    return cli_main()
