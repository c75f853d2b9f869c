"""Undo the layers of quoting a pasted error arrives in: Go `%q` inside logfmt, JSON strings inside JSON log lines,
a JSON body inside a Go error string, Python bytes reprs, XML entities."""

from __future__ import annotations

import re

_ESC_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrt\"'\\/])")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\", "/": "/"}
ENTITY_RE = re.compile(r"&(?:lt|gt|quot|apos|amp|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
# Quotes a word processor, a chat tool or a web page put in place of ASCII ones (the SDKs print only ASCII quotes).
_TYPOGRAPHIC = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                              "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                              "\u00b4": "'", "\uff02": '"', "\uff07": "'"})
# Each pass removes one level of quoting; real pastes nest at most three deep (JSON body in %q in a JSON line).
_MAX_PASSES = 4
_CRLF_RE = re.compile(r"\r+\n")


def _replace(m: re.Match[str]) -> str:
    esc = m.group(1)
    if esc[0] in "ux" and len(esc) > 1:
        code = int(esc[1:], 16)
        # Surrogates (half of an escaped emoji) cannot stand alone in a str that we later encode.
        return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)
    return _SIMPLE[esc]


def unescape(text: str) -> str:
    """Fully unquoted text: newlines where the error had `\\n`, quotes where it had `\\"`, and so on — also when
    HTML entities and backslash escapes were applied in turn (a JSON log line shown in a web page, pasted twice);
    typographic quotes as the ASCII ones they replaced (before the backslashes: `Couldn\\’t` is an escaped quote)."""
    if not text.isascii():
        text = text.translate(_TYPOGRAPHIC)
    for _ in range(_MAX_PASSES):
        before = text
        text = _backslashes(text)
        # `&gt;` alone too: a Markdown-quoted text shown in a web page has it before every line and may have no other.
        if "&" in text and ENTITY_RE.search(text) and any(e in text for e in ("&lt;", "&gt;", "&quot;", "&#", "&amp;")):
            text = _html_unescape(text)
        if text == before:
            break
    if not text.isascii():
        text = text.translate(_TYPOGRAPHIC)
    return crlf_to_lf(text)


def crlf_to_lf(text: str) -> str:
    """Line ends as `\n`: a Windows line end, also one converted twice (`\r\r\n`, a file that went through two
    text-mode copies)."""
    return _CRLF_RE.sub("\n", text) if "\r" in text else text


def _backslashes(text: str) -> str:
    for _ in range(_MAX_PASSES):
        if "\\" not in text:
            break
        new = _ESC_RE.sub(_replace, text)
        if new == text:
            break
        text = new
    return text


def _html_unescape(text: str) -> str:
    import html  # its entity table costs more start-up than most inputs, which have no entity, are worth

    return html.unescape(text)


# What a paste puts around each line: Markdown's quote (`> `, nested), Terraform's margin and a terminal box's sides
# (`│`, heavy and double variants); the box's top and bottom edges and Terraform's `╷` / `╵` are lines of their own.
_BARS = "\u2502\u2503\u2551"
_LEFT_RE = re.compile(rf"[ \t]*(?:(?:>|[{_BARS}])(?=[ \t>{_BARS}]|$)[ \t]?)+")
# The outermost of them only: the frame a paste put around lines a terminal had cut, over the text's own quoting.
_LEFT_ONCE_RE = re.compile(rf"[ \t]*(?:>|[{_BARS}])(?=[ \t>{_BARS}]|$)[ \t]?")
_RIGHT_RE = re.compile(rf"(?:[ \t\r]*[{_BARS}])+[ \t\r]*$")
_EDGE_RE = re.compile(r"[ \t]*[\u2500-\u257f]+[ \t]*$")


def frame_after(text: str) -> str:
    """`text` without the frame layers every one of its lines has (`> `, a margin, a box): the frames a paste put
    around lines as they were, over any quoting of the text's own that only some lines show (the first line of a
    Markdown quote a terminal cut)."""
    for _ in range(4):
        inner = unframe(text, once=True)
        lines = text.split("\n")
        if inner == text or not all(_LEFT_ONCE_RE.match(line) or _EDGE_RE.match(line) or not line.strip()
                                    for line in lines):
            break
        text = inner
    return text


def unframe(text: str, *, once: bool = False) -> str:
    """`text` without the quote markers, margins and box sides a paste put around its lines, when most of its lines
    have them (a line of S3's canonical request in the message must read as AWS printed it)."""
    if ">" not in text and text.isascii():
        return text
    lines = text.split("\n")
    left = _LEFT_ONCE_RE if once else _LEFT_RE
    marked = [m.end() if (m := left.match(line)) else -1 for line in lines]
    framed = sum(1 for line, at in zip(lines, marked, strict=True) if at >= 0 or _EDGE_RE.match(line))
    if 2 * framed < sum(1 for line in lines if line.strip()):
        return text
    out = []
    for line, at in zip(lines, marked, strict=True):
        if at >= 0:
            line = line[at:]
        # A box's right side, also on a line whose left side a re-wrap of the box moved to a line of its own.
        if any(b in line for b in _BARS):
            line = _RIGHT_RE.sub("", line)
        if _EDGE_RE.match(line):  # a box's top or bottom edge, inside another frame or not
            line = ""
        out.append(line)
    return "\n".join(out)


def _line(text: str, at: int) -> str:
    """The line of `text` that starts at `at`, without its line end."""
    end = text.find("\n", at)
    return text[at:] if end < 0 else text[at:end]


def unmarked_after(text: str, cuts: list[int]) -> list[int]:
    """Of the line ends `cuts`, those followed by a line without a quote marker or margin, when the lines no cut
    precedes mostly have one: a text quoted or framed before a terminal cut it (a Markdown-quoted paste copied from a
    narrow terminal) continues its cut lines without the frame, so they are joined before the frame is taken off."""
    if not cuts or (">" not in text and text.isascii()):
        return []
    # A box's top or bottom edge is as wide as its sides but neither cut nor a cut line's rest (a box in a code span:
    # its bottom edge and the closing fence joined to the last line would read as text).
    unmarked = [c for c in cuts if not _LEFT_RE.match(text, c + 1) and not _EDGE_RE.match(_line(text, c + 1))
                and not _EDGE_RE.match(_line(text, text.rfind("\n", 0, c) + 1))]
    after = {text.count("\n", 0, c) + 1 for c in cuts}
    heads = [line for i, line in enumerate(text.split("\n")) if i not in after and line.strip()]
    return unmarked if 2 * sum(1 for line in heads if _LEFT_RE.match(line)) >= len(heads) else []


# A terminal (tmux, screen, k9s) copies a long line as pieces of its width, cut anywhere, even inside a word.
MIN_WRAP_WIDTH = 30
_HASH_LINE_RE = re.compile(r"\s*'?[0-9a-fA-F]{32,}'?\s*")


def wrap_cuts(text: str) -> list[int]:
    """Where in `text` a terminal may have cut its longest lines at its width: the offsets of the line ends that
    follow a line of at least MIN_WRAP_WIDTH characters, the longest ones, not ending in whitespace, when a line
    follows. Whether the cuts were wraps is for the caller to judge: several lines of exactly one width are a
    terminal's, one alone may be a line like the others."""
    if "\n" not in text:
        return []
    lines = text.split("\n")
    width = max(len(line) for line in lines)
    if width < MIN_WRAP_WIDTH:
        return []
    out = []
    at = 0
    for i, line in enumerate(lines):
        at += len(line)
        # A hash (a canonical request's payload hash, a string to sign's last line) has one length wherever it
        # stands: two of them are no terminal's width.
        if (len(line) == width and not line[-1].isspace() and i + 1 < len(lines) and lines[i + 1].strip()
                and not _HASH_LINE_RE.fullmatch(line)):
            out.append(at)
        at += 1
    return out


def joined_at(text: str, cuts: list[int]) -> str:
    """`text` without the line ends at the offsets `cuts` (ascending)."""
    parts = []
    prev = 0
    for c in cuts:
        parts.append(text[prev:c])
        prev = c + 1
    parts.append(text[prev:])
    return "".join(parts)


def xml_text(value: str) -> str:
    """The content of an XML element, entities resolved."""
    return _html_unescape(value) if "&" in value else value


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters shown as `\\u001b` instead of sent to the terminal: a pasted `\\u001b` or
    `&#27;` that unescaping turned into a real ESC must not reach the user's terminal as one."""
    return _CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _CONTROL_RE.search(text) else text
