"""The identity probe against the SigV4-verifying fake AWS (tests/fakes/aws_api.py), for what moto lacks: a server
clock that differs from ours, canned STS errors, trust policies that decide AssumeRole, and a closed port."""

from __future__ import annotations

import socket

from sigdoctor.context import Context
from sigdoctor.model import Status
from sigdoctor.probes.identity import run
from tests.fakes.aws_api import FakeAws
from tests.identity.conftest import ACCOUNT, Env

ROLE = f"arn:aws:iam::{ACCOUNT}:role/amp-writer"
SELF_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"}]}


def test_a_server_clock_an_hour_away_is_clock_skew(fake: FakeAws, fake_env: Env) -> None:
    key = fake.add_user("agent")
    fake.clock_offset = -3600.0  # AWS's time is an hour behind ours: our timestamps are "not yet current"
    r = fake_env.keys(key.access_key_id, key.secret).run()
    f = r.finding("identity.clock-skew")
    assert f.status is Status.FAIL and "Signature not yet current" in f.message
    assert "identity.secret-key-mismatch" not in r.ids
    r.assert_no_secrets()


def test_expired_token_is_credentials_expired(fake: FakeAws, fake_env: Env) -> None:
    fake.add_role("amp-writer")
    key = fake.add_session(ROLE)
    fake.faults["sts.GetCallerIdentity"] = "ExpiredToken"
    r = fake_env.keys(key.access_key_id, key.secret, key.token).run()
    assert r.finding("identity.credentials-expired").status is Status.FAIL
    r.secrets += fake.issued_secrets
    r.assert_no_secrets()


def test_a_role_asked_to_assume_itself_is_explained(fake: FakeAws, fake_env: Env) -> None:
    fake.add_role("amp-writer")  # no trust policy: roles do not trust themselves implicitly
    key = fake.add_session(ROLE, "i-0abc")
    r = fake_env.keys(key.access_key_id, key.secret, key.token).run(role_arn=ROLE)
    f = r.finding("identity.role-trust-denied")
    assert ("the agent already runs as role amp-writer; remove sigv4.role_arn or allow amp-writer to assume itself "
            "in its trust policy") in f.message
    assert r.data["role_name"] == "amp-writer" and r.data["session_name"] == "i-0abc"
    r.secrets += fake.issued_secrets
    r.assert_no_secrets()


def test_a_role_allowed_to_assume_itself_passes(fake: FakeAws, fake_env: Env) -> None:
    fake.add_role("amp-writer", trust=SELF_TRUST)
    key = fake.add_session(ROLE, "i-0abc")
    r = fake_env.keys(key.access_key_id, key.secret, key.token).run(role_arn=ROLE)
    assert r.probe.status is Status.PASS, r.probe.summary
    assert "already are role amp-writer" in r.finding("identity.role-assumed").message
    r.secrets += fake.issued_secrets
    r.assert_no_secrets()


def test_a_session_token_refused_in_an_opt_in_region_is_sts_opt_in_region(fake: FakeAws, fake_env: Env) -> None:
    fake.add_role("amp-writer")
    key = fake.add_session(ROLE)
    other = fake.add_session(ROLE)  # a token STS issued, but not for this key: what a v1 token looks like there
    r = fake_env.keys(key.access_key_id, key.secret, other.token).run(region="af-south-1")
    f = r.finding("identity.sts-opt-in-region")
    assert f.status is Status.FAIL and "af-south-1" in f.message
    r = fake_env.run(region="eu-west-1")
    assert r.finding("identity.session-token-missing").status is Status.FAIL
    r.secrets += fake.issued_secrets
    r.assert_no_secrets()


def test_a_target_in_another_account_is_flagged(fake: FakeAws, fake_env: Env) -> None:
    key = fake.add_user("agent")
    target = "arn:aws:aps:us-east-1:444455556666:workspace/ws-0123"
    r = fake_env.keys(key.access_key_id, key.secret).run(targets=(target,))
    f = r.finding("identity.account-mismatch")
    assert f.status is Status.WARN and "444455556666" in f.message and ACCOUNT in f.message
    assert r.probe.status is Status.WARN
    same = fake_env.run(targets=(f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-0123",))
    assert "identity.account-mismatch" not in same.ids


def test_an_unreachable_sts_is_left_to_the_network_probes(fake_env: Env) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fake_env.vars["AWS_ENDPOINT_URL_STS"] = f"http://127.0.0.1:{port}"
    r = fake_env.keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").run()
    f = r.finding("identity.unreachable")
    assert f.status is Status.WARN and "dns" in f.message and "connectivity" in f.message
    assert not [x for x in r.probe.findings if x.status is Status.FAIL]


def test_offline_and_without_credentials_it_sends_nothing() -> None:
    ctx = Context(env={}, offline=True)
    out = run(ctx, {})
    assert out.status is Status.SKIP and "offline" in out.summary
    ctx = Context(env={})
    ctx.state.chain.close()  # the credentials probe ended without credentials
    out = run(ctx, {})
    assert out.status is Status.SKIP and "no credentials" in out.summary


def test_sts_is_asked_once_even_when_its_answer_is_retryable(fake: FakeAws, fake_env: Env) -> None:
    # One attempt per call keeps the run inside its deadline and shows AWS's first answer, as the agent saw it.
    key = fake.add_user("agent")
    fake.faults["sts.GetCallerIdentity"] = "Throttling"  # botocore retries throttling unless told not to
    r = fake_env.keys(key.access_key_id, key.secret).run()
    assert r.probe.status is not Status.PASS
    assert [c["operation"] for c in fake.calls if c["service"] == "sts"] == ["GetCallerIdentity"]
