"""TLS as the SDK verifies it: which bundle, what the certificate says, and what a failure means."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sigdoctor.model import Status
from sigdoctor.netconn.tls import ca_bundle
from tests.connectivity.conftest import STS, by_id, endpoint, fixes, ids, make_ctx, one, run_at
from tests.fakes.tls_endpoint import Pki, TlsEndpoint

Serve = Callable[..., TlsEndpoint]
Bundle = Callable[..., str]


def test_amazon_issued_certificate_passes_with_details(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port))
    assert out.status is Status.PASS
    ok = one(out, "connectivity.reachable")
    assert ok.status is Status.PASS
    assert "issued by Amazon" in ok.message and "AWS answers" in ok.message
    tls = out.data["connectivity"]["endpoints"][0]["tls"]
    assert tls["verified"] is True and tls["amazon_issued"] is True
    assert tls["protocol"].startswith("TLSv1.") and tls["cipher"]
    assert STS in tls["sans"] and tls["issuer"]["O"] == "Amazon" and tls["not_after"]
    front = out.data["connectivity"]["endpoints"][0]["front_end"]
    assert front["aws"] is True and front["request_id_header"] == "x-amzn-requestid" and front["status"] == 403


def test_trusted_interceptor_is_a_warning_with_the_bundle_fix(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"))
    path = bundle("amazon", "corp")
    out = run_at(make_ctx(AWS_CA_BUNDLE=path), endpoint(STS, srv.port))
    assert out.status is Status.WARN
    f = one(out, "connectivity.tls-intercepted")
    assert f.status is Status.WARN and "Corp Proxy" in f.message
    assert f"AWS_CA_BUNDLE={path}" in fixes(f)
    assert by_id(out, "connectivity.reachable"), "an intercepted endpoint is still reachable"


def test_unknown_issuer_names_the_middlebox(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"))
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port))
    assert out.status is Status.FAIL
    f = one(out, "connectivity.tls-untrusted")
    assert f.evidence["tls"]["verify_code"] == 20
    assert "unknown issuer" in f.message and "Corp Proxy" in f.message and "middlebox" in f.message
    assert "AWS_CA_BUNDLE=" in fixes(f)
    assert "connectivity.reachable" not in ids(out)


def test_hostname_mismatch_shows_what_the_certificate_is_for(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf("www.example.com"))
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port))
    f = one(out, "connectivity.tls-untrusted")
    assert f.evidence["tls"]["verify_code"] == 62
    assert "hostname mismatch" in f.message
    assert "www.example.com" in fixes(f)


def test_expired_certificate(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, expired=True))
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port))
    f = one(out, "connectivity.tls-untrusted")
    assert f.evidence["tls"]["verify_code"] == 10
    assert "expired" in f.message and "clock" in fixes(f)


def test_default_bundle_does_not_trust_a_test_ca(pki: Pki, serve: Serve) -> None:
    srv = serve(pki.leaf(STS))
    out = run_at(make_ctx(), endpoint(STS, srv.port))
    f = one(out, "connectivity.tls-untrusted")
    assert f.evidence["ca_bundle"]["source"] == "botocore default (certifi)"


def test_missing_aws_ca_bundle_is_untrusted(pki: Pki, serve: Serve, tmp_path: Path) -> None:
    srv = serve(pki.leaf(STS))
    missing = str(tmp_path / "nope.pem")
    out = run_at(make_ctx(AWS_CA_BUNDLE=missing), endpoint(STS, srv.port))
    f = one(out, "connectivity.tls-untrusted")
    assert f"AWS_CA_BUNDLE={missing} does not exist" in f.message
    # Who answers is still shown, from an unverified look at the certificate.
    assert out.data["connectivity"]["endpoints"][0]["tls"]["issuer"]["O"] == "Amazon"


def test_bundle_precedence_aws_ca_bundle_profile_ssl_cert_file(pki: Pki, tmp_path: Path) -> None:
    a = pki.bundle(tmp_path, "amazon")
    b = pki.bundle(tmp_path, "corp")
    c = pki.bundle(tmp_path, "other")
    config = tmp_path / "config"
    config.write_text(f"[default]\nregion = us-east-1\n\n[profile agent]\nca_bundle = {b}\n")
    env = {"AWS_CONFIG_FILE": str(config), "SSL_CERT_FILE": str(c)}
    assert ca_bundle(make_ctx(**env, AWS_CA_BUNDLE=str(a), AWS_PROFILE="agent")).path == str(a)
    got = ca_bundle(make_ctx(**env, AWS_PROFILE="agent"))
    assert (got.path, got.source) == (str(b), "ca_bundle in profile 'agent'")
    assert ca_bundle(make_ctx(**env)).source == "SSL_CERT_FILE"


def test_profile_ca_bundle_is_used_for_verification(pki: Pki, serve: Serve, tmp_path: Path) -> None:
    srv = serve(pki.leaf(STS))
    config = tmp_path / "config"
    config.write_text(f"[default]\nca_bundle = {pki.bundle(tmp_path, 'amazon')}\n")
    out = run_at(make_ctx(AWS_CONFIG_FILE=str(config)), endpoint(STS, srv.port))
    assert out.status is Status.PASS, [f.message for f in out.findings]


def test_block_page_is_not_aws(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"), mode="block")
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon", "corp")), endpoint(STS, srv.port))
    f = one(out, "connectivity.not-aws")
    assert f.status is Status.WARN
    assert "403" in f.message and "CorpFilter" in f.message
    assert "Blocked by Corporate Web Filter" in f.evidence["front_end"]["snippet"]


def test_front_end_request_uses_the_target_path(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port, "target", "/workspaces/ws-1/api/v1/rw"))
    assert srv.requests == ["/workspaces/ws-1/api/v1/rw"]


def test_silent_front_end_behind_another_issuer_says_so(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"), mode="silent-http")
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon", "corp")), endpoint(STS, srv.port))
    f = one(out, "connectivity.not-aws")
    assert "no HTTP answer" in f.message


def test_silence_behind_amazons_own_certificate_is_a_slow_aws_not_a_middlebox(pki: Pki, serve: Serve,
                                                                               bundle: Bundle) -> None:
    # A middlebox that terminates TLS cannot present Amazon's certificate: an unsigned GET unanswered within the
    # probe's timeout over a verified Amazon handshake names no interception (a loaded host, a slow STS).
    srv = serve(pki.leaf(STS), mode="silent-http")
    out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), endpoint(STS, srv.port))
    assert not [f for f in out.findings if f.id in ("connectivity.not-aws", "connectivity.tls-intercepted")], \
        [f.message for f in out.findings]


def test_handshake_matches_the_host_name_as_botocore_does(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    # sigdoctor's checks use botocore's own context (host name left to urllib3); a certificate for another name or
    # for no address must still fail as OpenSSL's own check reports it: 62 for a name, 64 for an address.
    import socket

    from sigdoctor.netconn.tls import handshake, trusting

    context = trusting(bundle("amazon"))
    assert context.check_hostname is False  # botocore's setting: the match below is ours
    right, wrong = serve(pki.leaf(STS)), serve(pki.leaf("www.example.com"))

    def shake(port: int, name: str) -> tuple[str, int | None]:
        result, tls = handshake(socket.create_connection(("127.0.0.1", port), timeout=5), name, context, 5.0)
        if tls is not None:
            tls.close()
        return result.state, result.verify_code

    assert shake(right.port, STS) == ("ok", None)
    assert shake(wrong.port, STS) == ("untrusted", 62)
    assert shake(right.port, "127.0.0.1") == ("untrusted", 64)
