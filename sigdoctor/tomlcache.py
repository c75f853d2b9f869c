"""The shipped knowledge's TOML files, parsed, from a JSON copy while that copy matches them byte for byte.

tomllib is pure Python: parsing checks/errors and checks/causes (about 50 files) took ~30 ms of every start-up, a
sixth of `decode`'s on a one-line file and as much as its scan of 15 MB. Each of those folders keeps `parsed.json`,
every file's parsed content and a digest of the files' names and bytes, written by `python -m sigdoctor.tomlcache`
from a source checkout. Reading it costs ~1 ms; when the digest differs (a file edited since), the TOML is parsed
as before — a stale copy costs time, never a wrong reading. tests/test_tomlcache.py fails while a copy is stale.

The error table's copy also keeps what the table derives from each entry's patterns (`derived(folder)`: the literals
a match must hold, see awserrors/table.py), which cost ~15 ms of every start-up and as much again on a paste's
first text, and the decode prefilter's words and its scanner as built (decode/scan.py's `Scanner.kept`: ~11 ms of
every decode's start-up to build, taken only while scan.py is the source that built it); it is read under the same
digest, so a stale copy again only costs the time to derive it afresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from sigdoctor.resources import causes_dir, errors_dir

CACHE = "parsed.json"


@functools.cache
def shipped_folders() -> tuple[Path, ...]:
    # Once per process: each lookup stats the candidate data folders, and `parsed` asks for every file it reads.
    return (errors_dir(), causes_dir())


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def _read(folder: Path) -> dict[str, Any]:
    """The folder's JSON copy, or nothing when the copy is missing, unreadable or stale."""
    try:
        cached = json.loads((folder / CACHE).read_bytes())
        current = cached["digest"] == digest(folder)
        if current and isinstance(cached["files"], dict):
            return dict(cached)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def _copy(folder: Path) -> dict[str, dict[str, Any]]:
    """The folder's parsed files from its JSON copy, or nothing when the copy is missing, unreadable or stale."""
    return dict(_read(folder).get("files", {}))


def derived(folder: Path) -> dict[str, Any]:
    """What `write` derived from the folder's files (see `_derive`) while the copy is current; else nothing."""
    value = _read(folder).get("derived", {}) if folder in shipped_folders() else {}
    return value if isinstance(value, dict) else {}


def parsed(path: Path) -> dict[str, Any]:
    """A TOML file's content; raises what tomllib raises (OSError, TOMLDecodeError) for a file read afresh."""
    if path.parent in shipped_folders():
        hit = _read(path.parent).get("files", {}).get(path.name)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    import tomllib  # pure Python, ~4 ms to import: only for a file the copy does not hold

    return tomllib.loads(path.read_text(encoding="utf-8"))


def _derive(folder: Path, files: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a folder's copy keeps besides its files, {key: {name: value}}: for the error table, each entry's
    literals (awserrors/table.py), the decode prefilter's words (decode/reader.py) with the core words they were
    chosen with, and the literal piece of each pattern of backends.toml (awserrors/backends.py). `files` are the folder's files as they are now, which the table reads then too."""
    if folder != errors_dir():
        return {}
    from sigdoctor.awserrors.anchors import CORE_WORDS
    from sigdoctor.awserrors.backends import derive_pieces
    from sigdoctor.awserrors.table import derive_literals
    from sigdoctor.decode.reader import prefilter_words
    from sigdoctor.decode.scan import Scanner

    words = prefilter_words()
    return {"literals": derive_literals(files), "prefilter": {"core": sorted(CORE_WORDS), "words": words,
                                                              "scanner": Scanner(words).kept()},
            "pieces": derive_pieces(files)}


def write(folder: Path) -> Path:
    import tomllib

    files = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))}

    def each_line(values: dict[str, Any]) -> str:
        # One line per file, so that a diff of the copy shows which files changed.
        return ",\n".join(json.dumps(name) + ":" + json.dumps(data, sort_keys=True, ensure_ascii=False,
                                                                separators=(",", ":")) for name, data in values.items())

    text = '{"digest":' + json.dumps(digest(folder)) + ',"files":{\n' + each_line(files) + "\n}"
    extra = _derive(folder, files)
    if extra:
        text += ',"derived":{\n' + ",\n".join(json.dumps(key) + ":{\n" + each_line(values) + "\n}"
                                                for key, values in extra.items()) + "\n}"
    text += "}"
    back = json.loads(text)
    if back["files"] != files:  # a TOML date or time has no JSON form: keep parsing the TOML then
        raise ValueError(f"{folder}: a value does not survive JSON")
    if back.get("derived", {}) != json.loads(json.dumps(extra)):
        raise ValueError(f"{folder}: a derived value does not survive JSON")
    out = folder / CACHE
    out.write_text(text + "\n", encoding="utf-8")
    return out


def main() -> int:
    for folder in shipped_folders():
        print(f"wrote {write(folder)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
