"""Strings from reports as the fleet view may show them: redacted, and with control characters made visible.

Reports are redacted when sigdoctor writes them, but merge reads what it is given: a hand-edited report, another
tool's JSON, a log line. Every string taken from one passes through here before it reaches a view. Redaction
happens before rendering because the text view folds long cells over several lines, and a token cut in two no
longer looks like a token to a redactor run over the finished output. Control characters (ESC/CSI/OSC
sequences, C1 controls, bidirectional overrides) become escapes like `\\x1b`, so a report cannot drive the
terminal or reorder what the reader sees.
"""

from __future__ import annotations

import re

from sigdoctor.redact import Redactor

# Unlike redact.visible (which keeps tab and newline for multi-line text), every field here is one line: a
# newline in a host name would break a table row or a Markdown cell.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(s: str) -> str:
    return _CONTROL.sub(_escape, s) if _CONTROL.search(s) else s


class Cleaner:
    """redact + visible, remembering the answers for strings that repeat across a fleet (cause ids, titles)."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor or Redactor()
        self._seen: dict[str, str] = {}

    def __call__(self, s: str) -> str:
        return visible(self.redactor.text(s))

    def repeated(self, s: str) -> str:
        done = self._seen.get(s)
        if done is None:
            done = self(s)
            if len(self._seen) < 10_000:  # a hand-made fleet of unique titles must not grow this without end
                self._seen[s] = done
        return done
