"""Picks the renderer for a format. Renderers are pure functions of the (already redacted) Report."""

from __future__ import annotations

from sigdoctor.model import Report


def render(report: Report, fmt: str, *, color: bool, verbose: bool) -> str:
    if fmt == "json":
        from sigdoctor.render.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from sigdoctor.render.markdown import render_markdown

        return render_markdown(report)
    from sigdoctor.render.text import render_text

    return render_text(report, color=color, verbose=verbose)
