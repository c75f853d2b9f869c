"""End to end: the real `sigdoctor` CLI in a simulated AWS world, one credential-chain scenario per test.

Each test builds the world a user would be in (env vars, files, IMDS / container endpoint / STS fakes), runs
`sigdoctor run --format json` exactly as on a real host or pod, and asserts what the user sees: which source wins,
the states of the sources that matter, the top root cause, the exit code, and that no secret of the world leaks.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any

import pytest

from tests.world import ACCOUNT, Result, World, creds

REGION = "us-east-1"
IRSA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role"


# ---- helpers ---------------------------------------------------------------------------------------------------
def aws(w: World, region: str | None = REGION, sts_faults: dict[str, str] | None = None) -> World:
    """The parts of AWS every host can reach: STS by its real names over TLS (certificates issued by Amazon, as
    without a TLS-inspecting proxy), and a correct NTP clock."""
    w.sts(faults=sts_faults).tls_issuer("Amazon", "Server CA 1B")
    w.time_sync(0.0)
    if region:
        w.env(AWS_REGION=region)
    return w


def run_json(w: World, *extra: str) -> tuple[Result, dict[str, Any]]:
    r = w.run("run", "--format", "json", *extra)
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    rep = r.json
    crashed = [(p["id"], p["summary"]) for p in rep["probes"] if p["status"] == "error"]
    assert not crashed, f"probes crashed: {crashed}"
    _log_scenario(r, rep)
    return r, rep


def _log_scenario(r: Result, rep: dict[str, Any]) -> None:
    """With SIGDOCTOR_SCENARIO_LOG set, one JSON line per run: the scenario table of the closing notes."""
    log = os.environ.get("SIGDOCTOR_SCENARIO_LOG")
    if not log:
        return
    row = {"test": os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[-1].split(" ")[0],
           "winner": (rep.get("credentials") or {}).get("winner"),
           "top": rep["root_causes"][0]["id"] if rep["root_causes"] else None, "rc": r.rc, "elapsed": r.elapsed}
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


def creds_section(rep: dict[str, Any]) -> dict[str, Any]:
    section = rep.get("credentials")
    assert isinstance(section, dict), f"report has no credentials section: {section!r}"
    return section


def winner(rep: dict[str, Any]) -> str | None:
    """botocore's pick (`Session().get_credentials().method`). Deferred sources (SSO, web identity) are picked
    before they are fetched, so a broken one is still the winner — its `state` says `failed`."""
    return creds_section(rep).get("winner")  # type: ignore[no-any-return]


def state(rep: dict[str, Any], method: str) -> str:
    for s in creds_section(rep)["sources"]:
        if s["method"] == method:
            return str(s["state"])
    raise AssertionError(f"source {method!r} not in report: {[s['method'] for s in creds_section(rep)['sources']]}")


def causes(rep: dict[str, Any]) -> list[str]:
    return [c["id"] for c in rep["root_causes"]]


def top(rep: dict[str, Any]) -> dict[str, Any]:
    assert rep["root_causes"], f"no root cause; probes: {[(p['id'], p['status']) for p in rep['probes']]}"
    return rep["root_causes"][0]  # type: ignore[no-any-return]


def assert_top(r: Result, rep: dict[str, Any], cause: str, rc: int) -> None:
    got = causes(rep)
    assert got and got[0] == cause, f"top cause {got[:1]} != {cause!r}; all causes {got}\n{r.describe(1500)}"
    assert r.rc == rc, f"exit code {r.rc} != {rc} (causes {got})\n{r.describe(1500)}"


# ---- no credentials, environment variables -------------------------------------------------------------------
def test_empty_namespace_has_no_credentials(world: World) -> None:
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "no-credentials", 1)
    assert top(rep)["severity"] == "error"


def test_no_credentials_on_a_host_that_reaches_aws(world: World) -> None:
    aws(world)
    r, rep = run_json(world)
    assert winner(rep) is None
    assert all(s["state"] == "absent" for s in creds_section(rep)["sources"]), creds_section(rep)["sources"]
    assert_top(r, rep, "no-credentials", 1)


def test_empty_namespace_text_report_names_the_cause(world: World) -> None:
    r = world.run("run", "--format", "text")
    r.assert_no_secrets()
    assert r.rc == 1, r.describe()
    assert "no-credentials" in r.stdout or "No credential source yields credentials" in r.stdout, r.describe()


def test_long_lived_env_keys_win_with_a_warning(world: World) -> None:
    aws(world).env_keys("AKIA")
    r, rep = run_json(world)
    assert winner(rep) == "env"
    assert state(rep, "env") == "winner"
    assert_top(r, rep, "long-lived-keys", 0)
    assert top(rep)["severity"] == "warning"
    assert "AKIA" in creds_section(rep)["access_key_id"]


def test_access_key_without_secret_is_incomplete(world: World) -> None:
    aws(world).env_keys("AKIA", secret=False)
    r, rep = run_json(world)
    assert winner(rep) is None
    assert state(rep, "env") == "failed"
    assert_top(r, rep, "env-credentials-incomplete", 1)


def test_temporary_key_without_session_token(world: World) -> None:
    aws(world).env_keys("ASIA", session_token=False)
    r, rep = run_json(world)
    assert winner(rep) == "env"
    assert_top(r, rep, "session-token-missing", 1)


# ---- static keys shadowing a role ------------------------------------------------------------------------------
def test_env_keys_shadow_irsa(world: World) -> None:
    aws(world).env_keys("AKIA")
    world.web_identity(IRSA_ROLE)
    r, rep = run_json(world)
    assert winner(rep) == "env"
    assert state(rep, "assume-role-with-web-identity") == "shadowed"
    assert_top(r, rep, "env-shadows-role", 1)


def test_chain_prints_every_source_and_agrees_with_run(world: World) -> None:
    aws(world).env_keys("AKIA")
    world.web_identity(IRSA_ROLE)
    r_run, rep = run_json(world)
    r = world.run("chain", "--format", "text")
    r.assert_no_secrets()
    assert r.rc in (0, 1), r.describe()
    assert r.rc == r_run.rc, f"chain exit {r.rc} but run exit {r_run.rc}\n{r.describe()}"
    for s in creds_section(rep)["sources"]:
        assert s["method"] in r.stdout or s.get("name", "\0") in r.stdout, f"{s['method']} missing\n{r.describe()}"
    assert "shadowed" in r.stdout, r.describe()


def test_env_keys_shadow_instance_role(world: World) -> None:
    aws(world).env_keys("AKIA")
    world.ec2(True)
    world.imds(mode="ok")
    r, rep = run_json(world)
    assert winner(rep) == "env"
    assert state(rep, "iam-role") == "shadowed"
    assert_top(r, rep, "env-shadows-role", 1)


# ---- profiles ---------------------------------------------------------------------------------------------------
def test_unknown_profile(world: World) -> None:
    aws(world).file("~/.aws/config", "[default]\nregion = us-east-1\n\n[profile agent]\nregion = us-east-1\n")
    world.env(AWS_PROFILE="missing")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "profile-invalid", 1)


def test_source_profile_loop(world: World) -> None:
    aws(world).file("~/.aws/config", (
        "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n\n"
        "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n"))
    world.env(AWS_PROFILE="a")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "profile-invalid", 1)


def test_failing_credential_process(world: World) -> None:
    aws(world).file("~/.aws/config", "[profile agent]\ncredential_process = /bin/false\n")
    world.env(AWS_PROFILE="agent")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "profile-invalid", 1)


@pytest.mark.parametrize("cache", ["none", "expired"])
def test_sso_profile_without_valid_token(world: World, cache: str) -> None:
    aws(world).file("~/.aws/config", (
        "[profile agent]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Agent\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"))
    if cache == "expired":
        access = creds.session_token()
        world.secret(access)
        name = hashlib.sha1(b"corp").hexdigest()
        world.file(f"~/.aws/sso/cache/{name}.json", json.dumps({
            "startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": access,
            "expiresAt": creds.iso(time.time() - 3600)}))
    world.env(AWS_PROFILE="agent")
    r, rep = run_json(world)
    assert winner(rep) == "sso"
    assert state(rep, "sso") == "failed"
    assert_top(r, rep, "profile-invalid", 1)


# ---- web identity (IRSA) ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("write", ["missing", "empty"])
def test_irsa_token_file_unreadable(world: World, write: str) -> None:
    aws(world).web_identity(IRSA_ROLE, write=write)
    r, rep = run_json(world)
    assert winner(rep) == "assume-role-with-web-identity"
    assert state(rep, "assume-role-with-web-identity") == "failed"
    assert_top(r, rep, "web-identity-token-unreadable", 1)


def test_irsa_token_rejected_by_sts(world: World) -> None:
    aws(world, sts_faults={"AssumeRoleWithWebIdentity": "InvalidIdentityToken"}).web_identity(IRSA_ROLE)
    r, rep = run_json(world)
    assert winner(rep) == "assume-role-with-web-identity"
    assert state(rep, "assume-role-with-web-identity") == "failed"
    assert_top(r, rep, "web-identity-rejected", 1)
    assert any(q["action"] == "AssumeRoleWithWebIdentity" for q in r.requests("sts"))


def test_irsa_healthy(world: World) -> None:
    aws(world).web_identity(IRSA_ROLE)
    r, rep = run_json(world)
    assert winner(rep) == "assume-role-with-web-identity"
    assert state(rep, "assume-role-with-web-identity") == "winner"
    assert r.rc == 0, f"causes {causes(rep)}\n{r.describe(1500)}"
    assert not [c for c in rep["root_causes"] if c["severity"] == "error"]
    assert creds_section(rep)["access_key_id"].startswith("ASIA")


# ---- container credentials (EKS Pod Identity) ------------------------------------------------------------------
@pytest.mark.parametrize("how", ["401", "unreachable"])
def test_pod_identity_endpoint_fails(world: World, how: str) -> None:
    aws(world)
    if how == "unreachable":
        world.container("pod-identity", serve=False)
    else:
        world.container("pod-identity", mode="401")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert state(rep, "container-role") == "failed"
    assert_top(r, rep, "container-credentials-failed", 1)


def test_pod_identity_healthy(world: World) -> None:
    aws(world).container("pod-identity", mode="ok")
    r, rep = run_json(world)
    assert winner(rep) == "container-role"
    assert r.rc == 0, f"causes {causes(rep)}\n{r.describe(1500)}"
    assert not [c for c in rep["root_causes"] if c["severity"] == "error"]
    assert [q["path"] for q in r.requests("container")] and all(
        "authorization" in q["headers"] for q in r.requests("container"))


# ---- instance metadata (EC2) -----------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["no-route", "refused"])
def test_ec2_without_imds(world: World, how: str) -> None:
    aws(world).ec2(True)
    if how == "refused":
        world.address("169.254.169.254")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "imds-unreachable", 1)


def test_imds_hop_limit(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="hop-limit", v1=False)
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "imds-hop-limit", 1)
    # Without a token every GET is 401: nothing says the instance lacks a role, so that must not be claimed.
    assert "imds-no-role" not in causes(rep), causes(rep)


def test_imds_hop_limit_with_v1_fallback_is_still_reported(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="hop-limit", v1=True)
    r, rep = run_json(world)
    assert winner(rep) == "iam-role"
    assert "imds-hop-limit" in causes(rep), f"causes {causes(rep)}\n{r.describe(1500)}"


def test_imds_without_role(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="no-role")
    r, rep = run_json(world)
    assert winner(rep) is None
    assert_top(r, rep, "imds-no-role", 1)


def test_imds_v1_only_works_with_a_warning(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="v1-only")
    r, rep = run_json(world)
    assert winner(rep) == "iam-role"
    assert_top(r, rep, "imdsv1-in-use", 0)
    assert top(rep)["severity"] == "warning"


def test_imds_serves_expired_credentials(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="ok", expires_in=-3600)
    r, rep = run_json(world)
    assert_top(r, rep, "credentials-expired", 1)


def test_instance_role_healthy(world: World) -> None:
    aws(world).ec2(True)
    world.imds(mode="ok")
    r, rep = run_json(world)
    assert winner(rep) == "iam-role"
    assert state(rep, "iam-role") == "winner"
    assert r.rc == 0, f"causes {causes(rep)}\n{r.describe(1500)}"
    assert not [c for c in rep["root_causes"] if c["severity"] == "error"]
    # IMDSv2: the token was fetched and every GET carried it
    reqs = r.requests("imds")
    assert reqs and reqs[0]["method"] == "PUT"
    assert all("x-aws-ec2-metadata-token" in q["headers"] for q in reqs if q["method"] == "GET")


def test_ecs_task_role_healthy(world: World) -> None:
    aws(world).container("ecs", mode="ok")
    r, rep = run_json(world)
    assert winner(rep) == "container-role"
    assert r.rc == 0, f"causes {causes(rep)}\n{r.describe(1500)}"


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_report_file_keeps_every_secret_out(world: World, fmt: str) -> None:
    """Every kind of secret at once (env keys + session token, IRSA JWT, Pod Identity token, IMDS credentials and
    tokens, what STS issued): none may reach the terminal or the report file, in any format."""
    aws(world).env_keys("ASIA")
    world.web_identity(IRSA_ROLE)
    world.container("pod-identity", mode="ok")
    world.ec2(True)
    world.imds(mode="ok")
    out = world.out / f"report.{fmt}"
    r = world.run("run", "--format", fmt, "--output", str(out), "-v")
    assert out.exists() and out.stat().st_size > 0, r.describe()
    r.assert_no_secrets()
    if fmt == "json":
        assert json.loads(out.read_text())["credentials"]["winner"] == "env"
