"""Where text leaves the process. Every sink goes through the process redactor:

* `install_redacting_streams` wraps sys.stdout and sys.stderr (and their `.buffer`), so print(), logging's
  handlers (botocore's wire log included), warnings, tracebacks and rich all write redacted text;
* `write_text_file` for `--output` reports and crash logs;
* `render` picks the renderer for a format (renderers are pure functions of the already redacted Report).
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sigdoctor.model import Report
from sigdoctor.redact import Redactor, process_redactor

# What may pass to a terminal raw: CSI sequences (colours, rich's live display moving the cursor). Everything else
# that starts a control sequence — OSC (title, clipboard, hyperlinks), DCS, a lone ESC, C1 controls, BEL,
# backspace — is shown as an escape, whoever wrote it.
_UNSAFE = re.compile(r"\x1b(?!\[[0-9;?]*[A-Za-z])|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def _neutralise(s: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)


class OutputError(Exception):
    """stdout or stderr cannot be written (a full disk, an I/O error): the CLI reports it as one line."""

    def __init__(self, stream: str, exc: OSError) -> None:
        super().__init__(f"cannot write to {stream}: {exc.strerror or exc}")
        self.stream = stream


class RedactingStream(io.TextIOBase):
    """A text stream that redacts (and defuses control sequences in) every write before passing it on."""

    def __init__(self, inner: IO[str], redactor: Redactor) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor

    def write(self, s: str) -> int:
        self.redactor.learn(s)
        self.guarded(self.inner.write, _neutralise(self.redactor.text(s)))
        return len(s)

    def guarded(self, op: Any, *args: Any) -> None:
        """Writes and flushes of this stream and its buffer. A reader that went away (`| head -1`, `| true`) is
        not an error: the rest is dropped and the command still ends with its verdict. Any other failure (a full
        disk) is, and must not be lost: OutputError."""
        try:
            op(*args)
        except BrokenPipeError:
            _reader_gone(self.inner)
        except OSError as exc:
            raise OutputError(str(getattr(self.inner, "name", "output")).strip("<>"), exc) from exc

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.guarded(self.inner.flush)

    def close(self) -> None:
        self.inner.close()

    @property
    def closed(self) -> bool:
        return bool(self.inner.closed)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.inner, "encoding", "utf-8") or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def buffer(self) -> _RedactingBinary:
        return _RedactingBinary(self.inner.buffer, self)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _RedactingBinary(io.RawIOBase):
    """`sys.stdout.buffer` for code that writes bytes (or wraps the buffer in its own TextIOWrapper)."""

    def __init__(self, inner: Any, text: RedactingStream) -> None:
        super().__init__()
        self.inner = inner
        self.text = text

    def write(self, b: Any) -> int:
        data = bytes(b)
        enc = self.text.encoding
        clean = _neutralise(self.text.redactor.text(data.decode(enc, "surrogateescape")))
        self.text.guarded(self.inner.write, clean.encode(enc, "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self.text.guarded(self.inner.flush)

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self.inner.fileno())

    def isatty(self) -> bool:
        return bool(self.inner.isatty())


def _reader_gone(stream: Any) -> None:
    # What the stream still buffers, and everything written later, goes to /dev/null: no second EPIPE at the next
    # flush or at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def install_redacting_streams(redactor: Redactor | None = None) -> Redactor:
    """Wrap sys.stdout and sys.stderr (once; a second call only swaps the redactor)."""
    redactor = redactor or process_redactor()
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if current is None:
            continue
        if isinstance(current, RedactingStream):
            current.redactor = redactor
        else:
            setattr(sys, name, RedactingStream(current, redactor))
    return redactor


def write_text_file(path: Path, text: str | Iterable[str], redactor: Redactor | None = None) -> None:
    """A report or log file: redacted with everything the run learned, whatever the renderer already did. `text`
    may come as lines (merge's JSON view of 100,000 hosts, never held whole), each redacted as it is written, like
    the lines written to stdout."""
    r = redactor or process_redactor()
    if isinstance(text, str):
        path.write_text(r.text(text), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8") as f:
        for line in text:
            f.write(r.text(line))


def render(report: Report, fmt: str, *, color: bool, verbose: bool) -> str:
    if fmt == "json":
        from sigdoctor.render.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from sigdoctor.render.markdown import render_markdown

        return render_markdown(report)
    from sigdoctor.render.text import render_text

    return render_text(report, color=color, verbose=verbose)
