"""Exit codes (computed in exactly one place: the CLI) and the one user-facing error type."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class UsageError(Exception):
    """A usage or input error: shown as one line with a hint, exit 2, no traceback."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        return f"sigdoctor: error: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")
