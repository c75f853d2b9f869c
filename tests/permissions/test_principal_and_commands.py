"""Which principal is simulated for a caller ARN, and the command lines handed to an administrator."""

from __future__ import annotations

import shlex

import pytest

from sigdoctor.iam.commands import admin_commands
from sigdoctor.iam.principal import policy_source
from sigdoctor.iam.simulate import Check


@pytest.mark.parametrize(("caller", "source", "path_known"), [
    ("arn:aws:sts::111122223333:assumed-role/amp-ingest/i-0abc", "arn:aws:iam::111122223333:role/amp-ingest", False),
    ("arn:aws:sts::111122223333:assumed-role/amp-ingest/system:serviceaccount:monitoring:agent",
     "arn:aws:iam::111122223333:role/amp-ingest", False),
    ("arn:aws:iam::111122223333:user/ops/alice", "arn:aws:iam::111122223333:user/ops/alice", True),
    ("arn:aws:iam::111122223333:role/agents/amp-ingest", "arn:aws:iam::111122223333:role/agents/amp-ingest", True),
    ("arn:aws-us-gov:sts::111122223333:assumed-role/r/s", "arn:aws-us-gov:iam::111122223333:role/r", False),
    ("arn:aws-cn:iam::111122223333:user/bob", "arn:aws-cn:iam::111122223333:user/bob", True),
])
def test_policy_source_of_a_caller(caller: str, source: str, path_known: bool) -> None:
    s = policy_source(caller)
    assert (s.arn, s.path_known) == (source, path_known)


@pytest.mark.parametrize(("caller", "why"), [
    ("arn:aws:iam::111122223333:root", "root"),
    ("arn:aws:sts::111122223333:federated-user/bob", "federated"),
    ("not-an-arn", "not an IAM"),
])
def test_principals_that_cannot_be_simulated_say_why(caller: str, why: str) -> None:
    s = policy_source(caller)
    assert s.arn is None and why in (s.why_not or "")


def test_path_from_get_role_replaces_the_guess() -> None:
    s = policy_source("arn:aws:sts::111122223333:assumed-role/amp-ingest/x").with_path("/agents/")
    assert (s.arn, s.path_known) == ("arn:aws:iam::111122223333:role/agents/amp-ingest", True)


def test_admin_commands_are_exact_and_shell_safe() -> None:
    source = policy_source("arn:aws:iam::111122223333:role/amp-ingest")
    log_group = "arn:aws:logs:eu-west-1:111122223333:log-group:/agents/app:*"
    checks = [Check("t1", "aps:RemoteWrite", "arn:aws:aps:eu-west-1:111122223333:workspace/ws-1", "eu-west-1"),
              Check("t2", "logs:PutLogEvents", log_group, "eu-west-1"),
              Check("t2", "logs:CreateLogStream", log_group, "eu-west-1")]
    sig, amp, logs = admin_commands(source, checks, ["t1", "t2"], "eu-west-1")
    assert sig == ("sigdoctor run --principal-arn arn:aws:iam::111122223333:role/amp-ingest --target t1 "
                   "--target t2 --region eu-west-1")
    argv = shlex.split(logs)
    assert argv[:5] == ["aws", "iam", "simulate-principal-policy", "--policy-source-arn", source.arn]
    assert argv[argv.index("--action-names") + 1:argv.index("--resource-arns")] == ["logs:PutLogEvents",
                                                                                  "logs:CreateLogStream"]
    assert argv[argv.index("--resource-arns") + 1] == log_group  # quoted in the line: `*` must not glob
    assert "ContextKeyName=aws:RequestedRegion,ContextKeyValues=eu-west-1,ContextKeyType=string" in argv
    assert "aps:RemoteWrite" in amp and "logs:" not in amp


def test_no_commands_for_a_principal_that_cannot_be_simulated() -> None:
    assert admin_commands(policy_source("arn:aws:iam::111122223333:root"), [], ["t"], None) == []
