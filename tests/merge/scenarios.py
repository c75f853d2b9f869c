"""Fleet scenarios: one simulated host each, run through the real `sigdoctor run --format json` in tests/world.

The world shares the machine's hostname (no UTS namespace), so each report's `environment.host` is set to the
scenario's host name afterwards — as if each had run on its own node.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.world import ACCOUNT, World

REGION = "us-east-1"
IRSA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role"


def _aws(w: World) -> World:
    w.sts().tls_issuer("Amazon", "Server CA 1B")
    w.time_sync(0.0)
    w.env(AWS_REGION=REGION)
    return w


def irsa_healthy(w: World) -> None:
    _aws(w).web_identity(IRSA_ROLE)


def no_credentials(w: World) -> None:
    _aws(w)


def env_keys(w: World) -> None:
    _aws(w).env_keys("AKIA")


def imds_hop_limit(w: World) -> None:
    _aws(w).ec2(True)
    w.imds(mode="hop-limit", v1=False)


def clock_skew(w: World) -> None:
    # Our clock 400 s ahead of Amazon Time Sync, with working IRSA otherwise.
    w.time_sync(-400.0).env(AWS_REGION=REGION).web_identity(IRSA_ROLE)


# host name → scenario. Two hosts share each common situation so the fleet view has groups to form.
FLEET: dict[str, Callable[[World], None]] = {
    "node-a": irsa_healthy,
    "node-b": irsa_healthy,
    "node-c": no_credentials,
    "node-d": no_credentials,
    "node-e": env_keys,
    "node-f": imds_hop_limit,
    "node-g": clock_skew,
}


def produce(base: Path, fleet: dict[str, Callable[[World], None]] = FLEET) -> dict[str, dict[str, Any]]:
    """Run every scenario in its own world; returns host → report (with its host name set)."""
    reports: dict[str, dict[str, Any]] = {}
    for host, scenario in fleet.items():
        w = World(base / host)
        scenario(w)
        r = w.run("run", "--format", "json", "--deadline", "15")
        r.assert_no_secrets()
        assert not r.timed_out and r.rc in (0, 1), r.describe(1500)
        rep = r.json
        rep["environment"]["host"] = host
        reports[host] = rep
    return reports


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for host, rep in produce(Path(d)).items():
            print(host, [(c["id"], c["severity"]) for c in rep["root_causes"]], file=sys.stderr)
            Path(sys.argv[1] if len(sys.argv) > 1 else ".", f"{host}.json").write_text(json.dumps(rep, indent=2))
