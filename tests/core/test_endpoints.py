"""Endpoints of a run: what the network probes look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigdoctor.context import Context
from sigdoctor.endpoints import endpoints_of_run


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            **extra}


def test_regional_sts_and_target_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _env(tmp_path, AWS_REGION="eu-west-1")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ctx = Context(env=env, targets=["https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"])
    eps = endpoints_of_run(ctx)
    assert [(e.purpose, e.host) for e in eps] == [
        ("sts", "sts.eu-west-1.amazonaws.com"),
        ("target", "aps-workspaces.eu-west-1.amazonaws.com"),
        ("iam", "iam.amazonaws.com"),
    ]


def test_a_broken_profile_still_gives_the_regional_sts_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _env(tmp_path, AWS_PROFILE="does-not-exist", AWS_DEFAULT_REGION="ap-south-1")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ctx = Context(env=env)
    assert endpoints_of_run(ctx)[0].host == "sts.ap-south-1.amazonaws.com"
