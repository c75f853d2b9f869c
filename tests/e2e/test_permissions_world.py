"""End to end: the real `sigdoctor run` in the namespace world, with the SigV4-verifying fake AWS
(tests/fakes/aws_api.py) serving STS, IAM, AMP and CloudWatch Logs over TLS on a "public" address under their real
names. One scenario per cause the permissions probe produces, the simulate-denied fallback flow as a user sees it,
and the list of AWS calls a full run makes, held to SPEC's allow-list.

The world has no fake of its own for IAM simulation or AMP, so the command the world runs is the fake's launcher,
which serves while it runs sigdoctor (see `_run`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.fakes.aws_api import ACCOUNT, FakeAws, Key
from tests.fakes.aws_policy import Policy
from tests.permissions.allow_list import ALLOW_LIST
from tests.world import REPO_ROOT, Result, World

FAKE_ADDRESS = "52.94.0.40"
NAMES = ("sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "iam.amazonaws.com",
         "aps-workspaces.us-east-1.amazonaws.com", "logs.us-east-1.amazonaws.com", "xray.us-east-1.amazonaws.com",
         "search-logs-4kq7xyzabc.us-east-1.es.amazonaws.com")
ES_URL = "https://search-logs-4kq7xyzabc.us-east-1.es.amazonaws.com/_bulk"
AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
WS_ARN = f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-1"
_LAUNCH = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); from tests.fakes.aws_api import main; "
           "sys.exit(main(sys.argv[1:]))")
# Runs the real CLI and saves ctx.state.aws_calls so the allow-list test sees
# sigdoctor's own record next to what the fake saw.
_SIGDOCTOR = f"""
import json, sys
sys.path.insert(0, {str(REPO_ROOT)!r})
import sigdoctor.doctor as doctor
real = doctor.run_report
def recording(ctx, *a, **kw):
    try:
        return real(ctx, *a, **kw)
    finally:
        with open(sys.argv[1], "w") as f:
            json.dump([list(c) for c in ctx.state.aws_calls.entries()], f)
doctor.run_report = recording
from sigdoctor.cli import main
sys.exit(main(sys.argv[2:]))
"""


def allow(action: str | list[str], resource: str = "*", pid: str = "allow") -> Policy:
    return Policy(pid, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action,
                                                                 "Resource": resource}]})


SELF_CHECK = allow(["iam:SimulatePrincipalPolicy", "iam:GetRole"], pid="self-check")


class Scenario:
    def __init__(self, world: World) -> None:
        self.world = world
        self.fake = FakeAws()
        world.address(FAKE_ADDRESS)
        for n in NAMES:
            world.dns(n, "A", FAKE_ADDRESS)
        world.env(AWS_REGION="us-east-1")

    def agent(self, key: Key) -> Scenario:
        """The agent's credentials, in the environment as the agent has them."""
        self.world.env(AWS_ACCESS_KEY_ID=key.access_key_id, AWS_SECRET_ACCESS_KEY=key.secret)
        self.world.secret(key.secret)
        if key.token:
            self.world.env(AWS_SESSION_TOKEN=key.token)
            self.world.secret(key.token)
        return self

    def run(self, *args: str) -> tuple[Result, list[dict[str, Any]], list[tuple[str, str]]]:
        """`sigdoctor ARGS` in the world; returns the result, the signed calls the fake saw, and what sigdoctor
        recorded as its AWS calls."""
        n = len(list(self.world.dir.glob("fake-*.json")))
        config, seen, recorded = (self.world.dir / f"fake-{n}-{x}.json" for x in ("config", "seen", "recorded"))
        config.write_text(json.dumps(self.fake.to_config()))
        argv = [sys.executable, "-c", _LAUNCH, "--config", str(config), "--listen", f"{FAKE_ADDRESS}:443",
                *[a for name in NAMES for a in ("--tls-name", name)], "--calls-out", str(seen), "--",
                sys.executable, "-c", _SIGDOCTOR, str(recorded), *args]
        r = self.world.run_cmd(argv, timeout=60)
        fake_seen = json.loads(seen.read_text()) if seen.exists() else {"calls": [], "issued_secrets": []}
        r.secrets.extend(fake_seen["issued_secrets"])
        ours = [(s, op) for s, op, _ in json.loads(recorded.read_text())] if recorded.exists() else []
        # Unsigned requests (the clock probe reads AWS's Date header with one) can change nothing: only GET/HEAD.
        unsigned = [c for c in fake_seen["calls"] if not c["signed"]]
        assert all(c["method"] in ("GET", "HEAD") for c in unsigned), unsigned
        return r, [c for c in fake_seen["calls"] if c["signed"]], ours


def _probe(r: Result) -> dict[str, Any]:
    return next(p for p in r.json["probes"] if p["id"] == "permissions")


def _top(r: Result) -> str | None:
    causes = r.json["root_causes"]
    return causes[0]["id"] if causes else None


def _session(s: Scenario, policies: list[Policy], **kw: Any) -> tuple[str, Key]:
    role = s.fake.add_role("amp-ingest", policies, path="/agents/", **kw)
    return role, s.fake.add_session(role, "i-0123456789abcdef0")


# The signature probe sends its own harmless request per target; these tests count the permissions probe's calls.
PERMISSIONS_ONLY_CALLS = ("--skip", "signature")


def test_permission_missing_from_simulation(world: World) -> None:
    s = Scenario(world)
    _, key = _session(s, [SELF_CHECK, allow("aps:QueryMetrics", WS_ARN)])
    r, seen, _ = s.agent(key).run("run", *PERMISSIONS_ONLY_CALLS, "--target", AMP_URL, "--format", "json")
    assert r.rc == 1, r.describe()
    assert _top(r) == "permission-missing", r.describe()
    cause = r.json["root_causes"][0]
    assert any('"Action": ["aps:RemoteWrite"]' in f and WS_ARN in f for f in cause["fix"]), cause
    data = _probe(r)["data"]["permissions"]
    assert (data["method"], data["principal"]) == ("simulate", f"arn:aws:iam::{ACCOUNT}:role/agents/amp-ingest")
    assert [(x["action"], x["resource"], x["decision"]) for x in data["results"]] == [
        ("aps:RemoteWrite", WS_ARN, "implicitDeny")]
    assert ("aps", "RemoteWrite") not in {(c["service"], c["operation"]) for c in seen}
    r.assert_no_secrets()


def test_explicit_deny_from_simulation(world: World) -> None:
    s = Scenario(world)
    no_amp = Policy("deny-amp-outside-vpc", {"Statement": [{"Effect": "Deny", "Action": "aps:*", "Resource": "*"}]})
    _, key = _session(s, [SELF_CHECK, allow("aps:RemoteWrite", WS_ARN), no_amp])
    r, _, _ = s.agent(key).run("run", "--target", AMP_URL, "--format", "json")
    assert r.rc == 1 and _top(r) == "explicit-deny", r.describe()
    assert "deny-amp-outside-vpc" in json.dumps(r.json["root_causes"][0])


def test_simulate_denied_falls_back_to_the_live_request_in_text(world: World) -> None:
    s = Scenario(world)
    s.fake.add_workspace("ws-1")
    role, key = _session(s, [allow("aps:RemoteWrite", WS_ARN)])
    r, seen, _ = s.agent(key).run("run", *PERMISSIONS_ONLY_CALLS, "--target", AMP_URL, "--no-color")
    assert r.rc == 0, r.describe()
    out = " ".join(r.stdout.split())
    assert "may not simulate" in out, r.describe()
    # GetRole is denied too, so the role's path (/agents/) is unknown: the commands use the path-less ARN, and say so.
    pathless = role.replace("/agents/", "/")
    assert f"sigdoctor run --principal-arn {pathless} --target {AMP_URL}" in out, r.describe()
    assert f"aws iam simulate-principal-policy --policy-source-arn {pathless} --action-names aps:RemoteWrite" in out
    assert "path is unknown" in out
    writes = [c for c in seen if c["service"] == "aps"]
    assert len(writes) == 1 and writes[0]["status"] == 200
    r.assert_no_secrets()


def test_live_request_denied_is_permission_missing(world: World) -> None:
    s = Scenario(world)
    s.fake.add_workspace("ws-1")
    _, key = _session(s, [allow("aps:QueryMetrics", WS_ARN)])
    r, _, _ = s.agent(key).run("run", "--target", AMP_URL, "--format", "json")
    assert r.rc == 1 and _top(r) == "permission-missing", r.describe()
    data = _probe(r)
    assert any(f["id"] == "permissions.simulate-denied" for f in data["findings"])


def test_unknown_workspace_is_target_not_found(world: World) -> None:
    s = Scenario(world)
    _, key = _session(s, [allow("aps:RemoteWrite")])
    r, _, _ = s.agent(key).run("run", "--target", AMP_URL.replace("ws-1", "ws-typo"), "--format", "json")
    assert r.rc == 1 and _top(r) == "target-not-found", r.describe()


def test_support_engineer_checks_the_agents_role_with_principal_arn(world: World) -> None:
    s = Scenario(world)
    role = s.fake.add_role("amp-ingest", [allow("aps:QueryMetrics", WS_ARN)], path="/agents/")
    admin = s.fake.add_session(s.fake.add_role("support", [allow("*")]), "engineer")
    r, seen, _ = s.agent(admin).run("run", *PERMISSIONS_ONLY_CALLS, "--principal-arn", role, "--target", AMP_URL, "--format", "json")
    assert _top(r) == "permission-missing", r.describe()
    assert role in r.json["root_causes"][0]["evidence"][0]
    assert ("aps", "RemoteWrite") not in {(c["service"], c["operation"]) for c in seen}


def test_role_arn_flow_checks_the_assumed_role(world: World) -> None:
    s = Scenario(world)
    s.fake.add_workspace("ws-1")
    node = s.fake.add_user("node", [allow("sts:AssumeRole")])
    role = s.fake.add_role("amp-writer", [allow("aps:RemoteWrite", WS_ARN)], path="/agents/",
                           trust={"Statement": [{"Effect": "Allow", "Principal": {"AWS": node.principal_arn},
                                                 "Action": "sts:AssumeRole"}]})
    r, seen, _ = s.agent(node).run("run", *PERMISSIONS_ONLY_CALLS, "--role-arn", role, "--target", AMP_URL, "--no-color")
    out = " ".join(r.stdout.split())
    assert "may not simulate IAM policies for arn:aws:iam::123456789012:role/amp-writer" in out, r.describe()
    ops = [(c["service"], c["operation"], c.get("caller", "")) for c in seen]
    assert ("sts", "AssumeRole", node.principal_arn) in ops, ops
    [write] = [c for c in seen if c["service"] == "aps"]
    assert write["status"] == 200 and "assumed-role/amp-writer/" in write["caller"]
    r.assert_no_secrets()


def test_opensearch_domain_read_when_simulation_is_denied(world: World) -> None:
    s = Scenario(world)
    s.fake.add_domain("logs")
    _, key = _session(s, [allow("es:ESHttpGet", f"arn:aws:es:us-east-1:{ACCOUNT}:domain/logs/*")])
    r, seen, _ = s.agent(key).run("run", "--target", ES_URL, "--format", "json")
    findings = {f["id"]: f for f in _probe(r)["findings"]}
    assert findings["permissions.live-allowed"]["evidence"]["action"] == "es:ESHttpGet", r.describe()
    assert [c["operation"] for c in seen if c["service"] == "es"] == ["ESHttpGet"]
    _, other = _session(s, [])
    r, _, _ = s.agent(other).run("run", "--target", ES_URL, "--format", "json")
    assert _top(r) == "permission-missing", r.describe()


def test_a_full_run_makes_only_allow_listed_aws_calls(world: World, tmp_path: Path) -> None:
    s = Scenario(world)
    s.fake.add_workspace("ws-1")
    s.fake.add_log_group("/agents/app")
    _, key = _session(s, [allow(["aps:RemoteWrite", "logs:DescribeLogStreams", "xray:PutTelemetryRecords"])])
    r, seen, ours = s.agent(key).run(
        "run", "--format", "json", "--target", AMP_URL,
        "--target", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/agents/app",
        "--target", "https://xray.us-east-1.amazonaws.com/")
    assert r.rc is not None and not r.timed_out, r.describe()
    fake_calls = {(c["service"], c["operation"]) for c in seen}
    assert fake_calls and fake_calls <= ALLOW_LIST, sorted(fake_calls - ALLOW_LIST)
    assert ours and set(ours) <= ALLOW_LIST, sorted(set(ours) - ALLOW_LIST)
    # Every call sigdoctor made reached the fake, and the fake saw none that sigdoctor did not record.
    assert sorted(ours) == sorted((c["service"], c["operation"]) for c in seen), (ours, seen)
    (tmp_path / "calls.json").write_text(json.dumps(ours))
    r.assert_no_secrets()
