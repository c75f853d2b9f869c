"""End to end: the real `sigdoctor run` in the simulated AWS world, one identity scenario per cause.

STS is moto behind TLS at its real names (tests/world); a scenario makes STS answer an error with `faults`, or, where
the error must come from a real SigV4 check against a server clock that differs from ours, runs the SigV4-verifying
fake AWS (tests/fakes/aws_api.py) in the world around the command. Each test asserts what the user sees: the top
root cause, the exit code, the identity section, and that no secret of the world leaks.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests.world import ACCOUNT, REPO_ROOT, Result, World

REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/amp-writer"
FAKE_ADDRESS = "52.94.0.40"


def aws(w: World, region: str = REGION, **faults: str) -> World:
    w.sts(faults=dict(faults))
    w.env(AWS_REGION=region, PYTHONPATH=str(REPO_ROOT))
    return w


def run_json(w: World, *extra: str) -> tuple[Result, dict[str, Any]]:
    r = w.run("run", "--format", "json", "--only", "credentials", "--only", "identity", *extra)
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    return r, r.json


def identity(rep: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in rep["probes"] if p["id"] == "identity")


def finding(rep: dict[str, Any], fid: str) -> dict[str, Any]:
    found = [f for f in identity(rep)["findings"] if f["id"] == fid]
    assert found, f"no {fid} in {[(f['id'], f['status']) for f in identity(rep)['findings']]}"
    return found[0]


def assert_top(r: Result, rep: dict[str, Any], cause: str, rc: int) -> None:
    got = [c["id"] for c in rep["root_causes"]]
    assert got and got[0] == cause, f"top cause {got[:1]} != {cause!r}; all {got}\n{r.describe(2000)}"
    assert r.rc == rc, f"exit code {r.rc} != {rc}\n{r.describe(1500)}"


def sts_actions(r: Result) -> list[tuple[str, str]]:
    """STS requests the fake saw (the world's IAM setup calls go to the same fake and are left out)."""
    hosts = [(q["host"].split(":")[0], q["action"]) for q in r.requests("sts")]
    return [(h, a) for h, a in hosts if h.startswith("sts.")]


# ---- accepted credentials ---------------------------------------------------------------------------------------
def test_static_keys_are_confirmed_on_the_regional_endpoint(world: World) -> None:
    aws(world).env_keys("AKIA")
    r, rep = run_json(world)
    assert identity(rep)["status"] == "pass", r.describe()
    data = finding(rep, "identity.caller")["evidence"]
    # moto names an unknown key's caller arn:aws:sts::ACCOUNT:user/moto (AWS would say iam::…:user/NAME)
    assert data["account"] == ACCOUNT and data["arn"].startswith(f"arn:aws:sts::{ACCOUNT}:user/")
    assert data["sts_endpoint"] == "https://sts.us-east-1.amazonaws.com"
    assert sts_actions(r) == [("sts.us-east-1.amazonaws.com", "GetCallerIdentity")]
    assert r.rc == 0, r.describe()


def test_legacy_sts_setting_warns_about_the_global_endpoint(world: World) -> None:
    aws(world).env_keys("AKIA")
    world.env(AWS_STS_REGIONAL_ENDPOINTS="legacy")
    r, rep = run_json(world)
    f = finding(rep, "identity.sts-global-endpoint")
    assert f["status"] == "warn" and "AWS_STS_REGIONAL_ENDPOINTS=legacy" in f["message"]
    cause = next(c for c in rep["root_causes"] if c["id"] == "sts-global-endpoint")
    assert cause["severity"] == "warning" and r.rc == 0
    assert sts_actions(r) == [("sts.amazonaws.com", "GetCallerIdentity")]


def test_global_endpoint_session_for_an_opt_in_region_target_is_predicted(world: World) -> None:
    aws(world)
    world.web_identity(f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role", regional_sts=False)
    world.env(AWS_STS_REGIONAL_ENDPOINTS="legacy")
    target = "https://aps-workspaces.af-south-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
    _r, rep = run_json(world, "--target", target)
    f = finding(rep, "identity.sts-opt-in-region")
    assert f["status"] == "warn" and "af-south-1" in f["message"]
    assert "sts-opt-in-region" in [c["id"] for c in rep["root_causes"]]


def test_target_in_another_account_is_flagged(world: World) -> None:
    aws(world).env_keys("AKIA")
    _r, rep = run_json(world, "--target", "arn:aws:aps:us-east-1:444455556666:workspace/ws-1")
    f = finding(rep, "identity.account-mismatch")
    assert f["status"] == "warn" and "444455556666" in f["message"] and ACCOUNT in f["message"]


# ---- STS refuses the credentials --------------------------------------------------------------------------------
def test_unknown_access_key(world: World) -> None:
    aws(world, GetCallerIdentity="InvalidClientTokenId").env_keys("AKIA")
    r, rep = run_json(world)
    assert_top(r, rep, "access-key-invalid", 1)


def test_session_token_from_another_session(world: World) -> None:
    aws(world, GetCallerIdentity="InvalidClientTokenId").env_keys("ASIA")
    r, rep = run_json(world)
    assert_top(r, rep, "session-token-missing", 1)


def test_session_token_refused_in_an_opt_in_region(world: World) -> None:
    aws(world, "af-south-1", GetCallerIdentity="InvalidClientTokenId").env_keys("ASIA")
    r, rep = run_json(world)
    assert_top(r, rep, "sts-opt-in-region", 1)
    assert sts_actions(r) == [("sts.af-south-1.amazonaws.com", "GetCallerIdentity")]


def test_expired_session(world: World) -> None:
    aws(world, GetCallerIdentity="ExpiredToken").env_keys("ASIA")
    r, rep = run_json(world)
    assert_top(r, rep, "credentials-expired", 1)


def test_wrong_secret_key(world: World) -> None:
    aws(world, GetCallerIdentity="SignatureDoesNotMatch").env_keys("AKIA")
    r, rep = run_json(world)
    assert_top(r, rep, "secret-key-mismatch", 1)


def test_clock_an_hour_off_is_clock_skew_not_a_wrong_secret(world: World) -> None:
    # AWS's clock (the fake's) an hour behind ours: a real SigV4 check answers "Signature not yet current".
    from tests.fakes.aws_api import FakeAws

    fake = FakeAws()
    key = fake.add_user("agent")
    fake.clock_offset = -3600.0
    cfg = world.dir / "fake-aws.json"
    cfg.write_text(json.dumps(fake.to_config()))
    world.secret(key.secret)
    world.address(FAKE_ADDRESS).dns(f"sts.{REGION}.amazonaws.com", "A", FAKE_ADDRESS)
    world.env(AWS_REGION=REGION, PYTHONPATH=str(REPO_ROOT), AWS_ACCESS_KEY_ID=key.access_key_id,
              AWS_SECRET_ACCESS_KEY=key.secret)
    calls = world.dir / "fake-calls.json"
    r = world.run_cmd([sys.executable, "-m", "tests.fakes.aws_api", "--config", str(cfg), "--listen",
                       f"{FAKE_ADDRESS}:443", "--tls-name", f"sts.{REGION}.amazonaws.com", "--calls-out", str(calls),
                       "--", *world.sigdoctor_argv(), "run", "--format", "json", "--only", "credentials",
                       "--only", "identity"])
    r.assert_no_secrets()
    rep = r.json
    assert_top(r, rep, "clock-skew", 1)
    assert "Signature not yet current" in finding(rep, "identity.clock-skew")["message"]
    assert [c["operation"] for c in json.loads(calls.read_text())["calls"]] == ["GetCallerIdentity"]


# ---- --role-arn ---------------------------------------------------------------------------------------------------
def test_role_arn_is_assumed_like_sigv4_role_arn(world: World) -> None:
    aws(world).env_keys("AKIA")
    world.sts_role("amp-writer")
    r, rep = run_json(world, "--role-arn", ROLE)
    assumed = finding(rep, "identity.role-assumed")["evidence"]
    assert assumed["role_arn"] == ROLE and ":assumed-role/amp-writer/" in assumed["arn"], r.describe()
    assert assumed["session_name"].isdigit()
    assert [a for _, a in sts_actions(r)] == ["GetCallerIdentity", "AssumeRole", "GetCallerIdentity"]
    assert r.rc == 0, r.describe()


def test_role_arn_denied(world: World) -> None:
    aws(world, AssumeRole="AccessDenied").env_keys("AKIA")
    r, rep = run_json(world, "--role-arn", ROLE)
    assert_top(r, rep, "role-trust-denied", 1)
    assert ROLE in finding(rep, "identity.role-trust-denied")["message"]


def test_role_asked_to_assume_itself(world: World) -> None:
    aws(world, AssumeRole="AccessDenied")
    world.web_identity(ROLE)
    r = world.run("run", "--only", "credentials", "--only", "identity", "--role-arn", ROLE, "--no-color")
    r.assert_no_secrets()
    text = " ".join(r.stdout.split())
    assert ("the agent already runs as role amp-writer; remove sigv4.role_arn or allow amp-writer to assume itself "
            "in its trust policy") in text, r.describe()
    assert r.rc == 1, r.describe()
