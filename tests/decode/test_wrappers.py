"""The same AWS errors as each SDK, runtime and agent wraps them, and as tickets mangle them on the way.

Each text below has the shape its printer gives it (the SDK's error type and formatting, the agent's log line); the
codes and messages are AWS's. The property test then mangles them the ways pasted text gets mangled — quotes
escaped once or twice more or dropped, doubled spaces, line wrapping (at words, or by a terminal at its width inside
words), the whole text embedded as a JSON string in a JSON log line (or in a JSON body inside one), HTML entities, a
Markdown quote or code span, Terraform's margin, a terminal box, CRLF line ends, typographic quotes — and the cause
a user sees first must not change. MANGLERS is shared with the other mangling tests (tests/decode/test_mangling.py,
tests/awserrors/).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.decode.conftest import decode_text, top_cause

RID = "4f1c2a9e-0b7d-4c1e-9a55-2d6f0e8b7c31"
WRAPPED = [
    ("go-v1-awserr", "InvalidClientTokenId: The security token included in the request is invalid.\n"
                     f"\tstatus code: 403, request id: {RID}", "access-key-invalid"),
    ("go-v2-smithy", "operation error STS: GetCallerIdentity, https response error StatusCode: 403, RequestID: "
                     f"{RID}, api error SignatureDoesNotMatch: The request signature we calculated does not match "
                     "the signature you provided. Check your AWS Secret Access Key and signing method. Consult the "
                     "service documentation for details.", "secret-key-mismatch"),
    ("botocore", "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the "
                 "GetCallerIdentity operation: The security token included in the request is expired",
     "credentials-expired"),
    ("js-v3", "ResourceNotFoundException: Workspace not found\n    at de_ResourceNotFoundExceptionRes "
              "(/app/node_modules/@aws-sdk/client-amp/dist-cjs/index.js:1921:21)\n    at async "
              "/app/node_modules/@smithy/core/dist-cjs/index.js:168:18 {\n  '$fault': 'client',\n  '$metadata': "
              f"{{\n    httpStatusCode: 404,\n    requestId: '{RID}',\n    attempts: 1\n  }}\n}}",
     "target-not-found"),
    ("java-1", "com.amazonaws.services.securitytoken.model.AWSSecurityTokenServiceException: The security token "
               "included in the request is invalid. (Service: AWSSecurityTokenService; Status Code: 403; Error Code: "
               f"InvalidClientTokenId; Request ID: {RID}; Proxy: null)", "access-key-invalid"),
    ("java-2", "software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException: User: "
               "arn:aws:sts::123456789012:assumed-role/fluentd/i-0abc is not authorized to perform: "
               "logs:PutLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:web "
               "because no identity-based policy allows the logs:PutLogEvents action (Service: CloudWatchLogs, "
               f"Status Code: 400, Request ID: {RID})", "permission-missing"),
    ("dotnet", "Amazon.SecurityToken.AmazonSecurityTokenServiceException: The request signature we calculated does "
               "not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult "
               "the service documentation for details.\n ---> Amazon.Runtime.Internal.HttpErrorResponseException: "
               "Exception of type 'Amazon.Runtime.Internal.HttpErrorResponseException' was thrown.\n   at "
               "Amazon.Runtime.HttpWebRequestMessage.GetResponseAsync(CancellationToken cancellationToken)",
     "secret-key-mismatch"),
    ("rust", "ServiceError(ServiceError { source: ExpiredTokenException(ExpiredTokenException { message: Some(\"The "
             "security token included in the request is expired\"), meta: ErrorMetadata { code: "
             "Some(\"ExpiredTokenException\"), message: Some(\"The security token included in the request is "
             "expired\"), extras: None } }), raw: Response { status: StatusCode(400), headers: Headers { headers: "
             "{} }, body: SdkBody { inner: Once(None), retryable: true } } })", "credentials-expired"),
    ("php-guzzle", "Error executing \"PutObject\" on \"https://logs-archive.s3.amazonaws.com/app.log\"; AWS HTTP "
                   "error: Client error: `PUT https://logs-archive.s3.amazonaws.com/app.log` resulted in a `403 "
                   "Forbidden` response:\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>RequestTimeTooSkewed"
                   "</Code><Message>The difference between the request time and the current time is too large."
                   "</Message><RequestTime>20261127T040000Z</RequestTime><ServerTime>2026-11-27T04:31:00Z"
                   "</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>",
     "clock-skew"),
    ("ruby", "Aws::STS::Errors::InvalidClientTokenId: The security token included in the request is invalid.\n"
             "\t/usr/lib/ruby/gems/3.2.0/gems/aws-sdk-core-3.190.0/lib/seahorse/client/plugins/raise_response_errors"
             ".rb:17:in `call'", "access-key-invalid"),
    ("alloy", 'ts=2026-11-27T04:00:00.000Z level=error component_path=/ component_id=prometheus.remote_write.amp '
              'subcomponent=rw remote_name=6b2a44 url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1'
              '/api/v1/remote_write msg="non-recoverable error" count=500 exemplarCount=0 err="server returned HTTP '
              'status 403 Forbidden: {\\"message\\":\\"Credential should be scoped to correct service: \'aps\'. \\"}"',
     "service-name-mismatch"),
    ("otel-collector", '2026-11-27T04:00:00.000Z\terror\texporterhelper/queue_sender.go:101\tExporting failed. '
                       'Dropping data.\t{"kind": "exporter", "data_type": "metrics", "name": "prometheusremotewrite", '
                       '"error": "Permanent error: Permanent error: remote write returned HTTP status 403 Forbidden; '
                       'err = %!w(<nil>): {\\"message\\":\\"The security token included in the request is '
                       'expired\\"}\\n", "dropped_items": 12}', "credentials-expired"),
    ("fluent-bit", "[2026/11/27 04:00:00] [error] [output:cloudwatch_logs:cloudwatch_logs.0] PutLogEvents API "
                   "responded with error='AccessDeniedException', message='User: arn:aws:sts::123456789012:assumed-"
                   "role/fluent-bit/i-0abc is not authorized to perform: logs:PutLogEvents on resource: "
                   "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:web because no identity-based "
                   "policy allows the logs:PutLogEvents action'", "permission-missing"),
    ("vector", '2026-11-27T04:00:00.000000Z ERROR sink{component_kind="sink" component_id=cw '
               'component_type=aws_cloudwatch_logs}: vector::sinks::util::retries: Non-retriable error; dropping the '
               'request. error=CloudwatchError::Put: ResourceNotFoundException: The specified log group does not '
               'exist.', "target-not-found"),
    ("telegraf", "2026-11-27T04:00:00Z E! [outputs.cloudwatch] Unable to write to CloudWatch : operation error "
                 "CloudWatch: PutMetricData, https response error StatusCode: 403, RequestID: "
                 f"{RID}, api error InvalidClientTokenId: The security token included in the request is invalid.",
     "access-key-invalid"),
    ("loki", 'level=error ts=2026-11-27T04:00:00.000Z caller=flush.go:143 org_id=fake msg="failed to flush" '
             'err="failed to flush chunks: store put chunk: SignatureDoesNotMatch: The request signature we '
             'calculated does not match the signature you provided. Check your key and signing method.\\n\\tstatus '
             'code: 403, request id: 7C0A1B2C3D4E5F60, host id: aGVsbG8="', "secret-key-mismatch"),
    ("thanos-minio", 'level=error ts=2026-11-27T04:00:00Z caller=main.go:161 err="upload: The AWS Access Key Id '
                     'you provided does not exist in our records."', "access-key-invalid"),
    ("cloudwatch-agent", "2026-11-27T04:00:00Z E! cloudwatchlogs: code: AccessDeniedException, message: User: "
                         "arn:aws:sts::123456789012:assumed-role/cwagent/i-0abc is not authorized to perform: "
                         "logs:PutLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:"
                         "web, original error: <nil>", "permission-missing"),
    ("prometheus-go-v1", 'ts=2026-11-27T04:00:00.000Z caller=dedupe.go:112 component=remote level=warn '
                         'remote_name=6b2a44 url=https://aps-workspaces.eu-south-1.amazonaws.com/workspaces/ws-1/api/'
                         'v1/remote_write msg="Failed to send batch, retrying" err="Post \\"https://aps-workspaces.'
                         'eu-south-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write\\": NoCredentialProviders: no '
                         'valid providers in chain. Deprecated.\\n\\tFor verbose messaging see '
                         'aws.Config.CredentialsChainVerboseErrors"', "no-credentials"),
    ("s3-headers-not-signed", "<Error><Code>HeadersNotSigned</Code><Message>There were headers present in the "
                              "request which were not signed</Message><HeadersNotSigned>x-amz-server-side-encryption"
                              f"</HeadersNotSigned><RequestId>{RID[:16]}</RequestId></Error>",
     "request-modified-after-signing"),
    ("s3-authorization-header-malformed", "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The "
                                          "authorization header is malformed; the region 'us-east-1' is wrong; "
                                          "expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>",
     "region-mismatch"),
    ("sts-regional-activation", "An error occurred (RegionDisabledException) when calling the AssumeRole operation: "
                                "STS is not activated in this region for account:123456789012. Your account "
                                "administrator can activate STS in this region using the IAM Console.",
     "sts-opt-in-region"),
    ("botocore-profile", "botocore.exceptions.ProfileNotFound: The config profile (monitoring) could not be found",
     "profile-invalid"),
    ("botocore-sso", "botocore.exceptions.UnauthorizedSSOTokenError: The SSO session associated with this profile "
                     "has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the "
                     "corresponding profile.", "profile-invalid"),
    ("sts-oidc-thumbprint", "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity "
                            "operation: OpenIDConnect provider's HTTPS certificate doesn't match configured "
                            "thumbprint", "web-identity-rejected"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), WRAPPED, ids=[w[0] for w in WRAPPED])
def test_each_wrapper_gives_the_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer


def _escape_again(t: str) -> str:
    return json.dumps(t)[1:-1]


def _escape_twice(t: str) -> str:
    return _escape_again(_escape_again(t))


def _drop_quotes(t: str) -> str:
    # A tool that drops quotes drops the backslashes escaping them too (`Couldn\'t` becomes `Couldnt`).
    return re.sub(r"\\*[\"']", "", t)


def _double_spaces(t: str) -> str:
    return t.replace(" ", "  ")


def _wrap(t: str, width: int = 72) -> str:
    out, line = [], ""
    for word in re.split(r"(?<= )", t):
        if len(line) + len(word) > width and line:
            out.append(line.rstrip(" "))
            line = ""
        line += word
    out.append(line)
    return "\n".join(out)


def terminal_wrap(t: str, width: int = 67) -> str:
    """A terminal that copies its screen lines (tmux, screen, k9s): every line cut each `width` characters, inside
    words too."""
    out = []
    for line in t.split("\n"):
        out += [line[i:i + width] for i in range(0, max(len(line), 1), width)]
    return "\n".join(out)


def _in_json_log(t: str) -> str:
    return json.dumps({"level": "error", "ts": "2026-11-27T04:00:00.000Z", "msg": "request failed", "err": t})


def _in_json_in_json(t: str) -> str:
    # An error body (JSON) inside an agent's error string inside a JSON log line.
    return _in_json_log(json.dumps({"error": t}))


def _html(t: str) -> str:
    return html.escape(t)


def _markdown_quote(t: str) -> str:
    return "\n".join("> " + line for line in t.split("\n"))


def _terraform_margin(t: str) -> str:
    return "╷\n" + "\n".join("│ " + line for line in t.split("\n")) + "\n╵"


def _box(t: str) -> str:
    lines = t.split("\n")
    width = max(len(line) for line in lines)
    return ("┌" + "─" * (width + 2) + "┐\n" + "\n".join("│ " + line.ljust(width) + " │" for line in lines)
            + "\n└" + "─" * (width + 2) + "┘")


def _crlf(t: str) -> str:
    return t.replace("\n", "\r\n")


def _typographic_quotes(t: str) -> str:
    return re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", t).replace("'", "\u2019")


def _code_span(t: str) -> str:
    return "```\n" + t + "\n```" if "\n" in t else "**`" + t + "`**"


MANGLERS = {"escape-again": _escape_again, "escape-twice": _escape_twice, "drop-quotes": _drop_quotes,
            "double-spaces": _double_spaces, "wrap": _wrap, "json-log": _in_json_log, "json-in-json": _in_json_in_json,
            "html": _html, "markdown-quote": _markdown_quote, "terraform-margin": _terraform_margin, "box": _box,
            "crlf": _crlf, "typographic-quotes": _typographic_quotes, "code-span": _code_span}
# What a paste does around lines a terminal already cut at its width, keeping each line's length: a terminal cut is
# joined again by that width, which doubled spaces, entities or a re-wrap after it no longer show.
FRAMES = ("markdown-quote", "terraform-margin", "box", "crlf", "typographic-quotes", "code-span")
# As a ticket gets them: one to three manglers of the text as logged and pasted, then (or not) a terminal's cut at a
# width terminals have, then up to two frames around that.
MANGLES = st.tuples(st.lists(st.sampled_from(sorted(set(MANGLERS) - set(FRAMES))), min_size=1, max_size=3),
                    st.one_of(st.none(), st.integers(min_value=60, max_value=200)),
                    st.lists(st.sampled_from(FRAMES), max_size=2))


def mangle(text: str, how: tuple[list[str], int | None, list[str]]) -> str:
    names, width, frames = how
    for name in names:
        text = MANGLERS[name](text)
    if width:
        text = terminal_wrap(text, width)
    for name in frames:
        text = MANGLERS[name](text)
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(WRAPPED), MANGLES)
# A random draw that lost the error: the terminal's cut lines, framed by Terraform's margin and then given CRLF ends,
# were not seen as cut (each line ended in `\r`), so the code cut in two was found nowhere.
@example(next(w for w in WRAPPED if w[0] == "s3-authorization-header-malformed"),
         (["json-in-json"], 60, ["terraform-margin", "crlf"]))
# Another: a box in a code span, its bottom edge and closing fence as wide as a cut line, joined to the box's last line.
@example(next(w for w in WRAPPED if w[0] == "alloy"), (["double-spaces"], 60, ["box", "code-span"]))
def test_mangled_text_keeps_its_top_cause(case: tuple[str, str, str], how: tuple[list[str], int | None, list[str]]) \
        -> None:
    printer, text, cause = case
    assert top_cause(decode_text(mangle(text, how))) == cause, (printer, how, text[:400])
