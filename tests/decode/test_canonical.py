"""The server's canonical request against the client's: which component differs, and what that means."""

from __future__ import annotations

from pathlib import Path

from sigdoctor.awserrors.canonical import endpoint_from_host, parse_canonical_request, parse_string_to_sign
from sigdoctor.context import Context
from sigdoctor.decode import decode_report
from sigdoctor.render.text import render_text
from tests.decode.conftest import INPUTS, decode_file, finding, findings, top_cause

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_tampered_signed_header_is_named_with_both_values() -> None:
    report = decode_file("go_v1_debug_tampered.log")
    diff = finding(report, "canonical-diff")
    assert diff.status.value == "fail"
    assert diff.evidence["differences"] == [{
        "component": "header content-length", "server": "2311", "client": "2048", "kind": "modified",
        "why": "the value changed after signing",
    }]
    lines = diff.message.splitlines()
    assert "- content-length:2311" in lines
    assert "+ content-length:2048" in lines
    assert "  host:aps-workspaces.eu-west-1.amazonaws.com" in lines
    assert "header content-length" in finding(report, "request-modified-after-signing").message


def test_diff_is_shown_in_the_text_report() -> None:
    text = render_text(decode_file("go_v1_debug_tampered.log"), color=False, verbose=False)
    assert "- content-length:2311" in text
    assert "+ content-length:2048" in text


def test_identical_canonical_requests_mean_the_secret_key_is_wrong() -> None:
    report = decode_file("go_v1_debug_identical.log")
    assert top_cause(report) == "secret-key-mismatch"
    assert finding(report, "canonical-diff").status.value == "pass"


def test_client_file_with_a_differently_encoded_path_is_a_canonicalization_mismatch() -> None:
    report = decode_file("s3_signature_mismatch.xml", client="s3_client_canonical.txt")
    assert top_cause(report) == "canonicalization-mismatch"
    (diff,) = finding(report, "canonical-diff").evidence["differences"]
    assert diff["component"] == "path"
    assert diff["kind"] == "canonicalization"


def _server_error(host: str) -> str:
    canonical = (f"GET\\n/workspaces/ws-1/api/v1/query\\nquery=up\\nhost:{host}\\nx-amz-date:20261127T050000Z\\n\\n"
                 f"host;x-amz-date\\n{EMPTY}")
    sts = "AWS4-HMAC-SHA256\\n20261127T050000Z\\n20261127/us-east-1/aps/aws4_request\\n" + "ab" * 32
    return ('{"message":"The request signature we calculated does not match the signature you provided. Check '
            "your AWS Secret Access Key and signing method. Consult the service documentation for details.\\n\\n"
            f"The Canonical String for this request should have been\\n'{canonical}'\\n\\nThe String-to-Sign "
            f"should have been\\n'{sts}'\\n\"}}\n")


RAW_CLIENT = (
    "GET /workspaces/ws-1/api/v1/query?query=up HTTP/1.1\r\n"
    "Host: aps-workspaces.us-east-1.amazonaws.com\r\n"
    "X-Amz-Date: 20261127T050000Z\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/aps/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64 + "\r\n\r\n"
)


def _decode_with_raw_client(tmp_path: Path, server_host: str) -> list[str]:
    err = tmp_path / "err.json"
    err.write_text(_server_error(server_host))
    client = tmp_path / "client.req"
    client.write_text(RAW_CLIENT)
    report = decode_report(err, client=client, ctx=Context(env={}))
    return [f.id for f in findings(report)]


def test_raw_signed_request_as_client_is_canonicalised_with_botocore(tmp_path: Path) -> None:
    ids = _decode_with_raw_client(tmp_path, "aps-workspaces.us-east-1.amazonaws.com")
    assert "decode.secret-key-mismatch" in ids


def test_rewritten_host_is_a_modification(tmp_path: Path) -> None:
    ids = _decode_with_raw_client(tmp_path, "localhost:9090")
    assert "decode.request-modified-after-signing" in ids


def test_client_file_without_a_canonical_request_is_a_usage_error(tmp_path: Path) -> None:
    import pytest

    from sigdoctor.errors import UsageError

    bogus = tmp_path / "client.txt"
    bogus.write_text("hello\n")
    with pytest.raises(UsageError, match="holds no canonical request"):
        decode_report(INPUTS / "s3_signature_mismatch.xml", client=bogus, ctx=Context(env={}))


def test_parsers_reject_what_is_not_a_canonical_request() -> None:
    assert parse_canonical_request("GET\n/\n\nhost:a\n\nhost\nnot-a-hash") is None
    assert parse_canonical_request("hello") is None
    cr = parse_canonical_request(f"'GET\n/\na=1\nhost:h\nx-amz-date:d\n\nhost;x-amz-date\n{EMPTY}'")
    assert cr is not None and cr.host == "h" and cr.signed_headers == ("host", "x-amz-date")
    sts = parse_string_to_sign("AWS4-HMAC-SHA256\n20261127T050000Z\n20261127/eu-west-1/logs/aws4_request\nab")
    assert sts is not None and (sts.region, sts.service) == ("eu-west-1", "logs")


def test_endpoint_heuristics() -> None:
    cases = {
        "aps-workspaces.us-east-1.amazonaws.com": ("aps", "us-east-1"),
        "logs.eu-west-1.amazonaws.com": ("logs", "eu-west-1"),
        "monitoring.ap-south-1.amazonaws.com": ("monitoring", "ap-south-1"),
        "bucket.s3.us-west-2.amazonaws.com": ("s3", "us-west-2"),
        "bucket.s3-eu-west-1.amazonaws.com": ("s3", "eu-west-1"),
        "sts.amazonaws.com": ("sts", "us-east-1"),
        "search-x.us-east-1.es.amazonaws.com": ("es", "us-east-1"),
        "vpce-0abc-123.aps-workspaces.us-east-1.vpce.amazonaws.com": ("aps", "us-east-1"),
        "firehose.us-east-2.amazonaws.com": ("firehose", "us-east-2"),
    }
    for host, (svc, region) in cases.items():
        ep = endpoint_from_host(host)
        assert (ep.service, ep.region) == (svc, region), host
    assert endpoint_from_host("localhost:9090").service is None
