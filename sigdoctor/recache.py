"""Compiled regexes kept between runs of `decode`, as .pyc files keep compiled modules.

CPython's regex compiler (re._parser, re._compiler) is pure Python: the ~370 regexes a decode of a log uses (the
readings' module-level patterns, the error table's, the prefilter's two) cost ~70 ms of its CPU, more than its
scan of 20 MB, and a one-line paste a third of its time. What the compiler makes of a pattern — the `_sre` code
list with the flags and groups — depends only on the pattern, its flags and the interpreter. `save` stores it
after a run in the `__pycache__` folder beside this module (where Python stores .pyc, and only when Python writes
bytecode); `load` gives it to `re`'s own cache (`re._cache`, keyed by pattern and flags) before the modules are
imported, so their `re.compile(...)` finds each pattern compiled. A pattern the file does not hold is compiled as
before; a file from another interpreter is never read (its name holds the interpreter's cache tag and sre's magic
number); anything unexpected reads nothing. Only CPython 3.11's `re` (a dict of at most `_MAXCACHE` patterns) is
filled this way: other versions keep their cache in another shape, and compile as before.
"""

from __future__ import annotations

import array
import contextlib
import marshal
import os
import re
import sys
from pathlib import Path
from typing import Any

try:
    import _sre  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - not CPython
    _sre = None

# Patterns the file keeps at most. re's cache holds 512 (3.11's _MAXCACHE); a decode now uses ~460 patterns and the
# knowledge base grows, so a decode process raises the cache to CACHE_SIZE (it compiles nothing from its input into
# it: see redact.py and parse.find_message) — with 400 kept, every run compiled ~60 patterns again and rewrote the
# file (session 12).
MAX_KEPT = 1000
CACHE_SIZE = 2048
_CODE = "I"  # an unsigned int of _sre.CODESIZE (4) bytes; _usable checks the size
_loaded: set[tuple[Any, ...]] = set()  # the keys only: the code lists stay in the patterns (~3 MB as lists)


def _usable() -> bool:
    return (_sre is not None and sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)
            and array.array(_CODE).itemsize == _sre.CODESIZE
            and isinstance(getattr(re, "_cache", None), dict) and isinstance(getattr(re, "_MAXCACHE", None), int))


def path() -> Path:
    tag = sys.implementation.cache_tag or "none"
    return Path(__file__).resolve().parent / "__pycache__" / f"regexes.{tag}-{getattr(_sre, 'MAGIC', 0)}.marshal"


def load() -> int:
    """Put the stored patterns into re's cache; how many."""
    if not _usable():
        return 0
    entries = _read()
    cache: dict[tuple[Any, ...], Any] = re._cache  # type: ignore[attr-defined]
    if re._MAXCACHE < CACHE_SIZE:  # type: ignore[attr-defined]
        re._MAXCACHE = CACHE_SIZE  # type: ignore[attr-defined]
    room = re._MAXCACHE - len(cache) - 64  # type: ignore[attr-defined]
    n = 0
    for entry in entries:
        if n >= room:
            break
        try:
            pattern, flags, final_flags, code, groups, groupindex, indexgroup = entry
            key = (type(pattern), pattern, flags)
            if key in cache:  # compiled by a module imported before load(): stored already, not new at save()
                _loaded.add(key)
                continue
            cache[key] = _sre.compile(pattern, final_flags, array.array(_CODE, code).tolist(), groups, groupindex,
                                      indexgroup)
        except Exception:  # a damaged entry: that pattern is compiled as usual
            continue
        _loaded.add(key)
        n += 1
    return n


def _read() -> list[Any]:
    try:
        entries = marshal.loads(path().read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return []
    return entries if isinstance(entries, list) else []


def save() -> None:
    """Store the patterns of re's cache the file lacks (their code compiled again here, once); never raises."""
    if sys.dont_write_bytecode or not _usable():
        return
    with contextlib.suppress(Exception):
        from re import _compiler, _parser  # type: ignore[attr-defined]

        cache: dict[tuple[Any, ...], Any] = re._cache  # type: ignore[attr-defined]
        from sigdoctor.redact import process_redactor

        # A pattern that holds a secret (one the paste showed, or one registered by a probe) never reaches the disk.
        # Every pattern sigdoctor builds from a paste is kept out of re's cache; this is the second guard.
        secrets = process_redactor()
        new = [k for k in list(cache) if k not in _loaded and isinstance(k[1], (str, bytes)) and isinstance(k[2], int)
               and not secrets.holds_secret(k[1])]
        if not new:
            return
        entries = [e for e in _read() if isinstance(e, tuple) and len(e) == 7]
        for _, pattern, flags in new:
            p = _parser.parse(pattern, flags)
            # As bytes, not a list of ints: loading a list each would hold all ~130,000 codes at once (~3 MB more
            # peak memory); _sre copies each list it is given into its own array.
            code = array.array(_CODE, _compiler._code(p, flags)).tobytes()
            groupindex = dict(p.state.groupdict)
            indexgroup = [None] * p.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            entries.append((pattern, flags, int(flags | p.state.flags), code, p.state.groups - 1, groupindex,
                            tuple(indexgroup)))
        target = path()
        target.parent.mkdir(exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        # One entry per pattern and flags (a stored one left out of re's full cache is compiled, and seen, again),
        # those this run used last: what is dropped past MAX_KEPT is what no recent run needed (a paste uses ~460 of
        # the ~700 patterns decode has).
        by_key = {(type(e[0]), e[0], e[1]): e for e in entries}
        used = set(cache)
        kept = sorted(by_key.values(), key=lambda e: (type(e[0]), e[0], e[1]) in used)[-MAX_KEPT:]
        tmp.write_bytes(marshal.dumps(kept))
        os.replace(tmp, target)
