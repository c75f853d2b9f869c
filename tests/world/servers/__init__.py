"""The fakes a world can run, by kind. Each module exposes `start(spec, ctx) -> Running`."""

from __future__ import annotations

import importlib
from types import ModuleType

KINDS = ("dns", "imds", "container", "sts", "ntp", "process")


def module(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise ValueError(f"unknown fake server kind {kind!r}; known: {', '.join(KINDS)}")
    return importlib.import_module(f"tests.world.servers.{kind}")
