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


@pytest.mark.parametrize(("value", "why"), [
    ("us-east-1 ", "trailing space"),
    ("\tus-east-1", "leading whitespace"),
    ("us-east-1\n", "trailing whitespace"),  # botocore's `$` lets a final newline through; the SDK would send it
    ("us-east-1\x1b[31m", "contains control characters"),
    ("bad region", "a region name is letters, digits and hyphens, like us-east-1"),
    ("x" * 64, "64 bytes long; a region name is at most 63 characters"),
])
def test_an_invalid_region_from_the_environment_is_named_and_no_sts_endpoint_is_made_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, why: str) -> None:
    from sigdoctor.endpoints import resolve_region

    env = _env(tmp_path, AWS_REGION=value)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    ctx = Context(env=env, targets=["https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"])
    region = resolve_region(ctx)
    assert region.invalid is not None and f"({why}) is not a valid region" in region.invalid
    assert region.invalid.startswith("AWS_REGION='") and "\x1b" not in region.invalid and "\n" not in region.invalid
    assert region.name == "us-east-1" and region.invalid_cause == "region-mismatch"
    assert [e.purpose for e in endpoints_of_run(ctx)] == ["target", "iam"]


def test_valid_regions_pass(tmp_path: Path) -> None:
    from sigdoctor.endpoints import region_problem

    for value in ("us-east-1", "eu-west-2", "us-gov-west-1", "cn-north-1", "us-iso-east-1", "local"):
        assert region_problem(value) is None, value


@pytest.mark.parametrize("extra", [
    {"AWS_REGION": "eu-west-1"}, {"AWS_REGION": "us-east-1", "AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
    {"AWS_REGION": "us-east-1", "AWS_STS_REGIONAL_ENDPOINTS": "regional"}, {"AWS_REGION": "cn-north-1"},
    {"AWS_REGION": "us-gov-west-1", "AWS_USE_FIPS_ENDPOINT": "true"},
    {"AWS_REGION": "eu-central-1", "AWS_USE_DUALSTACK_ENDPOINT": "true"},
    {"AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_STS": "https://sts.internal.example:8443"},
    {"AWS_REGION": "ap-south-1", "AWS_ENDPOINT_URL": "https://all.internal.example"},
])
def test_the_sts_endpoint_is_the_one_the_agents_botocore_client_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      extra: dict[str, str]) -> None:
    # Worked out in a session without botocore's event handlers (cheaper); the client the identity probe sends
    # with has them all.
    env = _env(tmp_path, **extra)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ctx = Context(env=env)
    full = Context(env=env).botocore_session().create_client(
        "sts", region_name=extra["AWS_REGION"], aws_access_key_id="AKIDPLACEHOLDER", aws_secret_access_key="x")
    assert endpoints_of_run(ctx)[0].url == full.meta.endpoint_url
