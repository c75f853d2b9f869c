"""The progress spinner: visible on an interactive terminal, silent anywhere else, always cleaned up."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sigdoctor.model import ProbeResult, Status
from sigdoctor.probes.base import not_implemented
from sigdoctor.render.live import LiveStatus

CREDENTIALS = not_implemented("credentials", "Credentials")
IDENTITY = not_implemented("identity", "Identity")
SHOW_CURSOR = "\x1b[?25h"


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=terminal, force_interactive=terminal, width=80), buf


def _result(probe_id: str) -> ProbeResult:
    return ProbeResult(probe_id, probe_id, Status.PASS, "ok", 1)


def test_shows_the_probe_being_checked_and_progress() -> None:
    console, buf = _console(terminal=True)
    with LiveStatus(console, total=7) as live:
        live.on_start(CREDENTIALS)
        live.on_finish(_result("credentials"))
        live.on_start(IDENTITY)
        live.on_finish(_result("identity"))
    out = buf.getvalue()
    assert "checking credentials… (1/7)" in out
    assert "checking identity… (2/7)" in out
    assert out.endswith("\x1b[2K")  # the spinner line is erased: nothing left above the report
    assert SHOW_CURSOR in out


def test_silent_when_not_a_terminal() -> None:
    console, buf = _console(terminal=False)
    live = LiveStatus(console)
    live.on_start(CREDENTIALS)
    live.on_finish(_result("credentials"))
    live.close()
    assert buf.getvalue() == ""


def test_disabled_explicitly() -> None:
    console, buf = _console(terminal=True)
    with LiveStatus(console, enabled=False) as live:
        live.on_start(CREDENTIALS)
    assert buf.getvalue() == ""


def test_close_twice_and_close_without_start_are_harmless() -> None:
    console, buf = _console(terminal=True)
    LiveStatus(console).close()
    live = LiveStatus(console)
    live.on_start(CREDENTIALS)
    live.close()
    written = buf.getvalue()
    live.close()
    assert buf.getvalue() == written


def test_an_exception_inside_stops_the_spinner_and_propagates() -> None:
    console, buf = _console(terminal=True)
    with pytest.raises(RuntimeError, match="boom"), LiveStatus(console) as live:
        live.on_start(CREDENTIALS)
        raise RuntimeError("boom")
    written = buf.getvalue()
    assert SHOW_CURSOR in written and written.endswith("\x1b[2K")
    live.close()
    assert buf.getvalue() == written


def test_for_stderr_is_off_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with LiveStatus.for_stderr(enabled=True, color=False) as live:
        live.on_start(CREDENTIALS)
    assert capsys.readouterr().err == ""
