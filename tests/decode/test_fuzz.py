"""Property-based fuzzing: whatever the bytes, decode returns a report or a usage error — never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigdoctor.errors import UsageError
from sigdoctor.render.json import render_json
from sigdoctor.render.text import render_text
from tests.decode.conftest import INPUTS, decode_text

FRAGMENTS = [
    p.read_bytes()[:4000] for p in sorted(INPUTS.iterdir()) if p.is_file()
] + [b"\\n", b"\\\\\"", b"&lt;", b"&#x", b"'", b"\n\n", b"---[ CANONICAL STRING  ]---\n", b"<Code>", b"\xff",
     b"Signature expired: 20261127T030000Z is now earlier than 2026", b"Credential=ASIA", b"\\u00"]


def _check(data: bytes) -> None:
    try:
        report = decode_text(data)
    except UsageError as exc:
        assert exc.message
        return
    assert report.command == "decode"
    render_json(report)
    render_text(report, color=False, verbose=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8), st.data())
def test_spliced_fixtures(parts: list[bytes], data: st.DataObject) -> None:
    blob = b"".join(parts)
    if blob:
        cut = data.draw(st.integers(0, len(blob)))
        blob = blob[:cut] + data.draw(st.binary(max_size=16)) + blob[cut:]
    _check(blob)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    _check(text.encode("utf-8", errors="surrogatepass"))
