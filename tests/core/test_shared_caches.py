"""What one run shares between its probes: botocore's data loader, TLS contexts with the CA bundle loaded, the STS
endpoint. Each cache must give the answer the uncached code gave, and build its object once."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest
import trustme
from botocore.exceptions import SSLError, UnknownServiceError
from botocore.httpsession import URLLib3Session

from sigdoctor import botohttp, botoloader
from sigdoctor.botohttp import TrustOnceSession, trust_once
from sigdoctor.context import Context
from sigdoctor.endpoints import sts_url
from sigdoctor.netconn.tls import trusting

CLEAN_ENV = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
             "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DATA_PATH", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
              "AWS_CA_BUNDLE", "AWS_STS_REGIONAL_ENDPOINTS"):
        monkeypatch.delenv(k, raising=False)
    for k, v in CLEAN_ENV.items():
        monkeypatch.setenv(k, v)


def in_threads(n: int, fn: Any) -> list[Any]:
    out: list[Any] = [None] * n
    start = threading.Barrier(n)

    def work(i: int) -> None:
        start.wait()
        out[i] = fn()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# ---- Context.once ---------------------------------------------------------------------------------------------
def test_once_builds_one_object_for_threads_asking_together() -> None:
    ctx = Context(env={})
    made: list[int] = []

    def make() -> object:
        made.append(1)
        return object()

    got = in_threads(8, lambda: ctx.once("thing", make))
    assert len(made) == 1
    assert all(g is got[0] for g in got)
    assert ctx.once("thing", lambda: "again") is got[0]


def test_once_keeps_what_is_already_made() -> None:
    ctx = Context(env={})
    ctx.once("thing", lambda: "given")
    assert ctx.once("thing", lambda: "made") == "given"


def test_once_does_not_remember_a_failure() -> None:
    ctx = Context(env={})

    def boom() -> str:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        ctx.once("thing", boom)
    assert ctx.once("thing", lambda: "made") == "made"


# ---- the run's botocore loader -------------------------------------------------------------------------------
def test_sessions_of_a_run_share_one_loader_and_read_each_model_once(clean_env: None) -> None:
    ctx = Context(env=dict(CLEAN_ENV))
    a, b = ctx.botocore_session(), ctx.botocore_session()
    assert a.get_component("data_loader") is b.get_component("data_loader")
    ca = a.create_client("sts", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    cb = b.create_client("sts", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    assert ca.meta.service_model.service_id == "STS"
    assert cb.meta.endpoint_url == ca.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"
    assert a.get_component("data_loader").load_service_model("sts", "service-2") is \
        b.get_component("data_loader").load_service_model("sts", "service-2")


def test_another_run_gets_its_own_loader(clean_env: None) -> None:
    one, two = Context(env=dict(CLEAN_ENV)), Context(env=dict(CLEAN_ENV))
    assert one.botocore_loader() is not two.botocore_loader()


def test_share_loader_leaves_a_session_with_a_missing_profile_as_it_was(clean_env: None) -> None:
    from botocore.exceptions import ProfileNotFound

    ctx = Context(env=dict(CLEAN_ENV))
    session = botocore.session.Session(profile="no-such-profile")
    assert ctx.share_loader(session) is session
    assert not any(k.startswith("botocore_loader") for k in ctx._memo)
    with pytest.raises(ProfileNotFound):  # where botocore always failed
        session.create_client("sts", region_name="us-east-1")


def test_shared_loader_knows_the_services_botocore_knows() -> None:
    ours, plain = botoloader.create(), botocore.loaders.Loader()
    for kind in ("service-2", "endpoint-rule-set-1"):
        listing = ours.list_available_services(kind)
        assert "sts" in listing and "iam" in listing
        assert "no-such-service" not in listing and "sts/2011-06-15" not in listing and ".." not in listing
        assert list(listing) == plain.list_available_services(kind)
        assert len(listing) == len(plain.list_available_services(kind))


def test_shared_loader_rejects_an_unknown_service_like_botocore() -> None:
    with pytest.raises(UnknownServiceError) as ours:
        botoloader.create().load_service_model("no-such-service", "service-2")
    with pytest.raises(UnknownServiceError) as plain:
        botocore.loaders.Loader().load_service_model("no-such-service", "service-2")
    assert str(ours.value) == str(plain.value)


def test_shared_loader_honours_aws_data_path(tmp_path: Path) -> None:
    model = tmp_path / "madeup" / "2020-01-01"
    model.mkdir(parents=True)
    (model / "service-2.json").write_text('{"version": "2.0", "metadata": {"serviceId": "Made Up"}}')
    loader = botoloader.create(str(tmp_path))
    assert "madeup" in loader.list_available_services("service-2")
    assert loader.load_service_model("madeup", "service-2")["metadata"]["serviceId"] == "Made Up"


def test_threads_loading_a_model_together_get_one_copy() -> None:
    loader = botoloader.create()
    got = in_threads(6, lambda: loader.load_service_model("iam", "service-2"))
    assert all(g is got[0] for g in got)


def test_sts_url_is_resolved_once_for_probes_asking_together(clean_env: None) -> None:
    ctx = Context(env=dict(CLEAN_ENV), region="ap-southeast-2")
    urls = in_threads(4, lambda: sts_url(ctx))
    assert urls == ["https://sts.ap-southeast-2.amazonaws.com"] * 4
    assert sts_url(ctx) == urls[0]


# ---- TLS contexts with the bundle loaded ---------------------------------------------------------------------
@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_url(ca: trustme.CA) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(tls)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def get(http: URLLib3Session, url: str) -> int:
    from botocore.awsrequest import AWSRequest

    try:
        return int(http.send(AWSRequest(method="GET", url=url).prepare()).status_code)
    finally:
        http.close()


def test_trust_once_session_verifies_like_botocore(ca: trustme.CA, https_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.pem"
    ca.cert_pem.write_to_path(str(good))
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    assert get(URLLib3Session(verify=str(good)), https_url) == 200
    assert get(TrustOnceSession(verify=str(good)), https_url) == 200
    for cls in (URLLib3Session, TrustOnceSession):
        with pytest.raises(SSLError):
            get(cls(verify=str(other)), https_url)
    with pytest.warns(Warning):  # urllib3's InsecureRequestWarning, as with botocore's own session
        assert get(TrustOnceSession(verify=False), https_url) == 200


def test_one_context_per_bundle_and_a_new_one_when_it_changes(ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    ca.cert_pem.write_to_path(str(bundle))
    first = botohttp.trusted_context(str(bundle))
    assert first is not None and botohttp.trusted_context(str(bundle)) is first
    # sigdoctor's own TLS checks and its botocore clients verify with one context: the bundle is parsed once a run
    assert trusting(str(bundle)) is first
    before = trusting(str(bundle))
    bundle.write_bytes(ca.cert_pem.bytes() + trustme.CA().cert_pem.bytes())
    assert botohttp.trusted_context(str(bundle)) is not first
    assert trusting(str(bundle)) is not before
    assert len(trusting(str(bundle)).get_ca_certs()) == 2


def test_a_proxy_ca_bundle_never_lands_in_the_shared_context(ca: trustme.CA, tmp_path: Path) -> None:
    bundle, proxy_ca = tmp_path / "bundle.pem", tmp_path / "proxy-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    trustme.CA().cert_pem.write_to_path(str(proxy_ca))
    shared = botohttp.trusted_context(str(bundle))
    assert shared is not None
    http = TrustOnceSession(verify=str(bundle), proxies={"https": "https://proxy.example:3128"},
                            proxies_config={"proxy_ca_bundle": str(proxy_ca)})
    proxy_context = http._setup_proxy_ssl_context("https://proxy.example:3128")
    assert proxy_context is not shared and len(proxy_context.get_ca_certs()) == 1
    assert len(shared.get_ca_certs()) == 1


def test_an_unusable_bundle_is_never_cached(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    assert botohttp.trusted_context(str(bad)) is None
    with pytest.raises(ssl.SSLError):
        trusting(str(bad))
    with pytest.raises(OSError):
        trusting(str(tmp_path / "missing.pem"))


def test_trust_once_switches_a_fresh_botocore_client(ca: trustme.CA, https_url: str, tmp_path: Path,
                                                     clean_env: None) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    session = Context(env=dict(CLEAN_ENV)).botocore_session()
    client = session.create_client("sts", region_name="us-east-1", endpoint_url=https_url, verify=str(bundle),
                                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    trust_once(client)
    assert isinstance(client._endpoint.http_session, TrustOnceSession)
    unverified = session.create_client("sts", region_name="us-east-1", endpoint_url=https_url, verify=False,
                                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    trust_once(unverified)
    assert type(unverified._endpoint.http_session) is URLLib3Session


def test_shared_loader_reads_what_botocore_reads_in_the_same_order(tmp_path: Path) -> None:
    ours, plain = botoloader.create(), botocore.loaders.Loader()
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        mine, theirs = ours.load_data(name), plain.load_data(name)
        assert mine == theirs and list(mine) == list(theirs), name
    for service in ("sts", "iam"):
        for kind in ("service-2", "endpoint-rule-set-1"):
            mine, theirs = ours.load_service_model(service, kind), plain.load_service_model(service, kind)
            assert json.dumps(mine) == json.dumps(theirs), (service, kind)  # same content, keys in the same order
    # AWS_DATA_PATH's uncompressed files come before botocore's compressed ones, as in botocore.
    model = tmp_path / "sts" / "2011-06-15"
    model.mkdir(parents=True)
    (model / "service-2.json").write_text('{"version": "2.0", "metadata": {"serviceId": "Shadowed"}}')
    assert botoloader.create(str(tmp_path)).load_service_model("sts", "service-2")["metadata"]["serviceId"] == \
        "Shadowed"
