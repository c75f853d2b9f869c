"""A rich Console that renders into a string, independent of the terminal the tests or the CLI run in."""

from __future__ import annotations

import io
import re

from rich.console import Console, RenderableType

# Rich pads table cells and wrapped lines to the full width; trailing blanks are noise in files and snapshots.
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n|$)")


def string_console(*, color: bool, width: int) -> Console:
    return Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        width=width,
        # "standard" (16 colours) rather than "auto": the output must not depend on $TERM, and 16 colours are
        # all we use.
        color_system="standard" if color else None,
        # Report strings are data, never markup, emoji codes or something to highlight.
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        force_jupyter=False,
        soft_wrap=False,
        _environ={},
    )


def render_to_string(renderables: list[RenderableType], *, color: bool, width: int) -> str:
    console = string_console(color=color, width=width)
    for r in renderables:
        console.print(r)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return _TRAILING_BLANKS.sub("", out)
