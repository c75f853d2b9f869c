"""The one list of tests that may skip in CI, and the hook that fails every other skip there (`CI` set).

CI (.ci/run) runs as root with unshare, Go, Debian's AWS SDK sources and SIGDOCTOR_BUILD_TESTS=1: there a skip
means something the tests need is missing, and a run that skips ~100 end-to-end tests must not be green. On a
developer's machine skips stay skips.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from fnmatch import fnmatch

import pytest

# Test id (fnmatch pattern) -> why it may skip in CI (which runs as root, with unshare, Go and SIGDOCTOR_BUILD_TESTS).
ALLOWED_SKIPS: dict[str, str] = {
    "tests/creds/test_web_identity.py::test_unreadable_token_names_the_uid":
        "CI runs as root, and root reads a file of mode 000: the permission error cannot be produced",
    "tests/build/test_builds.py::test_zipapp_runs_on_newer_pythons":
        "needs a CPython >= 3.12 beside the system's; Debian 12 ships 3.11 only",
    "tests/dns/test_query.py::test_ipv6_nameserver":
        "container runtimes often start without IPv6, even on loopback (Docker's default)",
}


def matches(nodeid: str, pattern: str) -> bool:
    """A pattern with `::` names tests; one without names files (tests/e2e/* covers every test in the folder)."""
    return fnmatch(nodeid if "::" in pattern else nodeid.split("::", 1)[0], pattern)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (os.environ.get("CI") and report.skipped) or hasattr(report, "wasxfail"):
        return
    if any(matches(item.nodeid, pattern) for pattern in ALLOWED_SKIPS):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (f"skipped in CI, but not listed in ALLOWED_SKIPS (tests/skip_policy.py): {reason}\n"
                       "install what it needs in .ci/run, or list it there with the reason it may skip")
