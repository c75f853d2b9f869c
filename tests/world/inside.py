"""Runs inside `unshare -rnm`: builds the world described by SPEC.json, runs one command in it, writes the result.

    unshare -rnm python -m tests.world.inside SPEC.json

Only loopback exists in here, so nothing the command does can leave the machine. Order matters: addresses first
(servers bind to them), then mounts (overlays before bind mounts, which may land inside an overlay), then the
fake servers (DNS first), then the command. Servers stop in reverse order whatever happens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from tests.world.servers import module
from tests.world.servers.base import Running, ServerContext


def _sh(*argv: str) -> None:
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"world setup step failed: {' '.join(argv)}: {p.stderr.strip()}")


def _network(addresses: list[str]) -> None:
    _sh("ip", "link", "set", "lo", "up")
    for a in addresses:
        _sh("ip", "addr", "add", f"{a}/128" if ":" in a else f"{a}/32", "dev", "lo")


class _Mounts:
    """Mounts confined to this mount namespace; nothing here changes the host's files."""

    def __init__(self, scratch: Path) -> None:
        # Overlay upper/work dirs live on a tmpfs of our own: the world dir may sit on a filesystem
        # (e.g. overlayfs in a container) that cannot be an overlay's upper layer.
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        _sh("mount", "-t", "tmpfs", "tmpfs", str(scratch))
        self.n = 0

    def overlay(self, target: str, files: dict[str, Path | str], links: dict[str, str] | None = None) -> None:
        """Show `files` (relative path → source file or literal text) on top of directory `target`."""
        self.n += 1
        upper, work = self.scratch / f"upper{self.n}", self.scratch / f"work{self.n}"
        upper.mkdir()
        work.mkdir()
        for rel, src in files.items():
            dst = upper / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, Path):
                shutil.copy2(src, dst)
            else:
                dst.write_text(src)
        for rel, to in (links or {}).items():
            (upper / rel).parent.mkdir(parents=True, exist_ok=True)
            (upper / rel).symlink_to(to)
        _sh("mount", "-t", "overlay", "overlay", "-o",
            f"lowerdir={target},upperdir={upper},workdir={work}", target)

    def bind(self, src: Path, target: str) -> None:
        _sh("mount", "--bind", str(src), target)


def _deepest_existing(path: str) -> str:
    p = Path(path)
    while not p.exists():
        p = p.parent
    return str(p)


def _place_files(m: _Mounts, files: list[dict[str, str]]) -> None:
    """Make each staged file appear at its absolute path: bind over an existing file, else overlay an ancestor."""
    binds: list[tuple[Path, str]] = []
    by_ancestor: dict[str, dict[str, Path | str]] = {}
    for f in files:
        target = os.path.realpath(f["path"])
        if os.path.isfile(target):
            binds.append((Path(f["staged"]), target))
            continue
        anc = _deepest_existing(target)
        if anc == "/":
            raise RuntimeError(f"refusing to overlay / to create {target}; put it under an existing directory")
        by_ancestor.setdefault(anc, {})[os.path.relpath(target, anc)] = Path(f["staged"])
    # An ancestor inside another one is folded into the outer overlay.
    for anc in sorted(by_ancestor, key=len):
        for outer in [a for a in by_ancestor if a != anc and anc.startswith(a.rstrip("/") + "/")]:
            for rel, src in by_ancestor.pop(anc).items():
                by_ancestor[outer][os.path.relpath(os.path.join(anc, rel), outer)] = src
            break
    for anc, rels in by_ancestor.items():
        m.overlay(anc, rels)
    for src, target in binds:
        m.bind(src, target)


def _dmi(m: _Mounts, dmi: dict[str, str]) -> None:
    """Say deterministically whether this is an EC2 host, whatever machine runs the test."""
    m.overlay("/sys/devices/virtual", {f"dmi/id/{k}": v + "\n" for k, v in dmi.items()})
    m.overlay("/sys/class", {}, links={"dmi/id": "../../devices/virtual/dmi/id"})
    if os.path.isdir("/sys/hypervisor"):  # Xen-based EC2 instances announce themselves here too
        m.overlay("/sys/hypervisor", {"uuid": dmi.get("product_uuid", "").lower() + "\n"})


def _install_trust(m: _Mounts, ca_pem: Path) -> None:
    """Make the world's CA the one every client trusts by default (no AWS_CA_BUNDLE needed, as on a real host
    whose image ships a corporate CA)."""
    candidates = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
    try:
        import certifi

        candidates.append(certifi.where())
    except ImportError:
        pass
    import botocore

    candidates.append(os.path.join(os.path.dirname(botocore.__file__), "cacert.pem"))
    done: set[str] = set()
    for c in candidates:
        real = os.path.realpath(c)
        if os.path.isfile(real) and real not in done:
            m.bind(ca_pem, real)
            done.add(real)


def main(spec_path: str) -> int:
    spec: dict[str, Any] = json.loads(Path(spec_path).read_text())
    world_dir = Path(spec["world_dir"])
    result: dict[str, Any] = {"rc": None, "stdout": "", "stderr": "", "elapsed": 0.0, "timed_out": False,
                              "servers": {}, "issued_secrets": [], "world_error": None}
    running: list[tuple[str, Running]] = []
    ctx = ServerContext(world_dir=world_dir)
    try:
        _network(spec["addresses"])
        m = _Mounts(world_dir / ".mnt")
        _place_files(m, spec["files"])
        if spec.get("dmi") is not None:
            _dmi(m, spec["dmi"])
        for name, staged in spec["etc"].items():
            m.bind(Path(staged), f"/etc/{name}")
        if spec.get("tls_names"):
            from tests.world.tls import Tls

            issuer = spec.get("tls_issuer") or {}
            ctx.tls = Tls(spec["tls_names"], world_dir, **issuer)
            if spec.get("trust", "system") == "system":
                _install_trust(m, ctx.tls.ca_pem)
        for s in spec["servers"]:
            running.append((s["kind"], module(s["kind"]).start(s, ctx)))

        t0 = time.monotonic()
        try:
            p = subprocess.run(spec["command"], env=spec["env"], cwd=spec["cwd"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=spec["timeout"])
            result.update(rc=p.returncode, stdout=p.stdout.decode("utf-8", "replace"),
                          stderr=p.stderr.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired as e:
            result.update(timed_out=True, stdout=(e.stdout or b"").decode("utf-8", "replace"),
                          stderr=(e.stderr or b"").decode("utf-8", "replace"))
        result["elapsed"] = round(time.monotonic() - t0, 3)
    except Exception:
        result["world_error"] = traceback.format_exc()
    finally:
        for kind, r in reversed(running):
            try:
                r.stop()
            except Exception:
                result["world_error"] = (result["world_error"] or "") + traceback.format_exc()
            result["servers"].setdefault(kind, []).append(r.report())
        result["issued_secrets"] = ctx.issued_secrets
        Path(spec["result"]).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
