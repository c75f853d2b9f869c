"""The shipped knowledge is read from its JSON copy only while the copy matches the TOML files it was made from."""

from __future__ import annotations

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
    tomlcache._copy.cache_clear()
    yield tmp_path
    tomlcache._copy.cache_clear()


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
