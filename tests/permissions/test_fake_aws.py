"""The fake AWS endpoint pinned against botocore: the error formats other probes (signature, clock, identity) will
rely on, and the policy evaluator behind its SimulatePrincipalPolicy."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.fakes.aws_api import MISMATCH, FakeAws, Key
from tests.fakes.aws_policy import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Policy, evaluate

WS_PATH = "/workspaces/ws-1/api/v1/remote_write"


@pytest.fixture
def served() -> Iterator[tuple[FakeAws, str, Key]]:
    f = FakeAws()
    f.add_workspace("ws-1")
    key = f.add_user("agent", [Policy("p", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})])
    url = f.start()
    try:
        yield f, url, key
    finally:
        f.stop()


def _remote_write(url: str, key_id: str, secret: str) -> tuple[urllib3.BaseHTTPResponse, str, str]:
    """A remote write signed by botocore; returns the response and the canonical request / string to sign the
    client computed."""
    req = AWSRequest("POST", url + WS_PATH, data=b"\x00",
                     headers={"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"})
    signer = SigV4Auth(Credentials(key_id, secret), "aps", "us-east-1")
    signer.add_auth(req)
    prepared = req.prepare()
    del req.headers["Authorization"]  # what was signed: everything but the signature itself
    canonical = signer.canonical_request(req)
    to_sign = signer.string_to_sign(req, canonical)
    resp = urllib3.request("POST", prepared.url, body=prepared.body, headers=dict(prepared.headers), retries=False)
    return resp, canonical, to_sign


def _client(service: str, url: str, key_id: str, secret: str, token: str | None = None) -> object:
    return boto3.client(service, region_name="us-east-1", endpoint_url=url, aws_access_key_id=key_id,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}))


def test_amp_signature_mismatch_carries_the_canonical_request_and_string_to_sign(
        served: tuple[FakeAws, str, Key]) -> None:
    _, url, key = served
    resp, canonical, to_sign = _remote_write(url, key.access_key_id, "not-the-secret")
    assert resp.status == 403 and resp.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert json.loads(resp.data) == {"message": f"{MISMATCH}\n\nThe Canonical String for this request should have "
                                                f"been\n'{canonical}'\n\nThe String-to-Sign should have been\n"
                                                f"'{to_sign}'\n"}


def test_amp_answers(served: tuple[FakeAws, str, Key]) -> None:
    f, url, key = served
    ok, _, _ = _remote_write(url, key.access_key_id, key.secret)
    assert ok.status == 200
    unsigned = urllib3.request("POST", url + WS_PATH, body=b"\x00", retries=False)
    assert (unsigned.status, json.loads(unsigned.data)) == (403, {"message": "Missing Authentication Token"})
    nobody = f.add_user("nobody", [])
    denied, _, _ = _remote_write(url, nobody.access_key_id, nobody.secret)
    assert denied.status == 403 and denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert json.loads(denied.data)["message"].startswith(
        "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: aps:RemoteWrite on resource: "
        "arn:aws:aps:us-east-1:123456789012:workspace/ws-1")
    f.workspaces.clear()
    missing, _, _ = _remote_write(url, key.access_key_id, key.secret)
    assert missing.status == 404 and missing.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"


def test_query_and_json_protocol_errors(served: tuple[FakeAws, str, Key]) -> None:
    f, url, key = served
    with pytest.raises(ClientError) as e:
        _client("sts", url, "AKIAUNKNOWNKEY000000", "x").get_caller_identity()  # type: ignore[attr-defined]
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as e:
        _client("logs", url, "AKIAUNKNOWNKEY000000", "x").describe_log_streams(  # type: ignore[attr-defined]
            logGroupName="g")
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
    session = f.add_session(f.add_role("r", []))
    with pytest.raises(ClientError) as e:  # a temporary key without its session token
        _client("sts", url, session.access_key_id, session.secret).get_caller_identity()  # type: ignore[attr-defined]
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as e:
        _client("iam", url, key.access_key_id, "wrong").get_role(RoleName="r")  # type: ignore[attr-defined]
    # Like AWS's query-protocol services, the message carries the canonical request AWS computed.
    err = e.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"].startswith(MISMATCH)
    assert "The Canonical String for this request should have been" in err["Message"]


def test_stale_request_time_is_signature_expired(served: tuple[FakeAws, str, Key]) -> None:
    f, url, key = served
    f.clock_offset = 20 * 60  # AWS's clock is 20 minutes ahead of ours
    with pytest.raises(ClientError) as e:
        _client("sts", url, key.access_key_id, key.secret).get_caller_identity()  # type: ignore[attr-defined]
    err = e.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert err["Message"].startswith("Signature expired: ") and err["Message"].endswith(" - 15 min.)")


POLICIES = [
    Policy("wild", {"Statement": [{"Effect": "Allow", "Action": "APS:Remote*", "Resource": "arn:aws:aps:*:*:workspace/ws-?"}]}),
    Policy("not-action", {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]}),
    Policy("deny", {"Statement": [{"Effect": "Deny", "Action": "logs:DeleteLogGroup", "Resource": "*"}]}),
]


@pytest.mark.parametrize(("action", "resource", "decision", "matched"), [
    ("aps:RemoteWrite", "arn:aws:aps:us-east-1:1:workspace/ws-1", ALLOWED, ["wild", "not-action"]),
    ("aps:remotewrite", "arn:aws:aps:eu-west-1:1:workspace/ws-22", ALLOWED, ["not-action"]),
    ("iam:CreateUser", "*", IMPLICIT_DENY, []),
    ("s3:GetObject", "arn:aws:s3:::secret/key", IMPLICIT_DENY, []),
    ("s3:GetObject", "arn:aws:s3:::public/key", ALLOWED, ["not-action"]),
    ("logs:DeleteLogGroup", "arn:aws:logs:us-east-1:1:log-group:x", EXPLICIT_DENY, ["deny"]),
])
def test_policy_evaluator(action: str, resource: str, decision: str, matched: list[str]) -> None:
    ev = evaluate(POLICIES, action, resource)
    assert ev.decision == decision
    assert [p.id for p, _ in ev.matched] == matched
