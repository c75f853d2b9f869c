"""Shared fixtures. The simulated AWS world (tests/world) for end-to-end tests lives behind `world`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.world import World, namespaces_available


@pytest.fixture(scope="session")
def _namespaces() -> None:
    ok, why = namespaces_available()
    if not ok:
        pytest.skip(f"needs `unshare -rnm` (user + network + mount namespaces): {why}")


@pytest.fixture
def world(_namespaces: None, tmp_path: Path) -> Iterator[World]:
    """A fresh simulated AWS world; every server it starts lives only for the duration of one `run`."""
    yield World(tmp_path)
