from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The text view folds long lines at the terminal's width, which is whatever the runner's stdout is (a pipe under
    pytest-xdist: 80 columns). Tests that assert whole lines get a fixed, wide one; a test about folding sets its own."""
    monkeypatch.setenv("COLUMNS", "200")
