"""The permissions probe against the SigV4-verifying fake: what a user sees for each IAM situation."""

from __future__ import annotations

import json

import pytest

from sigdoctor.iam import live
from sigdoctor.model import Status
from sigdoctor.targets import kinds
from tests.fakes.aws_api import ACCOUNT, FakeAws
from tests.permissions.allow_list import ALLOW_LIST, HARMLESS
from tests.permissions.conftest import (
    AMP_URL,
    LOG_GROUP_ARN,
    SIMULATE_SELF,
    WS_ARN,
    RunFn,
    allow,
    deny,
)


def test_harmless_requests_are_the_documented_ones() -> None:
    documented = {k.harmless["kind"] for k in kinds()}
    assert set(HARMLESS) <= documented
    assert {k for k in documented if live.implemented(k)} == set(HARMLESS)


def test_allowed_by_simulation(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN, pid="amp-write")])
    r = run_probe(key, [AMP_URL])
    assert r.probe.status is Status.PASS, r.probe
    assert r.data["method"] == "simulate"
    assert r.data["principal"] == f"arn:aws:iam::{ACCOUNT}:user/agent"
    [res] = r.data["results"]
    assert (res["action"], res["resource"], res["decision"]) == ("aps:RemoteWrite", WS_ARN, "allowed")
    assert res["matched_statements"][0]["policy"] == "amp-write"
    assert "amp-write" in r.findings("allowed")[0].message
    assert "permission-missing" not in r.causes
    # The simulation happened in IAM, with the target's region as context; nothing was written to AMP.
    assert ("iam", "SimulatePrincipalPolicy") in r.fake_ops() and ("aps", "RemoteWrite") not in r.fake_ops()


def test_without_the_identity_probe_it_asks_sts_itself(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    role = f.add_role("amp-ingest", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)], path="/agents/")
    r = run_probe(f.add_session(role), [AMP_URL], identity=False)
    assert r.data["principal"] == role and r.probe.status is Status.PASS
    assert r.fake_ops()[0] == ("sts", "GetCallerIdentity")


def test_role_arn_checks_the_assumed_role_with_its_session(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    base = f.add_user("node", [allow("sts:AssumeRole")])
    role = f.add_role("amp-writer", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)],
                      trust={"Statement": [{"Effect": "Allow", "Principal": {"AWS": base.principal_arn},
                                            "Action": "sts:AssumeRole"}]})
    r = run_probe(base, [AMP_URL], role_arn=role)
    assert r.data["principal"] == role and r.probe.status is Status.PASS, r.probe
    [simulated] = [c for c in f.calls if c["operation"] == "SimulatePrincipalPolicy"]
    assert simulated["caller"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/amp-writer/")


def test_implicit_deny_names_action_resource_and_the_statement_to_add(fake: tuple[FakeAws, str],
                                                                     run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:QueryMetrics", WS_ARN)])
    r = run_probe(key, [AMP_URL])
    assert r.probe.status is Status.FAIL
    assert r.causes[0] == "permission-missing"
    [finding] = r.findings("permission-missing")
    assert "aps:RemoteWrite" in finding.message and WS_ARN in finding.message
    fix = finding.evidence["fix"]
    statement = json.loads(fix[0].split(": ", 1)[1])
    assert statement == {"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": WS_ARN}
    assert "aws iam simulate-principal-policy" in fix[1]
    cause = r.report.root_causes[0]
    assert fix[0] in cause.fix and any("aps:RemoteWrite" in e for e in cause.evidence)


def test_explicit_deny_names_the_denying_policy(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:*", "*"), deny("aps:RemoteWrite", pid="no-amp-writes")])
    r = run_probe(key, [AMP_URL])
    assert r.causes[0] == "explicit-deny"
    [finding] = r.findings("explicit-deny")
    assert "no-amp-writes" in finding.message
    assert finding.evidence["decision"] == "explicitDeny"
    assert not r.findings("permission-missing")


def test_assumed_role_session_is_checked_as_its_role_with_the_path_from_get_role(fake: tuple[FakeAws, str],
                                                                                run_probe: RunFn) -> None:
    f, _ = fake
    role = f.add_role("amp-ingest", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)], path="/agents/")
    key = f.add_session(role, "i-0abc")
    r = run_probe(key, [AMP_URL])
    assert r.data["principal"] == role == f"arn:aws:iam::{ACCOUNT}:role/agents/amp-ingest"
    assert r.data["caller"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/amp-ingest/i-0abc"
    assert r.probe.status is Status.PASS
    assert ("iam", "GetRole") in r.fake_ops()


def test_unknown_role_path_that_iam_rejects_falls_back_to_live(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    role = f.add_role("amp-ingest", [allow(["iam:SimulatePrincipalPolicy", "aps:RemoteWrite"])], path="/agents/")
    r = run_probe(f.add_session(role), [AMP_URL])
    [failed] = r.findings("simulate-failed")
    assert failed.evidence["error_code"] == "NoSuchEntity" and "path is unknown" in failed.message
    assert r.data["method"] == "live" and r.findings("live-allowed")


def test_permissions_boundary_that_leaves_the_action_out(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    role = f.add_role("amp-ingest", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)],
                      boundary=allow(["iam:*", "logs:*"], pid="boundary"))
    r = run_probe(f.add_session(role), [AMP_URL])
    [finding] = r.findings("permission-missing")
    assert "permissions boundary" in finding.message
    assert finding.evidence["permissions_boundary_allows"] is False
    assert "permissions boundary" in finding.evidence["fix"][0]


def test_scp_that_leaves_the_action_out(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.scps = [allow(["iam:*", "sts:*"], pid="scp-allow-list")]
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)])
    r = run_probe(key, [AMP_URL])
    [finding] = r.findings("permission-missing")
    assert "service control policy" in finding.message
    assert finding.evidence["organizations_allow"] is False


def test_condition_on_a_key_sigdoctor_cannot_know_is_reported_as_missing_context(fake: tuple[FakeAws, str],
                                                                                 run_probe: RunFn) -> None:
    f, _ = fake
    vpce_only = allow("aps:RemoteWrite", WS_ARN, pid="vpce-only",
                      Condition={"StringEquals": {"aws:SourceVpce": "vpce-0123"}})
    key = f.add_user("agent", [SIMULATE_SELF, vpce_only])
    r = run_probe(key, [AMP_URL])
    [finding] = r.findings("permission-missing")
    assert finding.evidence["missing_context"] == ["aws:SourceVpce"]
    assert "aws:SourceVpce" in finding.message
    # The agent's real request may well come through that VPC endpoint: a warning, not an error.
    assert finding.status is Status.WARN and r.report.root_causes[0].severity.value == "warning"


def test_region_condition_is_evaluated_with_the_targets_region(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    eu_only = deny("aps:*", pid="eu-only")
    eu_only.document["Statement"][0]["Condition"] = {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:RemoteWrite"), eu_only])
    r = run_probe(key, [AMP_URL])
    assert r.causes[0] == "explicit-deny"
    assert "eu-only" in r.findings("explicit-deny")[0].message


def test_simulate_denied_falls_back_to_an_empty_remote_write(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    key = f.add_user("agent", [allow("aps:RemoteWrite", WS_ARN)])
    r = run_probe(key, [AMP_URL])
    [denied] = r.findings("simulate-denied")
    assert denied.status is Status.WARN
    commands = denied.evidence["admin_command"]
    principal = f"arn:aws:iam::{ACCOUNT}:user/agent"
    assert commands[0] == f"sigdoctor run --principal-arn {principal} --target {AMP_URL}"
    assert commands[1].startswith(f"aws iam simulate-principal-policy --policy-source-arn {principal} "
                                  f"--action-names aps:RemoteWrite --resource-arns {WS_ARN}")
    assert r.data["method"] == "live" and r.data["admin_command"] == commands
    [ok] = r.findings("live-allowed")
    assert ok.evidence["http_status"] == 200
    assert r.probe.status is Status.WARN  # allowed, but the check was second best
    assert not [c for c in r.causes if c in ("permission-missing", "explicit-deny", "target-not-found")]
    write = [c for c in f.calls if c["service"] == "aps"]
    assert len(write) == 1 and write[0]["status"] == 200


def test_live_access_denied_is_permission_missing(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    key = f.add_user("agent", [allow("aps:QueryMetrics", WS_ARN)])
    r = run_probe(key, [AMP_URL])
    assert r.causes[0] == "permission-missing"
    [finding] = r.findings("permission-missing")
    assert finding.evidence["http_status"] == 403
    assert "is not authorized to perform: aps:RemoteWrite" in finding.evidence["aws_message"]


def test_live_unknown_workspace_is_target_not_found(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [allow("aps:RemoteWrite")])
    r = run_probe(key, [AMP_URL])
    assert r.causes[0] == "target-not-found"
    [finding] = r.findings("target-not-found")
    assert finding.evidence["http_status"] == 404 and ACCOUNT in finding.message and "us-east-1" in finding.message


def test_live_log_group_check(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_log_group("/agents/app")
    key = f.add_user("agent", [allow("logs:DescribeLogStreams", LOG_GROUP_ARN + ":*")])
    r = run_probe(key, [LOG_GROUP_ARN])
    [ok] = r.findings("live-allowed")
    assert ok.evidence["action"] == "logs:DescribeLogStreams"
    typo = LOG_GROUP_ARN.replace("/agents/app", "/agents/typo")
    assert run_probe(key, [typo]).causes[0] == "permission-missing"  # the policy names the real group only
    anywhere = f.add_user("agent2", [allow("logs:DescribeLogStreams")])
    assert run_probe(anywhere, [typo]).causes[0] == "target-not-found"


def test_target_without_a_harmless_request_says_so(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [])
    r = run_probe(key, ["https://monitoring.us-east-1.amazonaws.com/"])
    [unavailable] = r.findings("live-unavailable")
    assert "cloudwatch:PutMetricData" in unavailable.message
    assert r.data["method"] == "none"
    assert not [c for c in f.calls if c["service"] not in ("sts", "iam")]


def test_root_user_is_not_simulated_but_checked_live(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    r = run_probe(f.add_root(), [AMP_URL])
    [why] = r.findings("not-checked")
    assert "root" in why.message
    assert ("iam", "SimulatePrincipalPolicy") not in r.fake_ops()
    assert r.data["method"] == "live" and r.findings("live-allowed")


LIVE_CASES = {
    "s3": ("https://loki-chunks.s3.us-east-1.amazonaws.com/", "s3:ListBucket", "arn:aws:s3:::loki-chunks",
           lambda f: f.add_bucket("loki-chunks")),
    "firehose": (f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/fluent-bit", "firehose:DescribeDeliveryStream",
                 f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/fluent-bit",
                 lambda f: f.add_delivery_stream("fluent-bit")),
    "kinesis": (f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/logs", "kinesis:DescribeStreamSummary",
                f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/logs", lambda f: f.add_stream("logs")),
}


@pytest.mark.parametrize("case", sorted(LIVE_CASES))
def test_live_requests_per_service(fake: tuple[FakeAws, str], run_probe: RunFn, case: str) -> None:
    f, _ = fake
    target, action, resource, create = LIVE_CASES[case]
    allowed = f.add_user("agent", [allow(action, resource)])
    assert run_probe(allowed, [target]).causes[0] == "target-not-found"
    create(f)
    r = run_probe(allowed, [target])
    [ok] = r.findings("live-allowed")
    assert (ok.evidence["action"], ok.evidence["resource"]) == (action, resource)
    denied = run_probe(f.add_user("other", []), [target])
    assert denied.causes[0] == "permission-missing"
    assert denied.findings("permission-missing")[0].evidence["action"] == action


def test_xray_empty_telemetry_records(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    r = run_probe(f.add_user("agent", [allow("xray:PutTelemetryRecords")]), ["https://xray.us-east-1.amazonaws.com/"])
    assert r.findings("live-allowed")
    assert run_probe(f.add_user("other", []), ["https://xray.us-east-1.amazonaws.com/"]).causes[0] == \
        "permission-missing"


def test_principal_arn_simulates_for_another_principal(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    role = f.add_role("amp-ingest", [allow("aps:QueryMetrics", WS_ARN)])
    admin = f.add_user("support", [allow("*")])
    r = run_probe(admin, [AMP_URL], principal_arn=role)
    assert r.data["principal"] == role
    assert r.causes[0] == "permission-missing"
    assert role in r.findings("permission-missing")[0].message


def test_principal_arn_denied_sends_no_live_request(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    role = f.add_role("amp-ingest", [])
    key = f.add_user("someone", [allow("aps:RemoteWrite")])
    r = run_probe(key, [AMP_URL], principal_arn=role)
    assert r.findings("simulate-denied")
    assert ("aps", "RemoteWrite") not in r.fake_ops()


def test_offline_and_no_target_send_nothing(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [allow("*")])
    assert run_probe(key, [AMP_URL], offline=True).probe.status is Status.SKIP
    assert f.calls == []
    assert run_probe(key, []).probe.status is Status.SKIP
    assert [c["service"] for c in f.calls] == ["sts"]  # the identity probe's GetCallerIdentity, nothing of ours


def test_unrecognised_target_is_named(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:RemoteWrite", WS_ARN)])
    r = run_probe(key, ["https://metrics.example.com/push", AMP_URL])
    [unknown] = r.findings("target-unrecognised")
    assert "metrics.example.com" in unknown.message
    assert r.findings("allowed")


def test_every_aws_call_is_on_the_allow_list(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    f.add_workspace("ws-1")
    f.add_log_group("/agents/app")
    role = f.add_role("amp-ingest", [allow(["aps:RemoteWrite", "logs:DescribeLogStreams"])], path="/agents/")
    key = f.add_session(role)
    for targets in ([AMP_URL, LOG_GROUP_ARN], ["https://s3.us-east-1.amazonaws.com/bucket/",
                                               f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"]):
        run_probe(key, targets)
    role2 = f.add_role("checker", [allow("*")])
    r = run_probe(f.add_session(role2), [AMP_URL, LOG_GROUP_ARN, "https://xray.us-east-1.amazonaws.com/"])
    seen = {(c["service"], c["operation"]) for c in f.calls}
    recorded = {(s, op) for s, op, _ in r.ctx.state.aws_calls.entries()}
    assert seen and seen <= ALLOW_LIST, seen - ALLOW_LIST
    assert recorded and recorded <= ALLOW_LIST, recorded - ALLOW_LIST
    assert ("aps", "RemoteWrite") in seen and ("iam", "SimulatePrincipalPolicy") in seen


def test_response_dates_are_left_for_the_clock_probe(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, url = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("aps:RemoteWrite")])
    r = run_probe(key, [AMP_URL])
    dates = r.ctx.state.http_dates.entries()
    assert dates and all(u.startswith(url) and "GMT" in d for u, d, _, _ in dates)


def test_policy_fix_groups_actions_of_one_resource(fake: tuple[FakeAws, str], run_probe: RunFn) -> None:
    f, _ = fake
    key = f.add_user("agent", [SIMULATE_SELF, allow("logs:DescribeLogStreams")])
    r = run_probe(key, [LOG_GROUP_ARN])
    missing = r.findings("permission-missing")
    assert {m.evidence["action"] for m in missing} == {"logs:PutLogEvents", "logs:CreateLogStream"}
    statement = json.loads(missing[0].evidence["fix"][0].split(": ", 1)[1])
    assert statement["Action"] == ["logs:PutLogEvents", "logs:CreateLogStream"]
    assert statement["Resource"] == LOG_GROUP_ARN + ":*"

