"""Shared fixtures, the `unit` / `e2e` markers, and the one list of tests that may skip in CI.

Markers (every test gets exactly one, assigned here, so `pytest -m unit` is the fast loop):
* `e2e`: runs the CLI or servers inside network namespaces (tests/world), builds Go programs or the shipped
  artefacts, or needs `unshare`: the directories and modules in E2E, plus any test using the `world` fixture or
  marked `e2e` itself.
* `unit`: everything else: in-process or loopback only.

Skips: on a developer's machine a test may skip when a tool is missing. In CI (`CI` set) a skip fails the run unless
the test is listed in ALLOWED_SKIPS with the reason it may skip there: a missing `unshare` or Go toolchain must not
turn ~100 end-to-end tests silently green.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.world import World, namespaces_available

E2E = (
    "tests/e2e/*", "tests/world/*", "tests/gosdk/*", "tests/build/*", "tests/buildinfo/*",
    "tests/*/test_*_world.py", "tests/dns/test_namespace.py",
    "tests/agent/test_process.py::test_files_of_an_agent_in_another_mount_namespace_*",
)

# Test id (fnmatch pattern) -> why it may skip in CI (which runs as root, with unshare, Go and SIGDOCTOR_BUILD_TESTS).
ALLOWED_SKIPS: dict[str, str] = {
    "tests/creds/test_web_identity.py::test_unreadable_token_names_the_uid":
        "CI runs as root, and root reads a file of mode 000: the permission error cannot be produced",
    "tests/build/test_builds.py::test_zipapp_runs_on_newer_pythons":
        "needs a CPython >= 3.12 beside the system's; Debian 12 ships 3.11 only",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unit: in-process or loopback only; the fast loop (pytest -m unit)")
    config.addinivalue_line("markers", "e2e: network namespaces, Go builds or shipped artefacts (needs unshare, go)")


def _matches(nodeid: str, pattern: str) -> bool:
    """A pattern with `::` names tests; one without names files (tests/e2e/* covers every test in the folder)."""
    return fnmatch(nodeid if "::" in pattern else nodeid.split("::", 1)[0], pattern)


def _is_e2e(item: pytest.Item) -> bool:
    return (item.get_closest_marker("e2e") is not None or "world" in getattr(item, "fixturenames", ())
            or any(_matches(item.nodeid, pattern) for pattern in E2E))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e if _is_e2e(item) else pytest.mark.unit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (os.environ.get("CI") and report.skipped) or hasattr(report, "wasxfail"):
        return
    if any(_matches(item.nodeid, pattern) for pattern in ALLOWED_SKIPS):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"skipped in CI, but not listed in tests/conftest.py ALLOWED_SKIPS: {reason}\n"
                       "install what it needs in .ci/run, or list it there with the reason it may skip")


@pytest.fixture(scope="session")
def _namespaces() -> None:
    ok, why = namespaces_available()
    if not ok:
        pytest.skip(f"needs `unshare -rnm` (user + network + mount namespaces): {why}")


@pytest.fixture
def world(_namespaces: None, tmp_path: Path) -> Iterator[World]:
    """A fresh simulated AWS world; every server it starts lives only for the duration of one `run`."""
    yield World(tmp_path)
