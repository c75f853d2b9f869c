"""TCP and proxy paths: refused, silent, accepting-but-mute, and a forward proxy that passes, refuses or is dead."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from sigdoctor.model import Status
from tests.connectivity.conftest import STS, by_id, endpoint, fixes, ids, make_ctx, one, run_at
from tests.fakes.blackhole import Blackhole
from tests.fakes.proxy import ForwardProxy
from tests.fakes.tls_endpoint import Pki, TlsEndpoint

Serve = Callable[..., TlsEndpoint]
Bundle = Callable[..., str]


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as b:
        yield b


@pytest.fixture
def silent_port() -> Iterator[Blackhole]:
    with Blackhole(mode="drop-syn") as b:
        yield b


def test_refused_port_is_unreachable() -> None:
    out = run_at(make_ctx(), endpoint(STS, closed_port()))
    assert out.status is Status.FAIL
    f = one(out, "connectivity.endpoint-unreachable")
    assert "refused the connection" in f.message
    assert "rejects port" in fixes(f)
    assert out.data["connectivity"]["endpoints"][0]["addresses"][0]["tcp"] == "refused"


def test_silent_port_times_out(silent_port: Blackhole) -> None:
    out = run_at(make_ctx(), endpoint(STS, silent_port.port))
    f = one(out, "connectivity.endpoint-unreachable")
    assert "timed out" in f.message
    assert "security group" in fixes(f) and "HTTPS_PROXY" in fixes(f)
    assert out.data["connectivity"]["endpoints"][0]["addresses"][0]["tcp"] == "timeout"


def test_accepting_but_mute_endpoint_fails_at_tls(blackhole: Blackhole) -> None:
    out = run_at(make_ctx(), endpoint(STS, blackhole.port))
    f = one(out, "connectivity.endpoint-unreachable")
    assert "TLS fails" in f.message and "no TLS handshake" in f.message
    ep = out.data["connectivity"]["endpoints"][0]
    assert ep["addresses"][0]["tcp"] == "ok" and ep["tls"]["state"] == "timeout"
    assert blackhole.accepted >= 1


def test_one_good_address_is_enough(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    from sigdoctor.probes.connectivity import check

    # The fake listens on 127.0.0.1 only: 127.0.0.2 refuses, 127.0.0.1 answers.
    out = check(make_ctx(AWS_CA_BUNDLE=bundle("amazon")), [endpoint(STS, srv.port)], {},
                addresses={STS: ["127.0.0.2", "127.0.0.1"]})
    assert out.status is Status.PASS
    states = [a["tcp"] for a in out.data["connectivity"]["endpoints"][0]["addresses"]]
    assert states == ["refused", "ok"]
    assert "at 127.0.0.1" in one(out, "connectivity.reachable").message


def test_unresolvable_name_points_at_the_dns_probe() -> None:
    from sigdoctor.probes.connectivity import check

    out = check(make_ctx(), [endpoint(STS, 443)], {}, addresses={STS: []})
    f = one(out, "connectivity.unresolved")
    assert f.status is Status.WARN and "dns probe" in f.message


def test_proxy_passes_connect(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    with ForwardProxy(routes={f"{STS}:{srv.port}": ("127.0.0.1", srv.port)}) as proxy:
        out = run_at(make_ctx(AWS_CA_BUNDLE=bundle("amazon"), HTTPS_PROXY=proxy.url), endpoint(STS, srv.port))
        assert proxy.connects == [f"{STS}:{srv.port}"]
    assert out.status is Status.PASS, [f.message for f in out.findings]
    ep = out.data["connectivity"]["endpoints"][0]
    assert ep["via"] == proxy.url and ep["proxy"]["connect"]["status"] == 200
    assert "through the proxy" in one(out, "connectivity.reachable").message


def test_dead_proxy_is_misconfigured() -> None:
    with ForwardProxy(mode="dead") as proxy:
        out = run_at(make_ctx(HTTPS_PROXY=proxy.url), endpoint(STS, 443))
    f = one(out, "connectivity.proxy-misconfigured")
    assert f.status is Status.FAIL
    assert "does not accept connections" in f.message and "HTTPS_PROXY" in f.message
    assert "unset HTTPS_PROXY" in fixes(f)


def test_proxy_refusing_connect_is_misconfigured() -> None:
    with ForwardProxy(mode="refuse") as proxy:
        out = run_at(make_ctx(HTTPS_PROXY=proxy.url), endpoint(STS, 443))
    f = one(out, "connectivity.proxy-misconfigured")
    assert "refuses CONNECT" in f.message and "403" in f.message
    assert "Allow CONNECT" in fixes(f) and "NO_PROXY" in fixes(f)


def test_proxy_demanding_authentication() -> None:
    with ForwardProxy(mode="auth") as proxy:
        out = run_at(make_ctx(https_proxy=proxy.url), endpoint(STS, 443))
    f = one(out, "connectivity.proxy-misconfigured")
    assert "407" in f.message and "user:password@" in fixes(f)


def test_proxy_that_cannot_reach_aws_makes_the_endpoint_unreachable() -> None:
    with ForwardProxy(routes={}) as proxy:  # no route: the proxy answers 502
        out = run_at(make_ctx(HTTPS_PROXY=proxy.url), endpoint(STS, 443))
    f = one(out, "connectivity.endpoint-unreachable")
    assert "cannot reach" in f.message and "502" in f.message
    assert "connectivity.proxy-misconfigured" not in ids(out)


def test_mute_proxy_is_misconfigured() -> None:
    with ForwardProxy(mode="silent") as proxy:
        out = run_at(make_ctx(HTTPS_PROXY=proxy.url), endpoint(STS, 443))
    f = one(out, "connectivity.proxy-misconfigured")
    assert "no answer to CONNECT" in f.message


def test_proxy_credentials_never_appear(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    with ForwardProxy(mode="refuse") as proxy:
        url = proxy.url.replace("http://", "http://agent:pr0xy-s3cret@")
        ctx = make_ctx(AWS_CA_BUNDLE=bundle("amazon"), HTTPS_PROXY=url, NO_PROXY="example.com")
        out = run_at(ctx, endpoint(STS, srv.port))
    assert by_id(out, "connectivity.proxy-misconfigured")
    assert "pr0xy-s3cret" not in repr(out)
    assert ctx.redactor.text("pw pr0xy-s3cret") != "pw pr0xy-s3cret", "the password is registered as a secret"


def test_socks_proxy_is_reported_as_not_tested() -> None:
    out = run_at(make_ctx(HTTPS_PROXY="socks5://127.0.0.1:1"), endpoint(STS, 443))
    f = one(out, "connectivity.reachable")
    assert f.status is Status.SKIP and "not tested" in f.message
