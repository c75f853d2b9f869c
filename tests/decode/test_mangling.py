"""The mangling property of issue 11 on everything decode knows and reads right: the error table's own entries (each
code with its message shapes, as an SDK prints `Code: message`) and the real-world corpus texts whose thread cause
decode names first. A ticket's damage (tests/decode/test_wrappers.py MANGLES: one to three manglers in turn, a
terminal's cut at a random width, frames around that) must not change the first cause a user sees — nor, for a text whose cause is
none of sigdoctor's, make decode name an error-severity cause.

Which corpus texts decode reads right is decided here, per text drawn (a metamorphic test: the figures of the corpus
are bench/corpus.py's, never asserted). The draws are derandomized, the same each run; to explore further, run with
`--hypothesis-seed=N` and a larger `max_examples`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sigdoctor.awserrors.table import table
from sigdoctor.model import Report, Severity
from tests.decode.conftest import decode_text, top_cause
from tests.decode.test_wrappers import MANGLES, mangle

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
OUT_OF_CATALOG = "out-of-catalog"


def _entry_examples() -> list[str]:
    out = []
    for e in table().entries:
        for shape in e.shapes or ("",):
            text = (f"{e.code}: " if e.code else "") + shape
            if text.strip():
                out.append(text)
    return out


def _corpus() -> list[tuple[str, str, str]]:
    out = []
    for batch in sorted(CORPUS.glob("batch*")):
        for index in sorted(batch.glob("index*.toml")):
            with index.open("rb") as f:
                for t in tomllib.load(f)["text"]:
                    out.append((f"{batch.name}/{t['id']}", t["file"], t["cause"]))
    return out


EXAMPLES = _entry_examples()
TEXTS = _corpus()
def _reading(report: Report) -> tuple[str | None, bool]:
    """(the first root cause, whether any root cause is of error severity), as `decode` reports them."""
    causes = report.root_causes
    return (causes[0].id if causes else None), any(c.severity is Severity.ERROR for c in causes)


@cache
def _read_right(path: Path, cause: str) -> tuple[str | None, bool] | None:
    """What decode reads in a corpus text when it reads the thread's cause (first, or no error for a cause that is
    none of sigdoctor's); None when it does not."""
    got = _reading(decode_text(path.read_bytes()))
    if cause == OUT_OF_CATALOG:
        return got if not got[1] else None
    return got if got[0] == cause else None


def test_there_are_examples_and_texts() -> None:
    assert len(EXAMPLES) > 200
    assert len(TEXTS) > 700


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), MANGLES)
def test_a_mangled_table_entry_keeps_its_top_cause(text: str, how: tuple[list[str], int | None, list[str]]) -> None:
    cause = top_cause(decode_text(text))
    assume(cause is not None)
    assert top_cause(decode_text(mangle(text, how))) == cause, (how, text)


def _case(name: str) -> tuple[str, str, str]:
    return next(t for t in TEXTS if t[0] == name)


# Damage random draws have shown to change a reading, one of each kind, kept as examples every run tries: quotes
# dropped around AWS's canonical request, and a terminal's cut inside its escapes or its path's percent-encoding;
# one cut of the longest line inside a word (`sec|urity_token`, `expec|ting`), inside an HTML entity escaped twice,
# after an opening quote; a text already Markdown-quoted, cut by a terminal, then quoted or framed again; a
# backslash-escaped quote made typographic; a line a terminal cut whose rest opens with an error code (one record).
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.sampled_from(TEXTS), MANGLES)
@example(_case("batch1/181"), (["drop-quotes"], None, ["code-span"]))
@example(_case("batch1/181"), (["escape-twice"], 160, []))
@example(_case("batch1/181"), (["double-spaces", "escape-again"], 60, []))
@example(_case("batch2/038"), (["drop-quotes"], 131, []))
@example(_case("batch5/b050"), (["drop-quotes"], 83, []))
@example(_case("batch5/b050"), (["html", "html"], 83, []))
@example(_case("batch5/b050"), (["json-log", "escape-again"], 160, ["typographic-quotes"]))
@example(_case("batch3/030"), (["double-spaces"], 67, []))
@example(_case("batch3/030"), (["escape-again"], 67, ["markdown-quote"]))
@example(_case("batch3/030"), (["drop-quotes"], 67, ["box"]))
@example(_case("batch3/030"), (["drop-quotes"], 60, ["markdown-quote", "markdown-quote"]))
@example(_case("batch1/001"), (["drop-quotes"], 60, ["markdown-quote", "markdown-quote"]))
@example(_case("batch4/b066"), (["html", "json-log"], 131, []))
@example(_case("batch4/b066"), (["escape-twice"], 60, ["crlf"]))
@example(_case("batch4/b031"), (["escape-again"], None, ["typographic-quotes"]))
@example(_case("batch4/b031"), (["double-spaces"], 131, ["typographic-quotes"]))
# Go v1's empty S3 host id (a server that is not S3) with its closing quote dropped, then wrapped and framed: only
# whitespace follows it.
@example(_case("batch4/a083"), (["drop-quotes", "wrap", "double-spaces"], None, ["terraform-margin"]))
# API Gateway's bare {"message": "The request signature …"} with its quotes dropped is still the REST front's answer
# (a random draw of session 12).
@example(_case("batch1/180"), (["drop-quotes"], None, []))
def test_a_mangled_corpus_text_read_right_keeps_its_reading(case: tuple[str, str, str],
                                                           how: tuple[list[str], int | None, list[str]]) -> None:
    name, file, cause = case
    right = _read_right(CORPUS / name.split("/")[0] / file, cause)
    assume(right is not None)
    assert right is not None
    got = _reading(decode_text(mangle((CORPUS / name.split("/")[0] / file).read_bytes().decode("utf-8", "replace"),
                                       how)))
    if cause == OUT_OF_CATALOG:
        assert not got[1], (name, how, got)
    else:
        assert got[0] == right[0], (name, how, got)
