"""Principal ARNs as GetCallerIdentity shows them, and the IAM entity whose policies apply."""

from __future__ import annotations

import pytest

from sigdoctor.sts.arns import assumes_itself, parse_principal, parse_role_arn

A = "111122223333"


@pytest.mark.parametrize(
    ("arn", "kind", "role", "session", "source", "path_known"),
    [
        (f"arn:aws:iam::{A}:user/agent", "user", None, None, f"arn:aws:iam::{A}:user/agent", True),
        (f"arn:aws:iam::{A}:user/ops/agent", "user", None, None, f"arn:aws:iam::{A}:user/ops/agent", True),
        (f"arn:aws:sts::{A}:assumed-role/amp-writer/i-0abc", "assumed-role", "amp-writer", "i-0abc",
         f"arn:aws:iam::{A}:role/amp-writer", False),
        (f"arn:aws:sts::{A}:assumed-role/amp-writer/botocore-session-1764", "assumed-role", "amp-writer",
         "botocore-session-1764", f"arn:aws:iam::{A}:role/amp-writer", False),
        (f"arn:aws-cn:sts::{A}:assumed-role/r/s", "assumed-role", "r", "s", f"arn:aws-cn:iam::{A}:role/r", False),
        (f"arn:aws-us-gov:sts::{A}:assumed-role/r/s", "assumed-role", "r", "s", f"arn:aws-us-gov:iam::{A}:role/r",
         False),
        (f"arn:aws:sts::{A}:assumed-role/AWSReservedSSO_Admin_0123abcd/jane@example.com", "assumed-role",
         "AWSReservedSSO_Admin_0123abcd", "jane@example.com",
         f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd", False),
        (f"arn:aws:sts::{A}:federated-user/bob", "federated-user", None, None, None, True),
        (f"arn:aws:iam::{A}:root", "root", None, None, None, True),
        (f"arn:aws:iam::{A}:role/service-role/agent", "role", "agent", None, f"arn:aws:iam::{A}:role/service-role/agent",
         True),
        ("not-an-arn", "unknown", None, None, None, True),
    ],
)
def test_principal_types_and_policy_source(arn: str, kind: str, role: str | None, session: str | None,
                                           source: str | None, path_known: bool) -> None:
    p = parse_principal(arn)
    assert (p.principal_type, p.role_name, p.session_name, p.policy_source_arn, p.path_known) == (
        kind, role, session, source, path_known)
    if kind != "unknown":
        assert p.account == A


def test_assumed_role_says_its_path_is_unknown() -> None:
    p = parse_principal(f"arn:aws:sts::{A}:assumed-role/amp-writer/s")
    assert p.note and "iam:GetRole" in p.note


def test_role_arn_parsing() -> None:
    r = parse_role_arn(f"arn:aws:iam::{A}:role/teams/amp-writer")
    assert r and (r.account, r.path, r.name) == (A, "/teams/", "amp-writer")
    for bad in ("amp-writer", f"arn:aws:iam::{A}:user/agent", "arn:aws:iam::12:role/x", f"arn:aws:sts::{A}:role/x"):
        assert parse_role_arn(bad) is None, bad


def test_a_role_session_asked_to_assume_its_own_role() -> None:
    base = parse_principal(f"arn:aws:sts::{A}:assumed-role/amp-writer/i-0abc")
    same = parse_role_arn(f"arn:aws:iam::{A}:role/amp-writer")
    same_with_path = parse_role_arn(f"arn:aws:iam::{A}:role/teams/amp-writer")
    other = parse_role_arn(f"arn:aws:iam::{A}:role/other")
    other_account = parse_role_arn("arn:aws:iam::444455556666:role/amp-writer")
    assert same and same_with_path and other and other_account
    assert assumes_itself(base, same) and assumes_itself(base, same_with_path)
    assert not assumes_itself(base, other) and not assumes_itself(base, other_account)
    assert not assumes_itself(parse_principal(f"arn:aws:iam::{A}:user/amp-writer"), same)
