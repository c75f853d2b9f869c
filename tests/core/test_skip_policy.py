"""The skip policy (tests/skip_policy.py) as CI applies it: an unlisted skip fails the run when CI is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SAMPLE = '''
import pytest

def test_needs_a_tool():
    pytest.skip("tool not installed")

@pytest.mark.xfail(reason="known bug", strict=True)
def test_known_bug():
    assert False

def test_fine():
    pass

@pytest.fixture
def namespaces():
    pytest.skip("needs unshare")

def test_in_a_namespace(namespaces):
    pass
'''


def _pytest(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(REPO)} | ({"CI": "1"} if ci else {})
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.skip_policy", "--noconftest", "-q", "-rA",
                           "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path / "test_sample.py")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)


def test_an_unlisted_skip_fails_in_ci(tmp_path: Path) -> None:
    r = _pytest(tmp_path, ci=True)
    assert r.returncode == 1, r.stdout
    assert "skipped in CI, but not listed in ALLOWED_SKIPS (tests/skip_policy.py): tool not installed" in r.stdout
    # A fixture's skip (namespaces or Go missing) counts too: it fails the test's setup.
    assert "skipped in CI, but not listed in ALLOWED_SKIPS (tests/skip_policy.py): needs unshare" in r.stdout
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in r.stdout


def test_outside_ci_a_skip_stays_a_skip(tmp_path: Path) -> None:
    r = _pytest(tmp_path, ci=False)
    assert r.returncode == 0, r.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in r.stdout


def test_every_listed_skip_names_a_test_that_exists() -> None:
    from tests.skip_policy import ALLOWED_SKIPS

    for pattern, reason in ALLOWED_SKIPS.items():
        path, _, name = pattern.partition("::")
        assert (REPO / path).is_file(), pattern
        assert f"def {name.rstrip('*')}" in (REPO / path).read_text(), pattern
        assert len(reason) > 20, pattern
