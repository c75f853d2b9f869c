"""Web identity (IRSA): token file, claims, role ARN, and what STS says about them."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.creds.conftest import Env, Result
from tests.creds.fakes import RejectingSts, make_jwt

Probe = Callable[..., Result]
ROLE = "arn:aws:iam::123456789012:role/agent-irsa"
ISS = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
SUB = "system:serviceaccount:monitoring:grafana-agent"


def irsa(env: Env, exp_in: float = 3600, role: str = ROLE) -> str:
    claims = {
        "iss": ISS,
        "sub": SUB,
        "aud": ["sts.amazonaws.com"],
        "exp": int(time.time() + exp_in),
        "iat": int(time.time()),
    }
    token = env.secret(make_jwt(claims))
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = env.file("sa/token", token)
    env.vars["AWS_ROLE_ARN"] = role
    return token


def test_web_identity_wins_through_sts(env: Env, probe: Probe, moto_sts: str) -> None:
    irsa(env)
    env.vars["AWS_ENDPOINT_URL_STS"] = moto_sts
    r = probe(env)
    assert r.winner == "assume-role-with-web-identity"
    assert r.creds["access_key_id"] and r.creds["access_key_id"].startswith("ASIA")
    assert r.creds["expiry"]
    claims = r.finding("web-identity-claims")
    assert str(claims.status) == "pass"
    assert claims.evidence["sub"] == SUB and claims.evidence["iss"] == ISS
    assert str(r.outcome.status) == "pass"


def test_env_keys_shadow_irsa(env: Env, probe: Probe) -> None:
    irsa(env)
    env.vars["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYSHADOW01")
    r = probe(env)
    assert r.winner == "env"
    assert r.state("assume-role-with-web-identity") == "shadowed"
    f = r.finding("env-shadows-role")
    assert str(f.status) == "fail"
    assert any("unset AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in x and ROLE in x for x in f.evidence["fix"])


def test_missing_token_file(env: Env, probe: Probe) -> None:
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(env.tmp / "nope" / "token")
    env.vars["AWS_ROLE_ARN"] = ROLE
    r = probe(env, offline=True)
    assert r.winner == "assume-role-with-web-identity"
    assert r.state("assume-role-with-web-identity") == "failed"
    f = r.finding("web-identity-token-unreadable")
    assert str(f.status) == "fail" and "does not exist" in f.message


def test_empty_token_file(env: Env, probe: Probe) -> None:
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = env.file("sa/token", "\n")
    env.vars["AWS_ROLE_ARN"] = ROLE
    r = probe(env, offline=True)
    assert "is empty" in r.finding("web-identity-token-unreadable").message


def test_expired_token_claims_warn(env: Env, probe: Probe) -> None:
    irsa(env, exp_in=-7200)
    r = probe(env, offline=True)
    f = r.finding("web-identity-claims")
    assert str(f.status) == "warn"
    assert f.evidence["exp"] < f.evidence["now"]


def test_malformed_role_arn(env: Env, probe: Probe) -> None:
    irsa(env, role="arn:aws:iam::1234:role/agent")
    r = probe(env, offline=True)
    f = r.finding("web-identity-rejected")
    assert "not 12 digits" in f.message


def test_user_arn_instead_of_role(env: Env, probe: Probe) -> None:
    irsa(env, role="arn:aws:iam::123456789012:user/agent")
    r = probe(env, offline=True)
    assert "not a role/" in r.finding("web-identity-rejected").message


def test_no_oidc_provider(env: Env, probe: Probe, rejecting_sts: Callable[..., RejectingSts]) -> None:
    sts = rejecting_sts()
    irsa(env)
    env.vars["AWS_ENDPOINT_URL_STS"] = sts.url
    r = probe(env)
    assert r.winner == "assume-role-with-web-identity"
    assert r.state("assume-role-with-web-identity") == "failed"
    assert str(r.finding("winner").status) == "warn"
    f = r.finding("web-identity-rejected")
    assert f.evidence["code"] == "InvalidIdentityToken"
    assert any("OIDC identity provider" in x for x in f.evidence["fix"])
    assert sts.calls and sts.calls[0] == "AssumeRoleWithWebIdentity"


def test_trust_policy_denies(env: Env, probe: Probe, rejecting_sts: Callable[..., RejectingSts]) -> None:
    sts = rejecting_sts(
        code="AccessDenied", status=403, message="Not authorized to perform sts:AssumeRoleWithWebIdentity"
    )
    irsa(env)
    env.vars["AWS_ENDPOINT_URL_STS"] = sts.url
    r = probe(env)
    f = r.finding("role-trust-denied")
    assert str(f.status) == "fail"
    assert any(SUB in x for x in f.evidence["fix"])


def test_profile_role_trust_denied(env: Env, probe: Probe, rejecting_sts: Callable[..., RejectingSts]) -> None:
    sts = rejecting_sts(code="AccessDenied", status=403, message="User is not authorized to perform: sts:AssumeRole")
    env.config(
        "[profile agent]\nrole_arn = arn:aws:iam::123456789012:role/writer\nsource_profile = base\n"
        f"[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {env.secret('baseSecret0123456789abcdefghijklmnopqrs')}\n"
    )
    env.vars["AWS_PROFILE"] = "agent"
    env.vars["AWS_ENDPOINT_URL_STS"] = sts.url
    r = probe(env)
    assert r.winner == "assume-role"
    f = r.finding("role-trust-denied")
    assert f.evidence["operation"] == "AssumeRole"
    assert f.evidence["role_arn"] == "arn:aws:iam::123456789012:role/writer"


def test_explicit_profile_ignores_irsa_env(env: Env, probe: Probe) -> None:
    irsa(env)
    env.credentials(
        f"[ops]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {env.secret('opsSecret0123456789abcdefghijklmnopqrs')}\n"
    )
    r = probe(env, profile="ops")
    assert r.winner == "shared-credentials-file"
    assert r.state("assume-role-with-web-identity") == "absent"
    assert "env-shadows-role" in r.finding("env-shadows-role").id


def test_token_path_is_a_directory(env: Env, probe: Probe) -> None:
    (env.tmp / "sa").mkdir()
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(env.tmp / "sa")
    env.vars["AWS_ROLE_ARN"] = ROLE
    r = probe(env, offline=True)
    assert "is a directory" in r.finding("web-identity-token-unreadable").message


def test_unreadable_token_names_the_uid(env: Env, probe: Probe) -> None:
    import os

    import pytest

    if os.geteuid() == 0:
        pytest.skip("root reads any file: permission errors cannot be produced")
    irsa(env)
    os.chmod(env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"], 0)
    r = probe(env, offline=True)
    f = r.finding("web-identity-token-unreadable")
    assert f"uid {os.getuid()}" in f.message
