"""`lazy(pattern, flags)`: a regex compiled the first time it is used, not when its module is imported.

sigdoctor's readings keep a few hundred module-level regexes; compiling them all (CPython's compiler is pure Python)
was ~0.1 s of every `decode`'s start-up, while a one-line paste uses about a third of them. A `LazyPattern` stands
where `re.compile(...)` stood and behaves as the compiled pattern for the methods the code calls: `search`, `match`,
`fullmatch`, `finditer`, `findall`, `sub`, `subn`, `split` and the attributes `pattern` (without compiling), `flags`,
`groups`, `groupindex`; `given_flags` are the flags as given, without compiling (a compiled str pattern's `flags`
add re.UNICODE and any inline flags). After the first call the compiled pattern's bound methods are stored on the instance, so a
later `rx.search(...)` costs what it costs on a `re.Pattern` (one attribute lookup, no extra call).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, AnyStr, Generic

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern(Generic[AnyStr]):
    """`re.compile(pattern, flags)`, compiled on first use (see the module docstring)."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern: AnyStr = pattern
        self.given_flags = flags
        self._rx: re.Pattern[AnyStr] | None = None

    @property
    def compiled(self) -> re.Pattern[AnyStr]:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self.given_flags)
            # Instance attributes win over these (non-data) methods: later calls go straight to the pattern's own.
            vars(self).update({name: getattr(rx, name) for name in _METHODS})
        return rx

    @property
    def flags(self) -> int:
        return self.compiled.flags

    @property
    def groups(self) -> int:
        return self.compiled.groups

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    def search(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[AnyStr]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled.findall(string, pos, endpos)

    def sub(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0) -> AnyStr:
        return self.compiled.sub(repl, string, count)

    def subn(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0
             ) -> tuple[AnyStr, int]:
        return self.compiled.subn(repl, string, count)

    def split(self, string: AnyStr, maxsplit: int = 0) -> list[AnyStr | Any]:
        return self.compiled.split(string, maxsplit)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self.given_flags!r})"


def lazy(pattern: AnyStr, flags: int = 0) -> LazyPattern[AnyStr]:
    """`re.compile(pattern, flags)`, compiled on first use."""
    return LazyPattern(pattern, flags)
