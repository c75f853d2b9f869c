"""Credential endpoints that answer without end (a broken proxy, a hostile AWS_CONTAINER_CREDENTIALS_FULL_URI): the
body read is capped, the source is reported failed with the reason, and the run ends on its own."""

from __future__ import annotations

import json

import pytest

from tests.world import World


@pytest.mark.parametrize("kind", ["container", "imds"])
def test_endless_credentials_body_is_cut_and_named(world: World, kind: str) -> None:
    world.env(AWS_REGION="us-east-1")
    if kind == "container":
        world.container("pod-identity", mode="endless")
        method = "container-role"
    else:
        world.ec2(True)
        world.imds(mode="endless")
        method = "iam-role"
    r = world.run("run", "--deadline", "8", "--format", "json")
    assert not r.timed_out and r.rc == 1, r.describe()
    rep = json.loads(r.stdout)
    source = next(s for s in rep["credentials"]["sources"] if s["method"] == method)
    assert source["state"] == "failed", source
    assert "more than 1.0 MiB" in source["detail"], source
    assert "internal error" not in r.stderr
