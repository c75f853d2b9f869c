"""A Go v2 SDK error wrapped at one of its own fields stays one error with its cause.

smithy-go prints an operation's failure on one line: `operation error <Service>: <Operation>, https response error
StatusCode: <n>, RequestID: <id>, [HostID: <id>, ]api error <Code>: <message>` (smithy-go OperationError and
GenericAPIError, aws-sdk-go-v2 aws/transport/http ResponseError; S3 adds its HostID in service/s3/internal/
customizations ResponseError). A wrap at a space puts one of those fields — `StatusCode: 404`, `RequestID: …`,
`HostID: …` — or, after `operation error` / `api error`, the service or the code at the start of a line, where each
looks like the head of an error of its own. The user must still see one error, with the cause of the whole line.
"""

from __future__ import annotations

import re

import pytest

from tests.decode.conftest import decode_text, top_cause
from tests.decode.test_wrappers import MANGLERS

RID = "5b1c8e2a-7d3f-4e9a-8c61-0f2b4d6a8e13"
SMITHY = [
    ("imds-404", "operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS "
                 "failed", "imds-no-role"),
    ("sts-web-identity", "operation error STS: AssumeRoleWithWebIdentity, https response error StatusCode: 403, "
                         f"RequestID: {RID}, api error AccessDenied: Not authorized to perform "
                         "sts:AssumeRoleWithWebIdentity", "role-trust-denied"),
    ("cloudwatch-token", "operation error CloudWatch: PutMetricData, https response error StatusCode: 403, RequestID: "
                         f"{RID}, api error InvalidClientTokenId: The security token included in the request is "
                         "invalid.", "access-key-invalid"),
    ("s3-host-id", "operation error S3: PutObject, https response error StatusCode: 403, RequestID: 7Q2M4X9K1B3C5D8E, "
                   "HostID: kU0f3nW9yGx2bq7Lr5Zt1a8c6e4d2f0h9j7k5m3n1p=, api error ExpiredToken: The provided token "
                   "has expired.", "credentials-expired"),
]
# Where a wrap puts a field or a name at the start of a line: before each field, and after the words that come
# before the service and the code.
_CUTS = re.compile(r" (?=StatusCode: |RequestID: |HostID: |api error )|(?<=operation error) |(?<=api error) ")


def _cut_at(text: str, at: int) -> str:
    return text[:at] + "\n" + text[at + 1:]


def _errors(text: str) -> int:
    report = decode_text(text)
    return next(f.evidence["errors"] for f in report.probes[0].findings if f.id == "decode.summary")


@pytest.mark.parametrize(("name", "text", "cause"), SMITHY, ids=[s[0] for s in SMITHY])
@pytest.mark.parametrize("frame", ["", "box", "markdown-quote"])
def test_a_go_v2_error_wrapped_at_a_field_is_one_error_with_its_cause(name: str, text: str, cause: str,
                                                                   frame: str) -> None:
    assert top_cause(decode_text(text)) == cause
    cuts = [m.start() for m in _CUTS.finditer(text)]
    assert len(cuts) >= 2
    for at in cuts:
        wrapped = _cut_at(text, at)
        if frame:
            wrapped = MANGLERS[frame](wrapped)
        assert (top_cause(decode_text(wrapped)), _errors(wrapped)) == (cause, 1), wrapped


def test_the_known_counter_example_boxed_twice_then_wrapped() -> None:
    # The mangling property's draw (tests/awserrors/test_credential_sources.py): two boxes, then a word wrap at 72
    # that leaves `StatusCode: 404, request to EC2 IMDS failed │ │` on a line of its own.
    text = SMITHY[0][1]
    for name in ("box", "box", "wrap"):
        text = MANGLERS[name](text)
    assert "\nStatusCode: 404" in text
    assert top_cause(decode_text(text)) == "imds-no-role"


def test_go_v2_errors_on_log_lines_of_their_own_stay_apart() -> None:
    # Each line a log record: a wrap's continuation never swallows the next record.
    lines = [f'ts=2026-12-07T04:00:0{i}Z level=error msg="request failed" err="{text}"'
             for i, (_, text, _) in enumerate(SMITHY)]
    assert _errors("\n".join(lines)) == len(SMITHY)
