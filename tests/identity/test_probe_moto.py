"""The identity probe against moto STS/IAM with auth checks on: real keys, real signatures, real AssumeRole."""

from __future__ import annotations

from botocore.credentials import Credentials

from sigdoctor.model import Status
from tests.identity.conftest import ACCOUNT, Env, Moto


def test_a_valid_user_key_is_confirmed_and_described(moto: Moto, moto_env: Env) -> None:
    r = moto_env.keys(moto.user_key["id"], moto.user_key["secret"]).run()
    assert r.probe.status is Status.PASS, r.probe.summary
    d = r.data
    assert (d["account"], d["arn"], d["principal_type"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/agent", "user")
    assert d["policy_source_arn"] == d["arn"] and d["assumed"] is None
    assert d["sts_endpoint"].startswith(moto.url)
    assert "user/agent" in r.finding("identity.caller").message
    answer, chain = r.ctx.state.identity.get(), r.ctx.state.chain.get()
    assert answer is not None and chain is not None
    assert answer.caller == d
    assert answer.credentials is chain.credentials
    assert r.ctx.state.aws_calls.entries() == [("sts", "GetCallerIdentity", d["sts_endpoint"])]
    (url, date, sent, received), = r.ctx.state.http_dates.entries()
    assert url == d["sts_endpoint"] and date.endswith("GMT") and sent <= received
    r.assert_no_secrets()


def test_wrong_secret_is_a_secret_key_mismatch(moto: Moto, moto_env: Env) -> None:
    r = moto_env.keys(moto.user_key["id"], "x" * 40).run()
    f = r.finding("identity.secret-key-mismatch")
    assert f.status is Status.FAIL and f.evidence["code"] == "SignatureDoesNotMatch"
    assert r.probe.status is Status.FAIL
    answer = r.ctx.state.identity.get()
    assert answer is not None and answer.credentials is None
    r.assert_no_secrets()


def test_unknown_key_is_access_key_invalid(moto_env: Env) -> None:
    r = moto_env.keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").run()
    f = r.finding("identity.access-key-invalid")
    assert f.evidence["access_key_id"] == "AKIA…MPLE" and f.evidence["code"] == "InvalidClientTokenId"
    assert r.data["account"] is None and r.data["error"]["code"] == "InvalidClientTokenId"
    r.assert_no_secrets()


def test_role_arn_is_assumed_and_its_credentials_become_the_effective_ones(moto: Moto, moto_env: Env) -> None:
    r = moto_env.keys(moto.user_key["id"], moto.user_key["secret"]).run(role_arn=moto.role_arn)
    assert r.probe.status is Status.PASS, r.probe.summary
    a = r.data["assumed"]
    assert a["role_arn"] == moto.role_arn and a["principal_type"] == "assumed-role"
    assert a["role_name"] == "amp-writer" and a["session_name"].isdigit()  # aws-sdk-go's default session name
    assert a["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/amp-writer/{a['session_name']}"
    assert a["policy_source_arn"] == moto.role_arn and a["access_key_id"].startswith("ASIA")
    answer = r.ctx.state.identity.get()
    assert answer is not None
    eff = answer.credentials
    assert isinstance(eff, Credentials) and eff.access_key.startswith("ASIA") and eff.token
    assert [c[1] for c in r.ctx.state.aws_calls.entries()] == ["GetCallerIdentity", "AssumeRole", "GetCallerIdentity"]
    assert "assumed" in r.probe.summary
    r.secrets += [eff.secret_key, eff.token]
    r.assert_no_secrets()


def test_role_arn_denied_is_role_trust_denied(moto: Moto, moto_env: Env) -> None:
    r = moto_env.keys(moto.nopower_key["id"], moto.nopower_key["secret"]).run(role_arn=moto.role_arn)
    f = r.finding("identity.role-trust-denied")
    assert f.status is Status.FAIL and f.evidence["role_arn"] == moto.role_arn
    assert f"arn:aws:iam::{ACCOUNT}:user/nopower" in f.message
    assert r.data["account"] == ACCOUNT and r.data["assumed"] is None
    answer = r.ctx.state.identity.get()
    assert answer is not None and answer.credentials is None


def test_temporary_key_with_a_wrong_token_is_session_token_missing(moto: Moto, moto_env: Env) -> None:
    import boto3

    sts = boto3.client("sts", endpoint_url=moto.url, region_name="us-east-1",
                       aws_access_key_id=moto.user_key["id"], aws_secret_access_key=moto.user_key["secret"])
    c = sts.assume_role(RoleArn=moto.role_arn, RoleSessionName="copied")["Credentials"]
    moto_env.secrets += [c["SecretAccessKey"], c["SessionToken"]]
    r = moto_env.keys(c["AccessKeyId"], c["SecretAccessKey"]).run()
    # Without a token the credentials probe already says so; STS confirms it with the same cause.
    assert r.probe.status is Status.FAIL
    assert r.finding("identity.session-token-missing").status is Status.FAIL
    r = moto_env.keys(c["AccessKeyId"], c["SecretAccessKey"], "FwoGZXIvYXdzEBogus" + "A" * 40).run()
    assert "does not accept the session token" in r.finding("identity.session-token-missing").message
    r.assert_no_secrets()


def test_effective_identity_is_the_assumed_session(moto: Moto, moto_env: Env) -> None:
    r = moto_env.keys(moto.user_key["id"], moto.user_key["secret"]).run(role_arn=moto.role_arn)
    answer = r.ctx.state.identity.get()
    assert answer is not None and answer.effective is not None
    assert answer.effective["arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/amp-writer/")
    assert answer.caller["arn"] == f"arn:aws:iam::{ACCOUNT}:user/agent"
    plain = moto_env.run().ctx.state.identity.get()
    assert plain is not None and plain.effective is not None
    assert plain.effective["arn"] == f"arn:aws:iam::{ACCOUNT}:user/agent"
