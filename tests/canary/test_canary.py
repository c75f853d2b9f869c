"""Canary secrets in every credential source and every fake endpoint's response; every command, format, -v/--debug
and --output; stdout, stderr and every file written grepped: nothing may leak.

By default each command × format runs at its two extremes (plain, and `-v --debug --output FILE`); CANARY_FULL=1
runs every combination (`python -m tests.canary.matrix` prints the counts for the closing note).
"""

from __future__ import annotations

import os

import pytest

from tests.canary.matrix import SCENARIOS, Scenario, run_scenario
from tests.world import World


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_no_canary_reaches_any_output(world: World, scenario: Scenario) -> None:
    o = run_scenario(world, scenario, full=os.environ.get("CANARY_FULL") == "1")
    assert o.cases, o.describe
    assert not o.leaks, f"{len(o.leaks)} leak(s) in {scenario.name}: {o.leaks[:10]}"
    # Every case ran to its own end: no internal error, nothing killed by the driver's timeout.
    bad = [(c["name"], c["rc"]) for c in o.cases if c["rc"] not in (0, 1, 2)]
    assert not bad, f"cases that crashed or hung: {bad}"
