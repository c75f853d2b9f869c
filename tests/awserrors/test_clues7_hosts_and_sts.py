"""Who answered, or could not: a host name no AWS endpoint has (a region slot that is no region of any partition, a
service host without its required prefix) is a wrong region or endpoint setting, said so in the reading; and a web
identity call answered with what STS never answers (405, MethodNotAllowed, an unknown operation, a demand for a
signature, a body that is not STS's error) was taken by another server, so its readings stay warnings.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.awshosts import impossible_host
from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes

GO_LOOKUP = ('err="WebIdentityErr: failed to retrieve credentials\\ncaused by: RequestError: send request failed\\n'
             'caused by: Post \\"https://{host}/\\": dial tcp: lookup {host} on 10.96.0.10:53: no such host"')


def _report(text: str) -> tuple[list[tuple[str, Severity]], str]:
    report = decode_text(text)
    return ranked_causes(report), " ".join(f.message for f in report.probes[0].findings)


@pytest.mark.parametrize(("host", "said"), [
    ("sts.local.amazonaws.com", "'local' stands in its region's place"),
    ("logs.us-east-1a.amazonaws.com", "'us-east-1a' is an availability zone of us-east-1"),
    ("chunks.s3.default.amazonaws.com", "'default' stands in its region's place"),
    ("execute-api.eu-west-1.amazonaws.com", "no API id"),
    ("dkr.ecr.us-west-2.amazonaws.com", "no account id"),
    ("sts.cn-north-1.amazonaws.com", "region cn-north-1's endpoints end in amazonaws.com.cn"),
    ("logs.eu-west-1.amazonaws.com.cn", "only the China regions' endpoints end in amazonaws.com.cn"),
])
def test_a_host_no_aws_endpoint_has_is_read_as_the_clients_setting(host: str, said: str) -> None:
    causes, messages = _report(GO_LOOKUP.format(host=host))
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR)
    assert said in messages and "no DNS setting of the network can fix it" in messages


@pytest.mark.parametrize(("text", "said"), [
    ("System.Net.Http.HttpRequestException: 'Unknown Host. (sts.eu.amazonaws.com:443)'", "'eu' stands"),
    ("Seahorse::Client::Http::Error: unable to connect to logs.us-gov.amazonaws.com; SocketError: getaddrinfo: nodename "
     "nor servname provided, or not known", "'us-gov' stands"),
])
def test_other_runtimes_failed_look_ups_of_such_a_host(text: str, said: str) -> None:
    causes, messages = _report(text)
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR)
    assert said in messages


@pytest.mark.parametrize("host", [
    "sts.us-east-1.amazonaws.com", "sts.us-gov-west-1.amazonaws.com", "sts.cn-north-1.amazonaws.com.cn",
    "sts.il-central-1.amazonaws.com", "logs.s3.amazonaws.com", "my-bucket.s3.amazonaws.com",
    "bucket.s3-us-west-2.amazonaws.com", "s3.dualstack.us-east-1.amazonaws.com", "abc123.execute-api.us-east-1"
    ".amazonaws.com", "111122223333.dkr.ecr.us-east-1.amazonaws.com", "ec2-3-4-5-6.compute-1.amazonaws.com",
    "sts.amazonaws.com", "storage.example.com",
])
def test_names_aws_can_serve_are_not_called_impossible(host: str) -> None:
    assert impossible_host(host) is None


def test_a_real_endpoint_that_does_not_resolve_is_the_networks_dns() -> None:
    causes, messages = _report(GO_LOOKUP.format(host="sts.eu-west-1.amazonaws.com"))
    assert causes[0] == ("dns-resolution-failed", Severity.ERROR)
    assert "no DNS setting" not in messages


HEX_405 = ("WebIdentityErr: failed to retrieve credentials\ncaused by: SerializationError: failed to unmarshal error "
           "message\n\tstatus code: 405, request id: \ncaused by: UnmarshalError: failed to unmarshal error message\n"
           "\t00000000  3c 45 72 72 6f 72 3e 3c  43 6f 64 65 3e 4d 65 74  |<Error><Code>Met|\n")
HEX_UNKNOWN = ("WebIdentityErr: failed to retrieve credentials\ncaused by: SerializationError: failed to unmarshal error "
               "message\n\tstatus code: 400, request id: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\ncaused by: UnmarshalError: "
               "failed to unmarshal error message\n\t00000000  3c 55 6e 6b 6e 6f 77 6e  4f 70 65 72 61 74 69 6f  "
               "|<UnknownOperatio|\n\t00000010  6e 45 78 63 65 70 74 69  6f 6e 2f 3e 0a")


@pytest.mark.parametrize(("text", "said"), [
    (HEX_405, "status code: 405"),
    (HEX_UNKNOWN, "UnknownOperationException"),
    ("WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidAction: Could not find operation "
     "AssumeRoleWithWebIdentity for version 2011-06-15\n\tstatus code: 400, request id: "
     "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "Could not find operation AssumeRoleWithWebIdentity"),
    ("WebIdentityErr: failed to retrieve credentials caused by: SerializationError: failed to unmarshal error message "
     "status code: 403, request id: ABCDEFGHIJKLMNOPQRSTUVWXYZ caused by: unknown error response tag, {{ "
     "MissingAuthenticationTokenException} []}", "MissingAuthenticationToken"),
    ("Loki: WebIdentityErr: failed to retrieve credentials\ncaused by: SerializationError", "SerializationError"),
])
def test_a_web_identity_call_answered_by_another_server_names_no_error(text: str, said: str) -> None:
    causes, messages = _report(text)
    assert causes, "the readings of the answer stay listed"
    assert all(s is not Severity.ERROR for _, s in causes)
    assert f"STS never answers AssumeRoleWithWebIdentity with '{said}'" in messages


@pytest.mark.parametrize(("text", "cause"), [
    ("WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform "
     "sts:AssumeRoleWithWebIdentity\n\tstatus code: 403, request id: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
     "role-trust-denied"),
    ("WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect provider found "
     "in your account for https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789\n\tstatus code: 400, request "
     "id: 0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "web-identity-rejected"),
])
def test_stss_own_answers_to_the_web_identity_call_stay_errors(text: str, cause: str) -> None:
    causes, _ = _report(text)
    assert causes[0] == (cause, Severity.ERROR)
