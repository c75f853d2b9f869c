"""Building the Go harnesses (offline, from Debian's packaged SDK sources) and running the matrix.

The binaries are cached in the temp directory under the hash of their sources and the Go version, so a test
session builds them at most once. `.ci/run` needs: apt-get install -y golang-go golang-github-aws-aws-sdk-go-dev
golang-github-aws-aws-sdk-go-v2-dev.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.gosdk.cases import Case
from tests.gosdk.netns_driver import STS_PORT

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
GOPATH = Path("/usr/share/gocode")
SDK_SOURCES = {
    "v1": GOPATH / "src/github.com/aws/aws-sdk-go/aws/session",
    "v2": GOPATH / "src/github.com/aws/aws-sdk-go-v2/config",
}
PACKAGES = "golang-go golang-github-aws-aws-sdk-go-dev golang-github-aws-aws-sdk-go-v2-dev"
STS_URL = f"http://127.0.0.1:{STS_PORT}"
# The SDK versions Debian packages (what the models are told the "agent" links).
V1_VERSION = "v1.44.133"
V2_CONFIG_VERSION = "v1.17.10"


class Unavailable(Exception):
    """The Go toolchain or the SDK sources are missing: tests skip with this reason."""


def _go() -> str:
    go = shutil.which("go") or ("/usr/lib/go/bin/go" if Path("/usr/lib/go/bin/go").exists() else None)
    if not go:
        raise Unavailable(f"`go` not found (apt-get install -y {PACKAGES})")
    for name, path in SDK_SOURCES.items():
        if not path.is_dir():
            raise Unavailable(f"Go SDK sources for {name} missing at {path} (apt-get install -y {PACKAGES})")
    return go


def build() -> dict[str, str]:
    go = _go()
    version = subprocess.run([go, "version"], capture_output=True, text=True).stdout.strip()
    h = hashlib.sha256(version.encode())
    for v in ("v1", "v2"):
        h.update((HERE / "go" / v / "main.go").read_bytes())
    out_dir = Path(tempfile.gettempdir()) / f"sigdoctor-gosdk-{h.hexdigest()[:16]}"
    out_dir.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(out_dir),
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOPROXY": "off",
        "GOFLAGS": "",
        "GOCACHE": str(out_dir / "cache"),
        "CGO_ENABLED": "0",
    }
    bins = {}
    for v in ("v1", "v2"):
        target = out_dir / v
        if not target.exists():
            tmp = out_dir / f"{v}.tmp{os.getpid()}"
            p = subprocess.run(
                [go, "build", "-o", str(tmp), "main.go"],
                cwd=HERE / "go" / v,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if p.returncode != 0:
                raise RuntimeError(f"go build of the {v} harness failed:\n{p.stderr[-3000:]}")
            tmp.rename(target)
        bins[v] = str(target)
    return bins


def namespace_problem() -> str | None:
    p = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True, text=True)
    return None if p.returncode == 0 else f"needs `unshare -rn` and `ip`: {p.stderr.strip()}"


@dataclass
class Materialised:
    case: Case
    base: Path
    env: dict[str, str]

    def sub(self, s: str) -> str:
        return s.replace("{base}", str(self.base))


def materialise(case: Case, root: Path) -> Materialised:
    base = root / case.id
    (base / "home").mkdir(parents=True)
    m = Materialised(case, base, {})
    for path, content in case.files.items():
        p = Path(m.sub(path))
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(m.sub(content))
    m.env = {"PATH": "/usr/bin:/bin", "HOME": str(base / "home"), **{k: m.sub(v) for k, v in case.env.items()}}
    return m


RUNS = ("v1", "v1:enable", "v2", "botocore")


def run_matrix(cases: list[Materialised], bins: dict[str, str], work: Path) -> dict[str, dict[str, Any]]:
    spec_cases = []
    for m in cases:
        prof = ["-profile", m.case.profile] if m.case.profile else []
        runs = [
            ["v1", "-sts", STS_URL, *prof],
            ["v1:enable", "-shared", "enable", "-sts", STS_URL, *prof],
            ["v2", "-sts", STS_URL, *prof],
        ]
        # botocore's counterpart of a profile set in code is a session profile (like `--profile`).
        runs.append(["botocore", *([m.case.profile] if m.case.profile else [])])
        spec_cases.append({"id": m.case.id, "env": m.env, "runs": runs})
    spec = {"binaries": bins, "python": sys.executable, "cases": spec_cases}
    spec_path = work / "matrix-spec.json"
    spec_path.write_text(json.dumps(spec))
    p = subprocess.run(
        ["unshare", "-rn", sys.executable, "-m", "tests.gosdk.netns_driver", str(spec_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO)},
    )
    if p.returncode != 0:
        raise RuntimeError(f"matrix driver failed: {p.stderr[-3000:]}")
    raw: dict[str, dict[str, Any]] = json.loads(p.stdout)
    return raw
