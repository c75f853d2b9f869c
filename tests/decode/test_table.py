"""Each pasted input → the root cause a user sees first (the closing note's table comes from here)."""

from __future__ import annotations

import pytest

from tests.decode.conftest import decode_file, finding, top_cause

TABLE = [
    # (input file, input style, top cause)
    ("amp_sigmismatch_prometheus.log", "Prometheus logfmt, Go %q, AMP JSON body", "service-name-mismatch"),
    ("amp_region_mismatch_alloy.log", "Alloy logfmt, AMP JSON body", "region-mismatch"),
    # The path holds a space (%20): a key character signers encode differently, read first (pass 10).
    ("s3_signature_mismatch.xml", "S3 XML body with CanonicalRequest", "canonicalization-mismatch"),
    ("go_v1_debug_tampered.log", "aws-sdk-go v1 debug signing log + response", "request-modified-after-signing"),
    ("go_v1_debug_identical.log", "aws-sdk-go v1 debug signing log + response", "secret-key-mismatch"),
    ("signature_expired.json", "JSON __type body", "clock-skew"),
    ("s3_request_time_too_skewed.xml", "S3 XML body", "clock-skew"),
    ("otel_missing_auth_token.jsonl", "OTel Collector JSON log lines", "request-not-signed"),
    ("cli_debug_asia_no_token.log", "AWS CLI --debug", "session-token-missing"),
    ("go_v2_invalid_client_token.log", "aws-sdk-go-v2 error chain", "access-key-invalid"),
    ("sts_access_key_invalid.xml", "STS query XML body", "access-key-invalid"),
    ("go_v1_expired_token.log", "Prometheus logfmt, aws-sdk-go v1 awserr", "credentials-expired"),
    ("amp_access_denied.log", "Prometheus logfmt, AMP 403", "permission-missing"),
    ("amp_explicit_deny.log", "Prometheus logfmt, AMP 403", "explicit-deny"),
    ("irsa_role_trust_denied.log", "Go error chain (WebIdentityErr)", "role-trust-denied"),
    ("irsa_no_oidc_provider.log", "Go error chain, pasted multi-line", "web-identity-rejected"),
    ("irsa_token_unreadable.txt", "Go error chain, pasted multi-line", "web-identity-token-unreadable"),
    ("pod_identity_old_sdk.log", "Prometheus logfmt, CredentialsEndpointError", "sdk-unsupported-credential-source"),
    ("pod_identity_old_sdk_v2.log", "Alloy logfmt, aws-sdk-go-v2 bare error", "sdk-unsupported-credential-source"),
    ("pod_identity_old_sdk_v2_local.jsonl", "OTel JSON log, aws-sdk-go-v2 local.go wording",
     "sdk-unsupported-credential-source"),
    ("pod_identity_old_botocore.log", "Python logging, botocore traceback", "sdk-unsupported-credential-source"),
    ("pod_identity_old_js_v3.log", "Node.js stack, AWS SDK for JavaScript v3", "sdk-unsupported-credential-source"),
    ("pod_identity_old_java2.log", "Java stack, AWS SDK for Java 2 provider chain", "sdk-unsupported-credential-source"),
    # `dial tcp 169.254.169.254:80: i/o timeout` is the connect itself timing out: the hop limit only drops IMDSv2's
    # token answer (IMDSv1 GETs still work from containers), so the service is unreachable, not hop-limited.
    ("go_v1_no_providers_imds_timeout.txt", "Go verbose credential chain", "imds-unreachable"),
    ("imds_token_timeout_v2.log", "Alloy logfmt, aws-sdk-go-v2", "imds-hop-limit"),
    ("go_v1_no_providers.log", "Prometheus logfmt", "no-credentials"),
    ("cli_unable_to_locate.txt", "botocore / AWS CLI", "no-credentials"),
    ("cli_partial_credentials.txt", "botocore / AWS CLI", "env-credentials-incomplete"),
    ("x509_unknown_authority.log", "Prometheus logfmt, Go net/http", "tls-untrusted"),
    ("dns_no_such_host.log", "Prometheus logfmt, Go net", "dns-resolution-failed"),
    ("endpoint_refused.log", "Prometheus logfmt, Go net", "endpoint-unreachable"),
    ("proxyconnect.log", "Prometheus logfmt, Go net/http", "proxy-misconfigured"),
    ("scoped_region.json", "REST JSON message body", "region-mismatch"),
    ("amp_workspace_not_found.json", "JSON __type body", "target-not-found"),
    ("opt_in_region.log", "Prometheus logfmt, AMP JSON body", "sts-opt-in-region"),
]


@pytest.mark.parametrize(("name", "style", "cause"), TABLE, ids=[t[0] for t in TABLE])
def test_input_to_top_cause(name: str, style: str, cause: str) -> None:
    report = decode_file(name)
    assert report.command == "decode"
    assert top_cause(report) == cause, style
    assert finding(report, cause).status.value in ("fail", "warn")


def test_empty_input_reports_no_error_and_exit_zero() -> None:
    report = decode_file("empty.log")
    assert report.root_causes == ()
    assert not report.has_error
    summary = report.probes[0].findings[0]
    assert summary.id == "decode.summary"
    assert summary.evidence["errors"] == 0
    assert "no AWS error found" in report.probes[0].summary
