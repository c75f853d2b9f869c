"""The shipped knowledge's TOML files, parsed, from a JSON copy while that copy matches them byte for byte.

tomllib is pure Python: parsing checks/errors and checks/causes (about 50 files) took ~30 ms of every start-up, a
sixth of `decode`'s on a one-line file and as much as its scan of 15 MB. Each of those folders keeps `parsed.json`,
every file's parsed content and a digest of the files' names and bytes, written by `python -m sigdoctor.tomlcache`
from a source checkout. Reading it costs ~1 ms; when the digest differs (a file edited since), the TOML is parsed
as before — a stale copy costs time, never a wrong reading. tests/test_tomlcache.py fails while a copy is stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import tomllib
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
def _copy(folder: Path) -> dict[str, dict[str, Any]]:
    """The folder's parsed files from its JSON copy, or nothing when the copy is missing, unreadable or stale."""
    try:
        cached = json.loads((folder / CACHE).read_bytes())
        current = cached["digest"] == digest(folder)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return dict(cached["files"]) if current else {}


def parsed(path: Path) -> dict[str, Any]:
    """A TOML file's content; raises what tomllib raises (OSError, TOMLDecodeError) for a file read afresh."""
    if path.parent in shipped_folders():
        hit = _copy(path.parent).get(path.name)
        if hit is not None:
            return hit
    return tomllib.loads(path.read_text(encoding="utf-8"))


def write(folder: Path) -> Path:
    files = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.toml"))}
    # One line per file, so that a diff of the copy shows which files changed.
    lines = [json.dumps(name) + ":" + json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
             for name, data in files.items()]
    text = '{"digest":' + json.dumps(digest(folder)) + ',"files":{\n' + ",\n".join(lines) + "\n}}"
    if json.loads(text)["files"] != files:  # a TOML date or time has no JSON form: keep parsing the TOML then
        raise ValueError(f"{folder}: a value does not survive JSON")
    out = folder / CACHE
    out.write_text(text + "\n", encoding="utf-8")
    return out


def main() -> int:
    for folder in shipped_folders():
        print(f"wrote {write(folder)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
