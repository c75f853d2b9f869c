"""sigdoctor.lazyre: a lazily compiled pattern answers as re.compile's does, and compiles only when first used."""

from __future__ import annotations

import re

import pytest

from sigdoctor.lazyre import LazyPattern, lazy

CASES: list[tuple[str | bytes, int, str | bytes]] = [
    (r"(?P<code>[A-Z]\w+)Exception:\s*(\w+)", 0, "x botocore.ExpiredTokenException: The token\nNoSuchKeyException: k"),
    (r"signature\s+(expired|not\s+yet\s+current)", re.I, "Signature EXPIRED: 20261127T031502Z is now earlier"),
    (r"^\s*at (\S+)$", re.M, "Caused by: x\n  at a.B(C.java:1)\n\tat d.E\nend"),
    (rb"Credential=([^/\s]+)/(\d{8})", 0, b"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1"),
    (r"(?i)x-amz-(date|content-sha256)", 0, "X-Amz-Date: 1\nx-amz-content-sha256: 2"),
    (r"", 0, "ab"),
]


@pytest.mark.parametrize(("pattern", "flags", "text"), CASES)
def test_answers_as_re_compile(pattern: str | bytes, flags: int, text: str | bytes) -> None:
    rx, lz = re.compile(pattern, flags), lazy(pattern, flags)

    def spans(ms: object) -> list[tuple[tuple[int, int], object]]:
        return [(m.span(), m.groups()) for m in ms]  # type: ignore[attr-defined]

    for a, b in ((rx, lz), (rx, lazy(pattern, flags))):  # a fresh one: the first call compiles, then the bound ones
        for pos, endpos in ((0, len(text)), (2, len(text) - 1), (0, 3)):
            for name in ("search", "match", "fullmatch"):
                ma, mb = getattr(a, name)(text, pos, endpos), getattr(b, name)(text, pos, endpos)
                assert (ma and (ma.span(), ma.groups(), ma.groupdict())) == (mb and (mb.span(), mb.groups(),
                                                                                      mb.groupdict()))
            assert spans(a.finditer(text, pos, endpos)) == spans(b.finditer(text, pos, endpos))
            assert a.findall(text, pos, endpos) == b.findall(text, pos, endpos)
        repl = b"<\\g<0>>" if isinstance(text, bytes) else "<\\g<0>>"
        assert a.sub(repl, text) == b.sub(repl, text)
        assert a.sub(repl, text, 1) == b.sub(repl, text, 1)
        assert a.sub(lambda m: m.group(0)[:1], text) == b.sub(lambda m: m.group(0)[:1], text)
        assert a.subn(repl, text) == b.subn(repl, text)
        assert a.split(text) == b.split(text)
        assert a.split(text, 1) == b.split(text, 1)
    assert (lz.pattern, lz.flags, lz.groups, dict(lz.groupindex)) == (rx.pattern, rx.flags, rx.groups,
                                                                        dict(rx.groupindex))


def test_compiles_on_first_use_only(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[object] = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda p, f=0: compiled.append(p) or real(p, f))
    lz = lazy(r"Expired\w*", re.I)
    assert lz.pattern == r"Expired\w*" and compiled == []  # reading the source compiles nothing
    assert lz.search("ExpiredToken") is not None
    assert lz.match("x expired") is None
    assert lz.sub("-", "expiredtoken: expired") == "-: -"
    assert compiled == [r"Expired\w*"]  # once, however many calls


def test_after_first_use_calls_go_to_the_compiled_pattern() -> None:
    lz = LazyPattern(r"\d+")
    assert lz.findall("a1b22") == ["1", "22"]
    rx = lz.compiled
    assert lz.search.__self__ is rx and lz.sub.__self__ is rx  # type: ignore[attr-defined]


def test_bad_pattern_fails_when_used() -> None:
    lz = lazy(r"(unclosed")
    with pytest.raises(re.error):
        lz.search("x")


def test_given_flags_need_no_compiling() -> None:
    lz = lazy(r"secret", re.I | re.S)
    assert lz.given_flags == re.I | re.S and lz._rx is None
    assert lz.flags == re.compile(r"secret", re.I | re.S).flags  # compiled: re.UNICODE added


def test_redactions_one_search_is_built_as_from_the_compiled_patterns() -> None:
    """redact._ANY reads the patterns' flags as given; from their compiled flags it is the same regex."""
    from sigdoctor import redact

    compiled = [re.compile(p.pattern, p.given_flags) for p, _ in redact._PATTERNS]
    expected = "|".join(f"(?{'i' if p.flags & re.I else ''}{'s' if p.flags & re.S else ''}:{p.pattern})"
                        for p in compiled) + "|" + redact._ACCESS_KEY_RE.pattern
    assert redact._ANY.pattern == expected
