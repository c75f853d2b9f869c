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

from hypothesis import HealthCheck, assume, given, settings
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


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.sampled_from(TEXTS), MANGLES)
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
