"""The `build` marker: slow tests that build (or reuse) dist/ artefacts; they run only with SIGDOCTOR_BUILD_TESTS=1."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: builds dist/sigdoctor.pyz and dist/sigdoctor (set SIGDOCTOR_BUILD_TESTS=1)")
