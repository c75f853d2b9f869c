"""The signature probe against the SigV4-verifying fake AWS on 127.0.0.1: what a user sees for each way a signature
goes wrong, and that the request went out the way the agent's would (proxy environment included)."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
import trustme

from sigdoctor.model import Status
from tests.fakes.aws_api import ACCOUNT, FakeAws, Key
from tests.fakes.proxy import ForwardProxy
from tests.signature.conftest import AMP_URL, LOGS_URL, RunFn

AMP_HTTP = AMP_URL.replace("https://", "http://")


def test_healthy_amp_and_logs_are_accepted(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [AMP_URL, LOGS_URL])
    assert r.probe.status == Status.PASS, r.probe
    assert len(r.findings("accepted")) == 2
    assert [c for c in r.causes if c != "long-lived-keys"] == []  # static test keys: a warning
    amp = r.rows[0]
    assert (amp["signing_region"], amp["signing_service"], amp["status"]) == ("us-east-1", "aps", "accepted")
    assert amp["http_status"] == 200
    # AWS's Date header, for the clock probe
    assert [u for u, *_ in r.ctx.state.http_dates.entries()] == [amp["request_url"], r.rows[1]["request_url"]]
    # The fake saw exactly the two harmless requests, signed.
    assert [(c["service"], c["operation"], c.get("status")) for c in r.fake.calls] == [
        ("aps", "RemoteWrite", 200), ("logs", "DescribeLogStreams", 200)]
    assert [(s, op) for s, op, _ in r.ctx.state.aws_calls.entries()] == [("aps", "RemoteWrite"),
                                                                   ("logs", "DescribeLogStreams")]


def test_access_denied_still_proves_the_signature(run_probe: RunFn, fake: tuple[FakeAws, str]) -> None:
    nobody = fake[0].add_user("nobody", [])
    r = run_probe(nobody, [AMP_URL])
    assert r.probe.status == Status.PASS
    [f] = r.findings("accepted")
    assert "AccessDenied" in f.message


def test_wrong_secret_is_secret_key_mismatch(run_probe: RunFn, agent: Key) -> None:
    wrong = agent.secret[:-4] + "AAAA"
    r = run_probe(agent, [AMP_URL], secret=wrong)
    assert r.causes[0] == "secret-key-mismatch", r.causes
    [f] = r.findings("secret-key-mismatch")
    assert f.status == Status.FAIL
    assert "same canonical request" in f.message
    assert r.rows[0]["differences"] == []


def test_region_override_is_region_mismatch(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [AMP_URL], region="us-west-2")
    assert r.causes[0] == "region-mismatch", r.causes
    [f] = r.findings("region-mismatch")
    assert f.evidence["signed_region"] == "us-west-2" and f.evidence["endpoint_region"] == "us-east-1"
    assert r.rows[0]["signing_region"] == "us-west-2"
    assert any("us-east-1" in line for line in f.evidence["fix"])


def test_service_override_is_service_name_mismatch(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [AMP_URL], service="aps-workspaces")
    assert r.causes[0] == "service-name-mismatch", r.causes
    [f] = r.findings("service-name-mismatch")
    assert f.evidence["signed_service"] == "aps-workspaces" and f.evidence["expected_service"] == "aps"
    assert r.probe.status == Status.FAIL


def _recent_date() -> str:
    return dt.datetime.fromtimestamp(time.time() - 60, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.mark.parametrize(("header", "value"), [
    ("content-type", "application/json"),
    ("host", "aps-workspaces.us-west-2.amazonaws.com"),
    ("x-amz-date", "recent"),  # still within AWS's 15 minutes: answered with the canonical request
    ("x-amz-date", "20260101T000000Z"),  # long ago: answered "Signature expired", which names the date AWS saw
])
def test_proxy_rewriting_a_signed_header_is_named(run_probe: RunFn, agent: Key, fake: tuple[FakeAws, str],
                                                  header: str, value: str) -> None:
    value = _recent_date() if value == "recent" else value
    port = int(fake[1].rsplit(":", 1)[1])
    with ForwardProxy("rewrite", routes={"aps-workspaces.us-east-1.amazonaws.com:80": ("127.0.0.1", port)},
                      rewrite={header: value}) as proxy:
        r = run_probe(agent, [AMP_HTTP], endpoints=False, env_extra={"HTTP_PROXY": proxy.url})
        assert proxy.forwarded, "the request did not go through the agent's proxy"
    assert r.causes[0] == "request-modified-after-signing", r.causes
    assert "clock-skew" not in r.causes
    [f] = r.findings("request-modified-after-signing")
    assert f"header {header}" in f.message
    assert [d["component"] for d in f.evidence["differences"]] == [f"header {header}"]
    assert r.rows[0]["route"].startswith("via proxy http://127.0.0.1:")
    if value != "20260101T000000Z":
        assert f"- {header}:{value}" in r.rows[0]["diff"]


def test_proxy_stripping_authorization_is_request_not_signed(run_probe: RunFn, agent: Key,
                                                              fake: tuple[FakeAws, str]) -> None:
    port = int(fake[1].rsplit(":", 1)[1])
    with ForwardProxy("rewrite", routes={"aps-workspaces.us-east-1.amazonaws.com:80": ("127.0.0.1", port)},
                      rewrite={"authorization": None}) as proxy:
        r = run_probe(agent, [AMP_HTTP], endpoints=False, env_extra={"HTTP_PROXY": proxy.url})
    assert r.causes[0] == "request-not-signed", r.causes


class _Gateway(BaseHTTPRequestHandler):
    """An API Gateway-style front end that never sees SigV4 (as when the path or a header injector is wrong)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"message": "Missing Authentication Token"}).encode()
        self.send_response(403)
        self.send_header("x-amzn-ErrorType", "MissingAuthenticationTokenException")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_missing_authentication_token_is_request_not_signed(run_probe: RunFn, agent: Key, gateway: str) -> None:
    r = run_probe(agent, [AMP_URL], env_extra={"AWS_ENDPOINT_URL_AMP": gateway})
    assert r.causes[0] == "request-not-signed", r.causes
    assert r.findings("request-not-signed")[0].status == Status.FAIL


def test_unrecognised_target_is_skipped_with_reason(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, ["https://example.internal/api/v1/push", AMP_URL])
    [skipped] = r.findings("target-skipped")
    assert "example.internal" in skipped.message and "not an endpoint sigdoctor knows" in skipped.message
    assert len(r.findings("accepted")) == 1


def test_no_targets_is_a_skip(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [])
    assert r.probe.status == Status.SKIP
    assert "--target" in r.probe.summary


def test_session_token_is_masked_in_the_diff(run_probe: RunFn, fake: tuple[FakeAws, str]) -> None:
    role = fake[0].add_role("agent-role", [Policy_all()])
    key = fake[0].add_session(role)
    port = int(fake[1].rsplit(":", 1)[1])
    with ForwardProxy("rewrite", routes={"aps-workspaces.us-east-1.amazonaws.com:80": ("127.0.0.1", port)},
                      rewrite={"content-type": "text/plain"}) as proxy:
        r = run_probe(key, [AMP_HTTP], endpoints=False, env_extra={"HTTP_PROXY": proxy.url})
    assert r.causes[0] == "request-modified-after-signing", r.causes
    assert "x-amz-security-token:" in r.rows[0]["diff"]


def Policy_all() -> Any:
    from tests.signature.conftest import EVERYTHING

    return EVERYTHING


@pytest.fixture
def tls_fake(fake: tuple[FakeAws, str], tmp_path: Path) -> Iterator[tuple[FakeAws, int, Path]]:
    """The same fake AWS behind TLS under AMP's real name, and a corporate CA the agent's bundle trusts."""
    aws_ca, corp_ca = trustme.CA(), trustme.CA(organization_name="Corp TLS inspection")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    aws_ca.issue_cert("aps-workspaces.us-east-1.amazonaws.com").configure_cert(server_ctx)
    bundle = tmp_path / "corp-bundle.pem"
    bundle.write_bytes(corp_ca.cert_pem.bytes())
    twin = FakeAws.from_config(fake[0].to_config())
    url = twin.start(ssl_context=server_ctx)
    twin.corp_ca = corp_ca  # type: ignore[attr-defined]
    try:
        yield twin, int(url.rsplit(":", 1)[1]), bundle
    finally:
        twin.stop()


def test_tls_intercepting_proxy_rewriting_a_header_is_named(run_probe: RunFn, agent: Key,
                                                            tls_fake: tuple[FakeAws, int, Path]) -> None:
    twin, port, bundle = tls_fake
    with ForwardProxy("rewrite", routes={"aps-workspaces.us-east-1.amazonaws.com:443": ("127.0.0.1", port)},
                      rewrite={"content-type": "application/json"}, mitm=twin.corp_ca) as proxy:  # type: ignore[attr-defined]
        r = run_probe(agent, [AMP_URL], endpoints=False,
                      env_extra={"HTTPS_PROXY": proxy.url, "AWS_CA_BUNDLE": str(bundle)})
        assert proxy.forwarded == ["POST aps-workspaces.us-east-1.amazonaws.com"]
    assert r.causes[0] == "request-modified-after-signing", r.causes
    [f] = r.findings("request-modified-after-signing")
    assert "header content-type" in f.message
    assert [c["status"] for c in twin.calls] == [403]


# Every harmless request kind: each is serialised by botocore, signed here and checked by the fake's verifier.
OTHER_TARGETS = {
    "logs-describe-log-streams": (LOGS_URL, ("logs", "DescribeLogStreams")),
    "s3-list-objects-max-keys-0": ("https://loki-chunks.s3.us-east-1.amazonaws.com/", ("s3", "ListObjectsV2")),
    "xray-put-telemetry-empty": ("https://xray.us-east-1.amazonaws.com/", ("xray", "PutTelemetryRecords")),
    "firehose-describe-delivery-stream": (f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/fluent-bit",
                                          ("firehose", "DescribeDeliveryStream")),
    "kinesis-describe-stream-summary": (f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/logs",
                                        ("kinesis", "DescribeStreamSummary")),
}


@pytest.mark.parametrize("kind", sorted(OTHER_TARGETS))
def test_every_harmless_request_is_accepted_and_a_wrong_secret_is_named(run_probe: RunFn, agent: Key,
                                                                        kind: str) -> None:
    target, op = OTHER_TARGETS[kind]
    r = run_probe(agent, [target])
    assert r.probe.status == Status.PASS, r.probe
    assert r.rows[0]["request"] == kind
    assert [(c["service"], c["operation"], c["status"]) for c in r.fake.calls] == [(*op, 200)]
    bad = run_probe(agent, [target], secret=agent.secret[:-4] + "AAAA")
    assert bad.causes[0] == "secret-key-mismatch", (bad.causes, bad.probe)


def test_offline_sends_nothing(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [AMP_URL], offline=True)
    assert r.probe.status == Status.SKIP and "--offline" in r.probe.summary
    assert r.fake.calls == []


def test_deadline_reached_sends_nothing(run_probe: RunFn, agent: Key) -> None:
    r = run_probe(agent, [AMP_URL], deadline_s=0.0)
    assert r.fake.calls == []
    assert r.probe.status != Status.PASS


def test_s3_bucket_url_keeps_its_virtual_hosted_name(run_probe: RunFn, agent: Key, fake: tuple[FakeAws, str]) -> None:
    port = int(fake[1].rsplit(":", 1)[1])
    with ForwardProxy("rewrite", routes={"loki-chunks.s3.us-east-1.amazonaws.com:80": ("127.0.0.1", port)}) as proxy:
        r = run_probe(agent, ["http://loki-chunks.s3.us-east-1.amazonaws.com/"], endpoints=False,
                      env_extra={"HTTP_PROXY": proxy.url})
        assert proxy.forwarded == ["GET http://loki-chunks.s3.us-east-1.amazonaws.com/?list-type=2&max-keys=0"
                                   "&encoding-type=url"]
    assert r.probe.status == Status.PASS, r.probe
    assert [(c["host"], c["status"]) for c in r.fake.calls] == [("loki-chunks.s3.us-east-1.amazonaws.com", 200)]
