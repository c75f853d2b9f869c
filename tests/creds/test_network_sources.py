"""Container endpoints and IMDS, against loopback fakes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sigdoctor.context import Context
from sigdoctor.creds import imds as imds_mod
from sigdoctor.creds.files import load
from tests.creds.conftest import Env, Result
from tests.creds.fakes import FakeContainer, FakeImds, role_credentials

Probe = Callable[..., Result]
Imds = Callable[..., FakeImds]
Container = Callable[..., FakeContainer]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def use_imds(env: Env, server_url: str) -> None:
    env.vars.pop("AWS_EC2_METADATA_DISABLED")
    env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server_url


# --- container ---------------------------------------------------------------------------------------------------


def test_container_endpoint_with_token_file_wins(env: Env, probe: Probe, container: Container) -> None:
    token = env.secret("pod-identity-token-0123456789")
    srv = container(token=token)
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = env.file("eks-pod-identity-token", token)
    env.secret(srv.creds["SecretAccessKey"])
    env.secret(srv.creds["Token"])
    r = probe(env)
    assert r.winner == "container-role"
    assert r.creds["access_key_id"] == "ASIA…R0XY"
    assert str(r.outcome.status) == "pass"


def test_container_token_refused(env: Env, probe: Probe, container: Container) -> None:
    srv = container(token="the-right-token-000000")
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = env.secret("a-stale-token-1111111111")
    r = probe(env)
    assert r.winner is None
    f = r.finding("container-credentials-failed")
    assert str(f.status) == "fail"
    assert f.evidence["error_kind"] == "auth" and f.evidence["http_status"] == 401
    assert r.state("container-role") == "failed"


def test_container_token_file_missing(env: Env, probe: Probe, container: Container) -> None:
    srv = container(token="needed-token-000000")
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(env.tmp / "missing-token")
    r = probe(env)
    assert r.winner is None
    assert "does not exist" in r.finding("container-credentials-failed").message


def test_container_endpoint_refuses_connections(env: Env, probe: Probe) -> None:
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:{closed_port()}/creds"
    r = probe(env)
    assert r.winner is None
    assert r.finding("container-credentials-failed").evidence["error_kind"] == "refused"


def test_container_bad_json(env: Env, probe: Probe, container: Container) -> None:
    srv = container(body="<html>oops</html>")
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    r = probe(env)
    assert r.winner is None
    assert r.finding("container-credentials-failed").evidence["error_kind"] == "json"


def test_container_full_uri_botocore_refuses(env: Env, probe: Probe) -> None:
    # Never contacted: botocore refuses plain http to a host that is neither loopback nor link-local ECS/EKS.
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://192.0.2.10/creds"
    r = probe(env)
    assert r.winner is None
    f = r.finding("container-credentials-failed")
    assert "refuses plain http" in f.message
    assert f.evidence["error_kind"] == "refused-uri"


def test_container_expired_credentials(env: Env, probe: Probe, container: Container) -> None:
    srv = container(creds=role_credentials("ASIAFAKECONTAINER0XY", expires_in=-600))
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    r = probe(env)
    assert r.winner == "container-role"
    assert str(r.finding("credentials-expired").status) == "fail"


def test_static_keys_shadow_pod_identity(env: Env, probe: Probe, container: Container) -> None:
    srv = container()
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    env.credentials(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        f"aws_secret_access_key = {env.secret('fileSecret0123456789abcdefghijklmnopqrs')}\n"
    )
    r = probe(env)
    assert r.winner == "shared-credentials-file"
    assert r.state("container-role") == "shadowed"
    f = r.finding("env-shadows-role")
    assert f.evidence["shadowed"] == ["container-role"]
    assert any("remove aws_access_key_id" in x for x in f.evidence["fix"])


def test_offline_contacts_nothing(env: Env, probe: Probe, container: Container) -> None:
    srv = container()
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.url
    hits: list[str] = []
    original = srv._handle
    srv._handle = lambda h, m: (hits.append(m), original(h, m))  # type: ignore[method-assign]
    r = probe(env, offline=True, compare=False)
    assert r.winner is None
    assert r.state("container-role") == "configured"
    assert "--offline" in r.detail("container-role")
    assert "credentials.no-credentials" not in r.findings()
    assert hits == []


# --- IMDS --------------------------------------------------------------------------------------------------------


def test_imds_v2_instance_role_wins(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds()
    use_imds(env, srv.url)
    env.secret(srv.creds["SecretAccessKey"])
    env.secret(srv.creds["Token"])
    r = probe(env)
    assert r.winner == "iam-role"
    assert r.creds["access_key_id"] == "ASIA…WXYZ"
    assert set(r.findings()) == {"credentials.files", "credentials.winner"}
    assert "IMDSv2" in r.detail("iam-role")


def test_hop_limit_with_v1_fallback(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds(hop_limit=True)
    use_imds(env, srv.url)
    r = probe(env)
    assert r.winner == "iam-role"
    hop = r.finding("imds-hop-limit")
    assert str(hop.status) == "warn"
    assert hop.evidence["put_outcome"] == "timeout" and hop.evidence["v1_get"] == "ok"
    assert str(r.finding("imdsv1-in-use").status) == "warn"


def test_hop_limit_with_v1_disabled(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds(hop_limit=True, v1=False)
    use_imds(env, srv.url)
    env.vars["AWS_EC2_METADATA_V1_DISABLED"] = "true"
    r = probe(env)
    assert r.winner is None
    hop = r.finding("imds-hop-limit")
    assert str(hop.status) == "fail"
    assert hop.evidence["v1_disabled"] is True
    assert any("--http-put-response-hop-limit 2" in x for x in hop.evidence["fix"])


def test_imds_without_role(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds(role=None)
    use_imds(env, srv.url)
    r = probe(env)
    assert r.winner is None
    assert str(r.finding("imds-no-role").status) == "fail"
    assert r.state("iam-role") == "failed"


def test_imds_expected_but_silent(env: Env, probe: Probe) -> None:
    use_imds(env, f"http://127.0.0.1:{closed_port()}/")
    r = probe(env)
    assert r.winner is None
    f = r.finding("imds-unreachable")
    assert "AWS_EC2_METADATA_SERVICE_ENDPOINT is set" in f.evidence["expected_because"]


def test_imds_expired_credentials(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds(creds=role_credentials(expires_in=-3600))
    use_imds(env, srv.url)
    r = probe(env)
    assert r.winner == "iam-role"
    assert str(r.finding("credentials-expired").status) == "fail"


def test_env_keys_shadow_instance_role(env: Env, probe: Probe, imds: Imds) -> None:
    srv = imds()
    use_imds(env, srv.url)
    env.vars["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYIMDSSH01")
    r = probe(env)
    assert r.winner == "env"
    assert r.state("iam-role") == "shadowed"
    assert "instance profile role agent-role" in r.finding("env-shadows-role").message


def test_profile_credential_source_expects_imds(env: Env, tmp_path: Path) -> None:
    env.config("[default]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Ec2InstanceMetadata\n")
    ctx = Context(env=dict(env.vars))
    cfg = imds_mod.configure(ctx, load(ctx))
    assert any("Ec2InstanceMetadata" in why for why in cfg.expected_why)


def test_ec2_host_is_recognised_from_dmi(env: Env, tmp_path: Path) -> None:
    root = tmp_path / "root"
    dmi = root / "sys/devices/virtual/dmi/id"
    dmi.mkdir(parents=True)
    (dmi / "sys_vendor").write_text("Amazon EC2\n")
    (dmi / "board_asset_tag").write_text("i-0123456789abcdef0\n")
    assert len(imds_mod.ec2_hints(Context(env={}, root=root))) == 2
    assert imds_mod.ec2_hints(Context(env={}, root=tmp_path / "empty")) == []


def test_silent_imds_on_a_laptop_is_only_a_detail(env: Env) -> None:
    ctx = Context(env=dict(env.vars), root=env.tmp / "not-ec2")
    cfg = imds_mod.ImdsConfig(False, "http://169.254.169.254/", "default", False)
    diag = imds_mod.source(cfg, imds_mod.ImdsProbe(True, tcp="timeout", tcp_error="no TCP answer"))
    assert not diag.configured
    assert "(not EC2?)" in diag.detail
    assert imds_mod.ec2_hints(ctx) == []


@pytest.mark.parametrize("mode,expected", [("IPv6", "http://[fd00:ec2::254]/"), ("IPv4", "http://169.254.169.254/")])
def test_imds_endpoint_mode(env: Env, mode: str, expected: str) -> None:
    env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = mode
    ctx = Context(env=dict(env.vars))
    assert imds_mod.configure(ctx, load(ctx)).base_url == expected


def test_everything_silent_still_answers(env: Env, probe: Probe) -> None:
    port = closed_port()
    use_imds(env, f"http://127.0.0.1:{port}/")
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:{port}/creds"
    started = time.monotonic()
    r = probe(env, compare=False)
    assert r.winner is None
    assert time.monotonic() - started < 60  # a hang guard, not a timing assertion


@pytest.mark.parametrize(("env_value", "profile_value", "seconds"), [
    (None, None, 1.0), ("3", None, 3.0), (None, "2.5", 2.5), ("4", "2", 4.0), ("soon", None, 1.0), ("0", None, 1.0),
    ("600", None, 5.0),
])
def test_imds_waits_as_long_as_botocore_is_told_to(env: Env, env_value: str | None, profile_value: str | None,
                                                  seconds: float) -> None:
    """metadata_service_timeout (AWS_METADATA_SERVICE_TIMEOUT first, then the profile) is how long botocore waits
    for each IMDS request; the survey waits as long (at most 5 s a step, so its four steps fit the probe's budget)."""
    env.vars.pop("AWS_EC2_METADATA_DISABLED")
    if env_value is not None:
        env.vars["AWS_METADATA_SERVICE_TIMEOUT"] = env_value
    if profile_value is not None:
        env.config(f"[default]\nmetadata_service_timeout = {profile_value}\n")
    ctx = Context(env=dict(env.vars))
    assert imds_mod.configure(ctx, load(ctx)).timeout_s == seconds
