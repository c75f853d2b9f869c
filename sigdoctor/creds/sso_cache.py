"""The diagnosed environment's IAM Identity Center (SSO) token cache, as botocore's SSO providers read it.

botocore fixes `~/.aws/sso/cache` when it is imported, with sigdoctor's own HOME: under `--pid` (whenever the
diagnosed HOME is not ours) its SSO provider would look for the agent's token in our cache — and find none, or find
ours and sign in as us. The chain's SSO providers read this cache instead: the diagnosed HOME's `.aws/sso/cache`,
through the diagnosed root and bounded like every user file. It is never written: a token botocore refreshes stays
in memory (the agent's files are not sigdoctor's to change).
"""

from __future__ import annotations

import json
from typing import Any

from sigdoctor import boundedio
from sigdoctor.context import Context


class TokenCache:
    """The part of botocore's JSONFileCache interface its SSO token loader and provider use."""

    def __init__(self, ctx: Context, directory: str | None) -> None:
        self._ctx = ctx
        self._directory = directory  # as the diagnosed process names it; None: no HOME, no cache
        self._kept: dict[str, Any] = {}

    def _load(self, key: str) -> Any:
        if key in self._kept:
            return self._kept[key]
        if self._directory is None:
            return None
        try:
            return json.loads(boundedio.read_text(self._ctx.path(f"{self._directory}/{key}.json"),
                                                  boundedio.SMALL_LIMIT))
        except (OSError, ValueError):
            return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key) is not None

    def __getitem__(self, key: str) -> Any:
        value = self._load(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._kept[key] = value

    def __delitem__(self, key: str) -> None:
        if self._kept.pop(key, None) is None:
            raise KeyError(key)
