"""The shipped knowledge is read from its JSON copy only while the copy matches the TOML files it was made from."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigdoctor import tomlcache


@pytest.mark.parametrize("folder", tomlcache.shipped_folders(), ids=lambda f: f.name)
def test_the_shipped_copy_is_current(folder: Path) -> None:
    copy = tomlcache._copy(folder)
    assert copy, (f"{folder}/{tomlcache.CACHE} is stale or missing: every start-up parses the TOML again "
                  "(~30 ms); run `python -m sigdoctor.tomlcache` and commit the copies")
    for path in sorted(folder.glob("*.toml")):
        assert copy[path.name] == tomllib.loads(path.read_text(encoding="utf-8")), path.name


@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder of knowledge read as the shipped folders are."""
    monkeypatch.setattr(tomlcache, "shipped_folders", lambda: (tmp_path,))
    tomlcache._read.cache_clear()
    yield tmp_path
    tomlcache._read.cache_clear()


def test_a_file_edited_after_the_copy_is_read_as_edited(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text('title = "before"\n', encoding="utf-8")
    tomlcache.write(knowledge)
    (knowledge / "a.toml").write_text('title = "after"\n', encoding="utf-8")
    assert tomlcache.parsed(knowledge / "a.toml") == {"title": "after"}


def test_the_copy_is_what_is_read_while_current(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text('title = "shipped"\n', encoding="utf-8")
    tomlcache.write(knowledge)
    # The copy stands in for the files it matches: a copy edited by hand (same digest) is what is read.
    copy = knowledge / tomlcache.CACHE
    copy.write_text(copy.read_text(encoding="utf-8").replace("shipped", "from the copy"), encoding="utf-8")
    assert tomlcache.parsed(knowledge / "a.toml") == {"title": "from the copy"}


def test_a_broken_copy_falls_back_to_the_toml(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text('title = "toml"\n', encoding="utf-8")
    (knowledge / tomlcache.CACHE).write_text('{"digest": ', encoding="utf-8")
    assert tomlcache.parsed(knowledge / "a.toml") == {"title": "toml"}


def test_a_broken_toml_file_still_fails_with_tomllibs_error(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text("title = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        tomlcache.parsed(knowledge / "a.toml")


def test_a_value_json_cannot_hold_is_refused(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text("when = 2026-12-07\n", encoding="utf-8")
    with pytest.raises((TypeError, ValueError)):
        tomlcache.write(knowledge)


def test_the_tables_derived_literals_are_current() -> None:
    """The literals the error table's copy keeps are the ones the table derives from the entries (table.py): a copy
    written before the derivation changed would gate entries by stale literals."""
    import tomllib

    from sigdoctor.awserrors.table import derive_literals
    from sigdoctor.resources import errors_dir

    folder = errors_dir()
    files = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))}
    assert tomlcache.derived(folder)["literals"] == json.loads(json.dumps(derive_literals(files))), (
        "run `python -m sigdoctor.tomlcache` and commit the copies")


def test_the_table_reads_the_same_with_or_without_the_derived_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    from sigdoctor.awserrors import table as table_module
    from sigdoctor.resources import errors_dir

    shipped = table_module.Table.load(errors_dir(), table_module.cause_ids())
    monkeypatch.setattr(table_module, "derived", lambda folder: {})
    fresh = table_module.Table.load(errors_dir(), table_module.cause_ids())
    assert shipped.entries == fresh.entries
    assert [e._parsed_literals for e in shipped.entries] == [e._parsed_literals for e in fresh.entries]


def test_a_copy_keeps_no_derived_values_for_other_folders(knowledge: Path) -> None:
    (knowledge / "a.toml").write_text('[[error]]\ncode = "X"\n', encoding="utf-8")
    tomlcache.write(knowledge)
    assert "derived" not in json.loads((knowledge / tomlcache.CACHE).read_text(encoding="utf-8"))
    assert tomlcache.derived(knowledge) == {}


def test_the_kept_prefilter_words_are_current() -> None:
    """The decode prefilter's words the error table's copy keeps are the ones decode/reader.py chooses now: a copy
    written before the core words, the table's anchors or the choice changed would scan for stale words."""
    from sigdoctor.awserrors.anchors import CORE_WORDS
    from sigdoctor.decode import reader

    kept = dict(tomlcache.derived(reader.errors_dir())["prefilter"])
    kept.pop("scanner")  # tests/decode/test_kept_scanner.py
    assert kept == {"core": sorted(CORE_WORDS), "words": reader.prefilter_words()}, (
        "run `python -m sigdoctor.tomlcache` and commit the copies")
    assert reader.SCANNER.words == tuple(reader.prefilter_words())


def test_prefilter_words_made_with_other_core_words_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from sigdoctor.decode import reader

    assert reader._kept_words() == reader.prefilter_words()
    monkeypatch.setattr(reader, "CORE_WORDS", (*reader.CORE_WORDS, "NewCoreWord"))
    assert reader._kept_words() is None


def test_the_kept_backend_pieces_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """The literal piece of each backends.toml pattern the copy keeps is the one awserrors/backends.py reads from the
    parsed pattern now, and is what the prefilter of `recognise` uses."""
    import tomllib

    from sigdoctor.awserrors import backends
    from sigdoctor.resources import errors_dir

    folder = errors_dir()
    files = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))}
    kept = tomlcache.derived(folder)["pieces"]
    assert kept == backends.derive_pieces(files), "run `python -m sigdoctor.tomlcache` and commit the copies"
    assert len(kept) >= 20 and any(kept.values())
    backends._piece.cache_clear()
    monkeypatch.setattr(backends, "_parsed_piece", lambda pattern, flags: "not kept")
    try:
        b = backends.backends()[0]
        marks = [backends._piece(m, backends._MARK_FLAGS) for m in b.mark_patterns]
        assert marks == [kept[backends._piece_key(m, backends._MARK_FLAGS)] for m in b.mark_patterns]
        assert backends._piece("(?:not a kept pattern)", 0) == "not kept"
    finally:
        backends._piece.cache_clear()
