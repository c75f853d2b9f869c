"""Smoke tests of the shipped single-file builds: the zipapp (hosts with Python >= 3.11) and the PyInstaller
executable (hosts without Python). Each is built by its script unless dist/ already has it, then run as a user
would: `--version`, and `run --format json` inside the simulated AWS world with no credentials.

Slow (a build takes ~25-60 s): skipped unless SIGDOCTOR_BUILD_TESTS=1. SIGDOCTOR_REBUILD=1 rebuilds even when
dist/ has the artefact.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.world import REPO_ROOT, World

pytestmark = [
    pytest.mark.build,
    pytest.mark.skipif(os.environ.get("SIGDOCTOR_BUILD_TESTS") != "1", reason="set SIGDOCTOR_BUILD_TESTS=1"),
]

# Debian's interpreter has no sigdoctor and none of its dependencies: the zipapp must bring everything.
SYSTEM_PYTHON = "/usr/bin/python3"
ARTEFACTS = {"zipapp": ("scripts/build-zipapp", "dist/sigdoctor.pyz"), "exe": ("scripts/build-exe", "dist/sigdoctor")}


_checked: set[str] = set()  # built (or found) once per test session


def artefact(kind: str) -> Path:
    script, out = ARTEFACTS[kind]
    path = REPO_ROOT / out
    if kind in _checked:
        return path
    _checked.add(kind)
    if os.environ.get("SIGDOCTOR_REBUILD") == "1" or not path.exists():
        p = subprocess.run([str(REPO_ROOT / script)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
        assert p.returncode == 0, f"{script} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    assert path.exists(), f"{script} did not write {out}"
    return path


def argv(kind: str, path: Path) -> list[str]:
    if kind == "zipapp":
        if not Path(SYSTEM_PYTHON).exists():
            pytest.skip(f"{SYSTEM_PYTHON} not found")
        return [SYSTEM_PYTHON, str(path)]
    return [str(path)]


@pytest.fixture(params=sorted(ARTEFACTS))
def built(request: pytest.FixtureRequest) -> list[str]:
    kind = str(request.param)
    return argv(kind, artefact(kind))


def test_version(built: list[str], tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    p = subprocess.run([*built, "--version"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("sigdoctor "), p.stdout


def test_explain_finds_the_shipped_cause_docs(built: list[str], tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "NO_COLOR": "1"}
    p = subprocess.run([*built, "explain", "clock-skew"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "clock-skew" in p.stdout


def test_run_in_a_world_without_credentials(built: list[str], world: World) -> None:
    # The builds carry their own CA bundles (certifi, botocore's): the world's CA comes in through AWS_CA_BUNDLE.
    world.sts().trust("env").time_sync(0.0).env(AWS_REGION="us-east-1")
    r = world.run_cmd([*built, "run", "--format", "json"], timeout=120)
    assert not r.timed_out, r.describe()
    rep = r.json
    assert [c["id"] for c in rep["root_causes"]][:1] == ["no-credentials"], r.describe(1500)
    assert r.rc == 1
    # botocore's endpoint data travelled with the build: the STS endpoint was resolved and probed.
    dns = next(p for p in rep["probes"] if p["id"] == "dns")
    assert "sts.us-east-1.amazonaws.com" in str(dns), r.describe(1500)
    r.assert_no_secrets()


def test_exe_needs_no_python(tmp_path: Path) -> None:
    exe = artefact("exe")
    if shutil.which("ldd") is None:
        pytest.skip("ldd not installed")
    libs = subprocess.run(["ldd", str(exe)], capture_output=True, text=True).stdout
    assert "libpython" not in libs, libs  # the interpreter is inside the bundle, not taken from the host


def _other_pythons() -> list[str]:
    """CPython >= 3.12 interpreters on this machine (pyenv's, /usr/bin's), to run the zipapp beyond 3.11."""
    found = [*glob.glob(str(Path.home() / ".pyenv/versions/3.*/bin/python3")), *glob.glob("/usr/bin/python3.1[2-9]")]
    out = []
    for py in sorted(set(found)):
        p = subprocess.run([py, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True,
                           text=True, timeout=30)
        if p.stdout.strip() == "True":
            out.append(py)
    return out


def test_zipapp_runs_on_newer_pythons(tmp_path: Path) -> None:
    pythons = _other_pythons()
    if not pythons:
        pytest.skip("no CPython >= 3.12 on this machine")
    pyz = artefact("zipapp")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "NO_COLOR": "1"}
    for py in pythons:
        p = subprocess.run([py, str(pyz), "checks"], capture_output=True, text=True, env=env, timeout=120)
        assert p.returncode == 0, f"{py}: {p.stderr[-2000:]}"
        assert "root causes" in p.stdout.lower() or "probes" in p.stdout.lower(), p.stdout
