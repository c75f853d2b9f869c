"""How `decode` reads a paste: where an error's record starts and ends, and what is around its lines.

Each text has the shape its printer gives it (Go v1's awserr chain and request failure, the SDKs' own messages),
then the damage a ticket does to it: a Markdown quote, Terraform's margin, a terminal box, a wrap that starts a line
with an error word, `caused by:` pushed to the next line or spaced twice, a phrase of lower-case words no prefilter
word marks. The user must see the same error, once, with the same first cause.
"""

from __future__ import annotations

import io

import pytest

from sigdoctor.awserrors.parse import readable
from sigdoctor.context import Context
from sigdoctor.decode import decode_report
from sigdoctor.model import Report
from tests.decode.conftest import INPUTS, decode_text, finding, top_cause

# aws-sdk-go v1 aws/ec2rolecreds (EC2RoleRequestError) over aws/ec2metadata (EC2MetadataError), an IMDS answer of 403.
GO1_IMDS_403 = ("EC2RoleRequestError: no EC2 instance role found\ncaused by: EC2MetadataError: failed to make "
                "EC2Metadata request\n\tstatus code: 403, request id: ")


def _errors(report: Report) -> tuple[object, object]:
    """(errors found, distinct ones), as the report's summary line gives them."""
    s = next(f.evidence for f in report.probes[0].findings if f.id == "decode.summary")
    return s["errors"], s["distinct"]


@pytest.mark.parametrize("text", [
    GO1_IMDS_403,
    GO1_IMDS_403.replace("caused by: ", "caused  by:  "),
    GO1_IMDS_403.replace("caused by: ", "caused by:\n"),
    GO1_IMDS_403.replace("request\n", "request\n\n"),
    "\n".join("> " + line for line in GO1_IMDS_403.split("\n")),
    "╷\n" + "\n".join("│ " + line for line in GO1_IMDS_403.split("\n")) + "\n╵",
    "2026/12/06 10:00:00 E! cloudwatch: " + GO1_IMDS_403,
], ids=["plain", "doubled-spaces", "cause-on-next-line", "blank-line", "markdown-quote", "terraform-margin",
        "log-prefix"])
def test_a_go_v1_chain_is_one_error_however_it_is_laid_out(text: str) -> None:
    report = decode_text(text)
    assert top_cause(report) == "imds-unreachable"
    assert _errors(report) == (1, 1)


def test_an_html_body_inside_a_go_v1_request_failure_stays_in_its_error() -> None:
    # ec2metadata's request failure: "failed to make EC2Metadata request\n" + the body, then the status line. The
    # body here is a proxy's 403 page: the answer did not come from IMDS's token endpoint.
    text = ("2026/12/06 10:00:00 I! WARN: failed to get session token, falling back to IMDSv1: 403 Forbidden: "
            "Forbidden\n\tstatus code: 403, request id: \ncaused by: EC2MetadataError: failed to make EC2Metadata "
            "request\n<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 "
            "Transitional//EN\"\n\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns="
            "\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>403 - Forbidden"
            "</title>\n </head>\n <body>\n  <h1>403 - Forbidden</h1>\n </body>\n</html>\n\n\tstatus code: 403, "
            "request id: \n")
    report = decode_text(text)
    assert _errors(report) == (1, 1)
    assert top_cause(report) == "imds-unreachable"


def test_an_s3_error_document_after_a_finished_go_error_is_an_error_of_its_own() -> None:
    # Without Go's status line after it, an XML document opens a record: two errors, two readings.
    s3 = (INPUTS / "s3_request_time_too_skewed.xml").read_text()
    report = decode_text("InvalidClientTokenId: The security token included in the request is invalid.\n"
                         "\tstatus code: 403, request id: 4f1c2a9e-0b7d-4c1e-9a55-2d6f0e8b7c31\n" + s3)
    assert _errors(report) == (2, 2)


def test_quoted_log_lines_are_still_one_record_each() -> None:
    lines = ['ts=2026-12-06T10:00:0{i}Z level=error msg="send failed" err="ExpiredTokenException: The security token '
             'included in the request is expired\\n\\tstatus code: 400, request id: 3c4d-{i}"',
             'ts=2026-12-06T10:00:0{i}Z level=error msg="send failed" err="InvalidClientTokenId: The security token '
             'included in the request is invalid.\\n\\tstatus code: 403, request id: 7a8b-{i}"']
    plain = "\n".join(line.format(i=i) for i, line in enumerate(lines))
    quoted = "\n".join("> " + line for line in plain.split("\n"))
    for text in (plain, quoted):
        report = decode_text(text)
        assert _errors(report) == (2, 2)


@pytest.mark.parametrize(("text", "cause"), [
    # A wrap that opens a line with an error word: the line before it was cut, and what follows is no error head.
    ("Run aws-actions/configure-aws-credentials@v4\nError: Could not assume role with OIDC: No\nOpenIDConnect "
     "provider found in your account for https://token.actions.githubusercontent.com", "web-identity-rejected"),
    # A JSON log object wrapped over lines, an error code in its last line.
    ('{"level":"info","message":{"message":"Signature expired: 20140325T143453Z is now earlier than\n'
     '20140325T143751Z (20140325T145251Z - 15 min.)","code":"InvalidSignatureException",\n"statusCode":400}}',
     "clock-skew"),
])
def test_a_wrapped_line_that_opens_with_an_error_word_continues_its_error(text: str, cause: str) -> None:
    report = decode_text(text)
    assert top_cause(report) == cause
    assert _errors(report) == (1, 1)


@pytest.mark.parametrize(("text", "cause"), [
    # Messages of lower-case words only, which no prefilter word marks; then wrapped or spaced twice inside.
    ('I1206 10:00:00.000000       1 metadata.go:75] "ec2  metadata  is not available"', "imds-hop-limit"),
    ("2026-12-06T10:00:00.000000Z ERROR sink{component_id=cw}: vector::sinks::util::retries: Non-retriable "
     "error; dropping the request. error=failed to construct request: No credentials in the\nproperty bag",
     "no-credentials"),
    ('2026-12-06T10:00:00.000Z\terror\texporterhelper/queued_retry.go:364\tExporting failed.\t{"kind": "exporter", '
     '"error": "Permanent error: Post \\"https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1/api/v1/'
     'remote_write\\": context deadline exceeded"}', "endpoint-unreachable"),
    # A line that lost its head (`User: arn:… is`) in the copy.
    ("not authorized to perform: cloudwatch:PutMetricData because no permissions boundary allows the "
     "cloudwatch:PutMetricData action\n\tstatus code: 403, request id: ", "permission-missing"),
    # Markdown emphasis glued to Go's `dial tcp:`.
    ("it gives us an error **_tcp: lookup bucket.s3.ap-south-1.amazonaws.com on 10.0.0.2:53: no such host_**",
     "dns-resolution-failed"),
])
def test_a_paste_is_read_for_every_shape_the_table_knows(text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause


def test_typographic_quotes_read_as_the_ascii_ones_they_replaced() -> None:
    text = ("[error] {\u201c__type\u201d:\u201cInvalidSignatureException\u201d,\u201cmessage\u201d:\u201cCredential "
            "should be scoped to correct service: \u2019sagemaker\u2019. \u201d}")
    assert top_cause(decode_text(text)) == "service-name-mismatch"


def _framed(text: str, how: str) -> str:
    lines = text.split("\n")
    if how == "markdown":
        return "\n".join("> " + line for line in lines)
    width = max(len(line) for line in lines)
    return ("┌" + "─" * (width + 2) + "┐\n" + "\n".join("│ " + line.ljust(width) + " │" for line in lines)
            + "\n└" + "─" * (width + 2) + "┘")


@pytest.mark.parametrize("how", ["markdown", "box"])
def test_a_framed_s3_error_is_read_as_aws_printed_it(how: str) -> None:
    # The canonical request in S3's error is compared line by line with the client's: a margin or a box border on
    # each line must not read as part of the path or a header.
    body = (INPUTS / "s3_signature_mismatch.xml").read_text()
    client = INPUTS / "s3_client_canonical.txt"
    report = decode_report(io.BytesIO(_framed(body, how).encode()), client=client, ctx=Context(env={}))
    assert top_cause(report) == "canonicalization-mismatch"
    (diff,) = finding(report, "canonical-diff").evidence["differences"]
    assert (diff["component"], diff["kind"]) == ("path", "canonicalization")


def _terminal(text: str, width: int) -> str:
    """`text` as a terminal that copies its screen lines (tmux, screen, k9s) gives it: cut every `width` characters."""
    out = []
    for line in text.split("\n"):
        out += [line[i:i + width] for i in range(0, max(len(line), 1), width)]
    return "\n".join(out)


@pytest.mark.parametrize(("text", "cause"), [
    ("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:"
     "assumed-role/ci/session is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:"
     "role/deploy", "role-trust-denied"),
    ("InvalidClientTokenId: The security token included in the request is invalid.\n\tstatus code: 403, request id: "
     "4f1c2a9e-0b7d-4c1e-9a55-2d6f0e8b7c31", "access-key-invalid"),
    ("An error occurred (AuthorizationHeaderMalformed) when calling the ListObjectsV2 operation: The authorization "
     "header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'", "region-mismatch"),
])
@pytest.mark.parametrize("width", [41, 57, 67, 80, 97])
def test_a_line_a_terminal_cut_at_its_width_reads_as_one(text: str, cause: str, width: int) -> None:
    assert top_cause(decode_text(text)) == cause
    assert top_cause(decode_text(_terminal(text, width))) == cause


def test_two_lines_that_merely_end_and_start_with_words_are_not_joined() -> None:
    # The first line is the longest and the second starts with a word: joined they would read "foundcaused", which
    # adds nothing the table knows — the lines stay as the SDK printed them.
    text = ("EC2RoleRequestError: no EC2 instance role found for this instance\ncaused by: EC2MetadataError: failed\n"
            "\tstatus code: 404, request id: ")
    assert readable(text) == text
    assert top_cause(decode_text(text)) == "imds-no-role"
