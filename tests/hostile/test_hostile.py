"""Hostile but ordinary inputs (issue 12): each case must end on its own with a documented exit code, one clear
message, no internal error, no raw control character, and no credential_process left running.

Timings and peak RSS are measured by bench/hostile.py, not asserted here; the 90 s harness timeout only turns a
hang into a failure instead of a stuck test run.
"""

from __future__ import annotations

import re

import pytest

from tests.hostile.cases import CASES, Case, available, run_case


@pytest.fixture(scope="module", autouse=True)
def _unshare() -> None:
    ok, why = available()
    if not ok:
        pytest.skip(f"needs `unshare -rn`: {why}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_ends_cleanly(case: Case) -> None:
    m = run_case(case)
    shown = f"rc={m.rc}\n--- stdout ---\n{m.stdout[-1500:]}\n--- stderr ---\n{m.stderr[-1500:]}"
    assert not m.timed_out, f"{case.name} hung\n{shown}"
    assert not m.internal_error, shown
    assert m.rc in case.exits, shown
    assert m.raw_controls == 0, f"raw control characters reached the output\n{shown!r}"
    if case.says:
        assert re.search(case.says, m.stdout + m.stderr), shown
    assert "ORPHANED" not in m.stderr, "a credential_process outlived sigdoctor"
