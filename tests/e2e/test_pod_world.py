"""End to end: the EKS pod most users have (bench/pod_world.py — IRSA, IMDS silently dropped, Amazon Time Sync
answering, public NTP blocked, AMP answering), and when the credentials probe may stop waiting for the silent IMDS.

IMDS comes after web identity in botocore's chain: once STS accepted the web identity credentials and the agent's
Go SDK does not fall back to IMDS either, its silence cannot change the diagnosis, and the report says it was not
needed instead of waiting out the connect. When STS rejects the winner, or the agent's SDK would use the instance
role, IMDS is waited for and reported as before.
"""

from __future__ import annotations

from typing import Any

from bench.pod_world import AMP_URL, amp_launcher, build
from tests.world import ACCOUNT, IRSA_TOKEN_FILE, Result, World

IMDS = "169.254.169.254:80"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/amp-ingest"  # bench/pod_world.py's


def run_pod(world: World, *extra: str) -> tuple[Result, dict[str, Any]]:
    rundir = world.dir / "amp"
    rundir.mkdir(parents=True, exist_ok=True)
    r = world.run_cmd([*amp_launcher(rundir), *world.sigdoctor_argv(), "run", "--format", "json", *extra])
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    rep = r.json
    crashed = [(p["id"], p["summary"]) for p in rep["probes"] if p["status"] == "error"]
    assert not crashed, f"probes crashed: {crashed}"
    return r, rep


def source(rep: dict[str, Any], method: str) -> dict[str, Any]:
    return next(s for s in rep["credentials"]["sources"] if s["method"] == method)


def probe(rep: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in rep["probes"] if p["id"] == pid)


def causes(rep: dict[str, Any]) -> list[str]:
    return [c["id"] for c in rep["root_causes"]]


def connected_to_imds(rep: dict[str, Any]) -> list[dict[str, Any]]:
    section = probe(rep, "connectivity")["data"]["connectivity"]
    return [e for e in section["endpoints"] if "169.254.169.254" in str(e)]


def test_healthy_pod_does_not_wait_out_the_silent_imds(world: World) -> None:
    # botocore's own IMDS timeout, raised: STS answers long before the silent IMDS would have timed out, however
    # loaded the machine is — what is asserted is the cut, not how fast it came.
    build(world).env(AWS_METADATA_SERVICE_TIMEOUT="5")
    r, rep = run_pod(world, "--target", AMP_URL)
    assert r.rc == 0 and causes(rep) == [], f"rc {r.rc}, causes {causes(rep)}\n{r.describe(2000)}"
    assert rep["credentials"]["winner"] == "assume-role-with-web-identity"
    imds = source(rep, "iam-role")
    assert imds["state"] == "shadowed", imds
    assert imds["detail"].startswith(f"not needed: no answer from {IMDS} after "), imds["detail"]
    assert "STS had accepted the credentials of a source before it" in imds["detail"], imds["detail"]
    creds = probe(rep, "credentials")
    assert "shadowed: iam-role" in creds["summary"] and "failed" not in creds["summary"], creds["summary"]
    # Not needed by the credentials probe, so not connected to by the network probes either.
    assert connected_to_imds(rep) == [], connected_to_imds(rep)
    assert probe(rep, "connectivity")["status"] == "pass", probe(rep, "connectivity")["summary"]
    assert probe(rep, "signature")["status"] == "pass", probe(rep, "signature")["summary"]
    clock = probe(rep, "clock")
    assert any(f["id"] == "clock.credentials-expiry" for f in clock["findings"]), clock["findings"]
    # The text report a user reads says the same.
    text = world.run("run", "--format", "text")
    assert text.rc == 0, text.describe(2000)
    words = " ".join(text.stdout.split())
    assert f"iam-role shadowed not needed: no answer from {IMDS} after " in words, text.describe(3000)
    assert "No problems found" in words, text.describe(3000)


def test_pod_whose_web_identity_token_sts_rejects_still_reports_imds(world: World) -> None:
    build(world, sts_faults={"AssumeRoleWithWebIdentity": "InvalidIdentityToken"})
    r, rep = run_pod(world)
    assert r.rc == 1 and causes(rep)[:1] == ["web-identity-rejected"], f"causes {causes(rep)}\n{r.describe(2000)}"
    imds = source(rep, "iam-role")
    assert imds["state"] == "failed", imds
    assert f"no TCP answer from {IMDS} within 1.0s" in imds["detail"], imds["detail"]
    unreachable = [f for f in probe(rep, "connectivity")["findings"]
                   if f["id"] == "connectivity.credential-endpoint-unreachable"]
    assert [f["evidence"]["endpoint"] for f in unreachable] == [IMDS], unreachable


def test_agent_whose_go_sdk_falls_back_to_the_instance_role_still_waits_for_imds(world: World) -> None:
    # IRSA written into ~/.aws/config rather than the environment: botocore reads the config file and uses web
    # identity; aws-sdk-go (Grafana Agent, Prometheus < 3.5) reads it only with AWS_SDK_LOAD_CONFIG=1, so without
    # it the agent falls back to IMDS — whose silence is then the agent's problem, and is waited for.
    build(world).unset_env("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
    world.file("~/.aws/config", f"[default]\nrole_arn = {ROLE}\nweb_identity_token_file = {IRSA_TOKEN_FILE}\n")
    r, rep = run_pod(world)
    assert rep["credentials"]["winner"] == "assume-role-with-web-identity", rep["credentials"]
    # The difference is a warning finding without a catalog cause: exit 0, like before.
    assert r.rc == 0, f"rc {r.rc}, causes {causes(rep)}"
    differs = [f for f in probe(rep, "credentials")["findings"] if f["id"] == "credentials.sdk-chain-differs"]
    assert differs and differs[0]["message"].startswith("The agent's Go SDK picks credentials differently: "
                                                        "aws-sdk-go will use no credentials"), differs
    imds = source(rep, "iam-role")
    assert imds["state"] == "failed", imds
    assert f"no TCP answer from {IMDS} within 1.0s" in imds["detail"], imds["detail"]
    go = rep["credentials"]["go_sdk"]["aws-sdk-go"]
    assert go["source"] is None and "did not answer with credentials" in go["why"], go
    assert go["with_shared_config"]["source"] == "WebIdentityCredentials", go


def test_pod_asks_iam_while_sts_names_the_caller(world: World) -> None:
    # STS holds GetCallerIdentity's answer back 2 s (a slow or far-away STS). The web identity session is the role in
    # AWS_ROLE_ARN, so the permissions probe's GetRole and policy simulation for that role go out meanwhile instead
    # of after it — each once, and the report is the healthy pod's.
    build(world, sts_delays={"GetCallerIdentity": 2.0}).env(AWS_METADATA_SERVICE_TIMEOUT="5")
    r, rep = run_pod(world, "--target", AMP_URL)
    assert r.rc == 0 and causes(rep) == [], f"rc {r.rc}, causes {causes(rep)}\n{r.describe(2000)}"
    calls: dict[str, list[dict[str, Any]]] = {}
    for c in r.servers["sts"][0]["requests"]:
        calls.setdefault(c["action"], []).append(c)
    [caller] = calls["GetCallerIdentity"]
    [get_role] = calls["GetRole"]
    [simulation] = calls["SimulatePrincipalPolicy"]
    assert get_role["at"] < caller["answered"] and simulation["at"] < caller["answered"], calls
    perms = probe(rep, "permissions")
    ids = [f["id"] for f in perms["findings"]]
    assert perms["status"] == "warn" and "permissions.simulate-denied" in ids and "permissions.live-allowed" in ids, \
        perms
    assert perms["data"]["permissions"]["principal"] == ROLE, perms["data"]
