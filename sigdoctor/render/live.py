"""Progress while probes run: a transient spinner on stderr ("checking credentials…") that leaves no trace.

It is the runner's observer (`on_start`, `on_finish`). When the console is not an interactive terminal (a pipe,
CI, `--output` into a file with stderr redirected) it does nothing at all, so logs stay clean.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from sigdoctor.model import ProbeResult


class _Named(Protocol):
    @property
    def id(self) -> str: ...


class LiveStatus:
    def __init__(self, console: Console, *, total: int | None = None, enabled: bool | None = None) -> None:
        self._console = console
        self._total = total
        self._done = 0
        self._enabled = (console.is_interactive and not console.is_dumb_terminal) if enabled is None else enabled
        self._spinner = Spinner("dots", style="green")
        self._live: Live | None = None

    @classmethod
    def for_stderr(cls, *, enabled: bool, color: bool, total: int | None = None) -> LiveStatus:
        """The CLI's spinner: on stderr, so stdout stays the report alone (pipes, `--format json`)."""
        console = Console(stderr=True, no_color=not color, highlight=False, markup=False, emoji=False)
        return cls(console, total=total, enabled=enabled and console.is_terminal)

    def _message(self, probe_id: str) -> str:
        count = f" ({self._done + 1}/{self._total})" if self._total else ""
        return f"checking {probe_id}…{count}"

    def on_start(self, probe: _Named) -> None:
        if not self._enabled:
            return
        # Text, not str: rich would read a str as markup.
        self._spinner.update(text=Text(self._message(probe.id)))
        if self._live is None:
            # Transient: the line disappears on close, so the report starts on a clean screen.
            self._live = Live(self._spinner, console=self._console, transient=True, refresh_per_second=12.5,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start(refresh=True)
        else:
            # Show the new probe now rather than at the next tick: fast probes would otherwise never appear.
            self._live.refresh()

    def on_finish(self, result: ProbeResult) -> None:
        self._done += 1

    def close(self) -> None:
        """Stop the spinner and erase it; safe to call more than once."""
        live, self._live = self._live, None
        if live is not None:
            live.stop()

    def __enter__(self) -> LiveStatus:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
