"""The real-world corpus is well-formed and holds no secret. Accuracy is a bench figure (bench/corpus.py), never
asserted here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.catalog import CATALOG

CORPUS = Path(__file__).resolve().parent
BATCHES = sorted(d for d in CORPUS.glob("batch*") if d.is_dir())
OUT_OF_CATALOG = "out-of-catalog"
FIELDS = {"id": str, "file": str, "project": str, "source": str, "cause": str, "confirmed": bool, "notes": str}

# Shapes of secrets as they appear in pasted text. A match is allowed only when it is visibly fake: AWS's documented
# example values, or a value that says FAKE/EXAMPLE/REDACTED, or one that repeats a short unit ("deadbeef" × 8).
SECRET_SHAPES = {
    "secret access key": re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
    "session token": re.compile(r"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz|IQoJ)[A-Za-z0-9/+=%]{60,}"),
    "long base64 token": re.compile(r"[A-Za-z0-9/+]{120,}={0,2}"),
    "signature": re.compile(r"(?:[Ss]ignature\s*[=:]\s*|<SignatureProvided>)([0-9a-f]{64})"),
    "web identity token": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
}


def _looks_fake(value: str) -> bool:
    upper = value.upper()
    if any(word in upper for word in ("EXAMPLE", "FAKE", "REDACTED", "XXXXXXXX")):
        return True
    for unit in range(1, 9):
        if len(value) >= 2 * unit and (value[:unit] * (len(value) // unit + 1)).startswith(value):
            return True
    return False


def _is_secret_key_shape(value: str) -> bool:
    """A 40-character run is a secret key only if it mixes cases and digits the way AWS keys do; this spares
    SHA-1 hex digests, paths and upper-case identifiers."""
    if re.fullmatch(r"[0-9a-f]{40}|[0-9A-F]{40}", value):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes == 3


def _batch_entries(batch: Path) -> list[dict[str, Any]]:
    """A batch's index is index.toml, or one index-*.toml per gatherer when two gathered it side by side."""
    out: list[dict[str, Any]] = []
    for index in sorted(batch.glob("index*.toml")):
        with index.open("rb") as f:
            out += tomllib.load(f)["text"]
    return out


def _entries() -> list[tuple[Path, dict[str, object]]]:
    return [(batch, entry) for batch in BATCHES for entry in _batch_entries(batch)]


def test_there_is_a_corpus() -> None:
    assert BATCHES, "no tests/corpus/batch*/ directory"
    for batch in BATCHES:
        assert list(batch.glob("index*.toml")), f"{batch.name} has no index.toml"


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_index_is_well_formed(batch: Path) -> None:
    entries = _batch_entries(batch)
    catalog = set(CATALOG)
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)), "duplicate ids"
    files = {e["file"] for e in entries}
    assert len(files) == len(entries), "two entries share a file"
    for e in entries:
        for field, kind in FIELDS.items():
            assert isinstance(e.get(field), kind), f"{e.get('id')}: {field} missing or not {kind.__name__}"
        assert (batch / e["file"]).is_file(), f"{e['id']}: {e['file']} does not exist"
        assert e["cause"] in catalog or e["cause"] == OUT_OF_CATALOG, f"{e['id']}: unknown cause {e['cause']!r}"
        assert re.fullmatch(r"https://\S+", e["source"]), f"{e['id']}: source is not a URL: {e['source']!r}"
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", e["project"]), f"{e['id']}: project is not owner/repo"
    texts = {p.name for p in batch.glob("*.txt")}
    assert texts == files, f"texts without an index entry: {sorted(texts - files)}"


@pytest.mark.parametrize("batch", [b for b in BATCHES if (b / "decide.toml").exists()], ids=lambda b: b.name)
def test_decide_judges_every_text_once(batch: Path) -> None:
    """bench/corpus.py splits a batch's figures by decide.toml: a text judged twice, or not at all, or with a
    judgement it does not know would move a text between the groups unseen."""
    with (batch / "decide.toml").open("rb") as f:
        judged = tomllib.load(f)["text"]
    ids = [t["id"] for t in judged]
    assert len(ids) == len(set(ids)), "a text judged twice"
    assert set(ids) == {e["id"] for e in _batch_entries(batch)}, "decide.toml and the index name different texts"
    for t in judged:
        assert t["shows"] in ("yes", "partly", "no"), f"{t['id']}: shows = {t['shows']!r}"
        assert isinstance(t.get("why"), str) and t["why"].strip(), f"{t['id']}: no why"


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.name)
def test_batch_spans_many_projects(batch: Path) -> None:
    entries = _batch_entries(batch)
    assert len({e["project"] for e in entries}) >= 12


def test_texts_are_distinct_and_not_empty() -> None:
    seen: dict[str, str] = {}
    for batch, e in _entries():
        text = (batch / str(e["file"])).read_text(encoding="utf-8")
        assert text.strip(), f"{batch.name}/{e['file']} is empty"
        key = " ".join(text.split())
        assert key not in seen, f"{batch.name}/{e['file']} repeats {seen.get(key)}"
        seen[key] = f"{batch.name}/{e['file']}"


def unredacted_secrets(text: str) -> list[str]:
    """Each secret-shaped value of `text` that is not visibly fake, as its kind and first characters."""
    found = []
    for kind, shape in SECRET_SHAPES.items():
        for m in shape.finditer(text):
            value = m.group(m.lastindex or 0)
            if kind == "secret access key" and not _is_secret_key_shape(value):
                continue
            if not _looks_fake(value):
                found.append(f"{kind} {value[:6]}…")
    return found


def test_no_text_holds_an_unredacted_secret() -> None:
    found = []
    for batch, e in _entries():
        text = (batch / str(e["file"])).read_text(encoding="utf-8")
        found += [f"{batch.name}/{e['file']}: {f}" for f in unredacted_secrets(text)]
    assert not found, "replace with an obviously fake value of the same shape:\n" + "\n".join(found)


@pytest.mark.parametrize(("value", "secret"), [
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", False),
    ("Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3kL5nP7r", True),
    ("d48f381d9a4e68c83283ce5233844807dfdc5ba5", False),
    ("deadbeef" * 8, False),
])
def test_the_secret_check_tells_real_from_fake(value: str, secret: bool) -> None:
    flagged = _is_secret_key_shape(value) and not _looks_fake(value) if len(value) == 40 else not _looks_fake(value)
    assert flagged is secret


def test_held_out_batches_are_big_enough_and_share_no_thread_with_earlier_batches() -> None:
    """Issue 11: every batch after the first has at least 50 texts and is gathered apart from the ones before it, so
    no earlier thread is used again (a thread reused would carry what the rules were tuned on into a held-out
    figure)."""
    by_batch: dict[str, list[dict[str, object]]] = {}
    for batch, e in _entries():
        by_batch.setdefault(batch.name, []).append(e)
    names = sorted(by_batch, key=lambda n: int(n.removeprefix("batch")))  # batch10 after batch9, not after batch1
    assert names[:3] == ["batch1", "batch2", "batch3"]
    seen: set[str] = set()
    for name in names:
        sources = {str(e["source"]).rstrip("/") for e in by_batch[name]}
        if name != "batch1":
            assert len(by_batch[name]) >= 50, name
            reused = sorted({str(e["id"]) for e in by_batch[name] if str(e["source"]).rstrip("/") in seen})
            assert not reused, f"{name} texts from threads already in an earlier batch: {reused}"
        seen |= sources
