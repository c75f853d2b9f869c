"""What a finding carries: where the error was, how often, who printed it, and the numbers behind it."""

from __future__ import annotations

import pytest

from tests.decode.conftest import INPUTS, decode_file, decode_text, finding, findings

AMP_403 = (
    'ts=2026-11-27T05:0{i}:00.000Z caller=dedupe.go:112 component=remote level=warn remote_name=amp '
    'url=https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write msg="Failed to send '
    'batch, retrying" err="server returned HTTP status 403 Forbidden: {{\\"message\\":\\"The security token '
    'included in the request is expired\\"}}"\n'
)


def test_retries_fold_into_one_finding_with_a_count_and_lines() -> None:
    text = "".join(AMP_403.format(i=i) + f"ts=x level=info msg=ok n={i}\n" for i in range(5))
    report = decode_text(text)
    (f,) = findings(report)
    assert f.id == "decode.credentials-expired"
    assert f.evidence["count"] == 5
    assert f.evidence["lines"] == [1, 3, 5, 7, 9]
    assert f.evidence["status"] == 403
    assert f.evidence["printed_by"] == "prometheus"
    assert f.evidence["endpoint"].startswith("https://aps-workspaces.us-east-1.amazonaws.com/")
    assert "seen 5×" in f.message
    summary = report.probes[0].findings[0].evidence
    assert (summary["errors"], summary["distinct"], summary["lines"]) == (5, 1, 10)


def test_signature_expired_gives_the_computed_skew() -> None:
    f = finding(decode_file("signature_expired.json"), "clock-skew")
    assert f.evidence["skew_seconds"] == 15 * 60
    assert "15 min 0 s behind" in f.message


def test_signature_not_yet_current_is_a_clock_ahead() -> None:
    report = decode_text('{"__type":"InvalidSignatureException","message":"Signature not yet current: '
                         '20261127T033000Z is still later than 20261127T031500Z (20261127T031000Z + 5 min.)"}')
    f = finding(report, "clock-skew")
    assert f.evidence["skew_seconds"] == -20 * 60
    assert "ahead of" in f.message


def test_s3_request_time_too_skewed_uses_server_time() -> None:
    f = finding(decode_file("s3_request_time_too_skewed.xml"), "clock-skew")
    assert f.evidence["skew_seconds"] == 25 * 60 + 12
    assert f.evidence["request_id"] == "K2H6N7WGHRKZD9AT"


def test_access_denied_names_action_resource_and_principal() -> None:
    f = finding(decode_file("amp_access_denied.log"), "permission-missing")
    assert f.evidence["action"] == "aps:RemoteWrite"
    assert f.evidence["resource"].endswith(":workspace/ws-11111111-2222-3333-4444-555555555555")
    assert f.evidence["principal"].startswith("arn:aws:sts::123456789012:assumed-role/prometheus-ingest/")
    assert any("aps:RemoteWrite" in line for line in f.evidence["fix"])


def test_asia_key_without_token_header_is_session_token_missing_and_key_is_masked() -> None:
    report = decode_file("cli_debug_asia_no_token.log")
    # Two records show it: the signed request (its signed headers lack the token) and AWS's answer after it.
    request, answer = [f for f in findings(report) if f.id == "decode.session-token-missing"]
    assert "ASIA…ERTY" in request.message
    f = answer
    assert "ASIA…ERTY" in f.message
    assert f.evidence["printed_by"] == "botocore/awscli"
    assert f.evidence["request_id"] == "6e0f5f1b-8a2d-4c33-9c57-0f4a1b2c3d4e"


def test_no_valid_providers_ranks_candidates_and_names_the_settling_probe() -> None:
    f = finding(decode_file("go_v1_no_providers.log"), "no-credentials")
    causes = [c["cause"] for c in f.evidence["candidates"]]
    assert {"env-credentials-incomplete", "web-identity-token-unreadable", "imds-hop-limit"} <= set(causes)
    assert any("sigdoctor run --only credentials" in line for line in f.evidence["fix"])


def test_imds_timeout_ranks_hop_limit_and_unreachable_and_says_how_to_settle() -> None:
    report = decode_file("go_v1_no_providers_imds_timeout.txt")
    hop = finding(report, "imds-hop-limit")
    finding(report, "imds-unreachable")
    assert any("settle" in line for line in hop.evidence["fix"])


def test_service_name_mismatch_names_both_names() -> None:
    f = finding(decode_file("amp_sigmismatch_prometheus.log"), "service-name-mismatch")
    assert (f.evidence["signed_service"], f.evidence["expected_service"]) == ("aps-workspaces", "aps")


def test_excerpt_is_short_and_unescaped() -> None:
    f = finding(decode_file("go_v1_expired_token.log"), "credentials-expired")
    assert len(f.evidence["excerpt"]) <= 300
    assert "\\n" not in f.evidence["excerpt"]
    assert "ExpiredTokenException" in f.evidence["excerpt"]


def test_every_style_of_the_same_message_is_recognised() -> None:
    body = "The security token included in the request is expired"
    styles = [
        f'{{"level":"error","ts":"2026-11-27T05:00:00Z","msg":"export failed","error":"{{\\"message\\":\\"{body}\\"}}"}}',
        f'level=error err="ExpiredToken: {body}\\n\\tstatus code: 403, request id: 1234abcd-0000"',
        f"<ErrorResponse><Error><Code>ExpiredToken</Code><Message>{body}</Message></Error></ErrorResponse>",
        f"An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: {body}",
        f'{{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"{body}"}}',
    ]
    for s in styles:
        assert [f.id for f in findings(decode_text(s + "\n"))] == ["decode.credentials-expired"], s


def test_signing_date_far_from_the_log_timestamp_is_a_clock_warning() -> None:
    text = (INPUTS / "amp_sigmismatch_prometheus.log").read_text().replace("ts=2026-11-27T03:15:02.118Z",
                                                                          "ts=2026-11-27T03:35:02.118Z")
    report = decode_text(text)
    f = finding(report, "clock-skew")
    assert f.status.value == "warn"
    assert f.evidence["skew_seconds"] == 20 * 60
    finding(report, "service-name-mismatch")


def test_response_date_header_measures_the_skew() -> None:
    text = (INPUTS / "go_v1_debug_identical.log").read_text().replace("03:40:01 GMT", "03:52:30 GMT")
    f = finding(decode_text(text), "clock-skew")
    assert f.status.value == "fail"
    assert f.evidence["skew_seconds"] == 12 * 60 + 30
    assert finding(decode_text(text), "secret-key-mismatch").status.value == "fail"


def test_loopback_refusal_names_the_sdk_its_wording_comes_from() -> None:
    # aws-sdk-go (aws/defaults/defaults.go) ends its message with a full stop; aws-sdk-go-v2 words it without
    # (config/resolve_credentials.go) or as "only host resolving to loopback addresses" (config/local.go).
    host = 'invalid endpoint host, \\"169.254.170.23\\", '
    cases = {
        f'CredentialsEndpointError: {host}only loopback hosts are allowed."': "aws-sdk-go older than 1.47.11",
        f'failed to load AWS config: {host}only loopback hosts are allowed"': "aws-sdk-go-v2 config older than 1.25.0",
        f'{host}only host resolving to loopback addresses are allowed"': "aws-sdk-go-v2 config older than 1.25.0",
    }
    for err, sdk in cases.items():
        report = decode_text(f'ts=2026-11-27T04:25:00.000Z level=error msg="send failed" err="{err}\n')
        (f,) = findings(report)
        assert f.id == "decode.sdk-unsupported-credential-source"
        assert sdk in f.message
        assert "169.254.170.23" in f.evidence["excerpt"]


POD_IDENTITY_REFUSALS = [
    # (the refusal as the SDK words it, the SDK the finding names, what its fix line says)
    ("ValueError: Unsupported host '169.254.170.23'.  Can only retrieve metadata from these hosts: 169.254.170.2, "
     "localhost, 127.0.0.1", "botocore (Python) from before EKS Pod Identity support", "November 2023"),
    ("CredentialsProviderError: 169.254.170.23 is not a valid container metadata service hostname",
     "AWS SDK for JavaScript v3", "November 2023"),
    ("software.amazon.awssdk.core.exception.SdkClientException: The full URI (http://169.254.170.23/v1/credentials) "
     "contained within environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host should "
     "resolve to a loopback address or have the full URI be HTTPS.", "AWS SDK for Java 2 older than 2.21.30",
     "2.21.30 or later"),
    # The Java 1.x SDK misspells "within"; its older releases list the hosts instead of saying "loopback".
    ("com.amazonaws.SdkClientException: The full URI (http://169.254.170.23/v1/credentials) contained withing "
     "environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host can only be one of "
     "[localhost, 127.0.0.1]", "AWS SDK for Java 1.x from before EKS Pod Identity support", "November 2023"),
]


@pytest.mark.parametrize(("refusal", "sdk", "fix"), POD_IDENTITY_REFUSALS, ids=lambda v: v[:24])
def test_pod_identity_refusal_by_other_sdks_names_the_sdk(refusal: str, sdk: str, fix: str) -> None:
    # Bare, as a sidecar logs it, after a note whose "timed out" would otherwise read as a container endpoint that
    # did not answer (container-credentials-failed).
    text = f"2026-11-27T04:40:00.000Z error [relay] first attempt timed out, then: {refusal}\n"
    report = decode_text(text + text.replace("04:40:00", "04:41:00"))
    (f,) = findings(report)
    assert f.id == "decode.sdk-unsupported-credential-source"
    assert sdk in f.message
    assert "(169.254.170.23)" in f.message
    assert f.evidence["count"] == 2
    assert "169.254.170.23" in f.evidence["excerpt"]
    assert fix in f.evidence["fix"][0]
    assert "1.47.11" not in " ".join(f.evidence["fix"])


def test_pod_identity_refusal_in_a_python_traceback_names_botocore() -> None:
    f = finding(decode_file("pod_identity_old_botocore.log"), "sdk-unsupported-credential-source")
    assert "botocore (Python)" in f.message
    assert f.evidence["lines"] == [3]
    assert "Unsupported host '169.254.170.23'" in f.evidence["excerpt"]


def test_pod_identity_refusal_over_ipv6_names_that_host() -> None:
    report = decode_text("ValueError: Unsupported host 'fd00:ec2::23'.  Can only retrieve metadata from a loopback "
                         "address or one of these hosts: 169.254.170.2, localhost, 127.0.0.1\n")
    (f,) = findings(report)
    assert f.id == "decode.sdk-unsupported-credential-source"
    assert "(fd00:ec2::23)" in f.message


def test_an_allowed_host_refused_for_another_reason_is_not_a_pod_identity_refusal() -> None:
    # The same wordings about a host that is not Pod Identity's are some other misconfiguration.
    report = decode_text("CredentialsProviderError: 10.0.0.7 is not a valid container metadata service hostname\n"
                         "ValueError: Unsupported host '10.0.0.7'.  Can only retrieve metadata from these hosts: "
                         "169.254.170.2, localhost, 127.0.0.1\n")
    assert "decode.sdk-unsupported-credential-source" not in [f.id for f in findings(report)]


def test_javascript_refusal_in_a_json_log_is_found_by_its_error_class() -> None:
    # pino's error serializer: the class in "type", the message twice; no upper-case letter in the message itself.
    msg = "169.254.170.23 is not a valid container metadata service hostname"
    line = (f'{{"level":50,"time":1795754415230,"pid":1,"hostname":"relay-7f9c","err":{{"type":'
            f'"CredentialsProviderError","message":"{msg}","stack":"CredentialsProviderError: {msg}\\n    at '
            f'getCmdsUri (/app/node_modules/@smithy/credential-provider-imds/dist-cjs/index.js:285:13)",'
            f'"tryNextLink":false}},"msg":"{msg}"}}\n')
    (f,) = findings(decode_text(line))
    assert f.id == "decode.sdk-unsupported-credential-source"
    assert "AWS SDK for JavaScript v3" in f.message
