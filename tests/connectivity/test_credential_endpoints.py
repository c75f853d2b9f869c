"""IMDS and container-credential endpoints: the proxy decision and TCP only — and never through a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sigdoctor.endpoints import Endpoint
from sigdoctor.model import Status
from tests.connectivity.conftest import endpoint, fixes, ids, make_ctx, one, run_at
from tests.fakes.blackhole import Blackhole

PROXY = "http://proxy.corp:3128"


@pytest.fixture
def listener() -> Iterator[Blackhole]:
    with Blackhole() as b:
        yield b


def imds(port: int) -> Endpoint:
    return endpoint("169.254.169.254", port, "imds", "/latest/meta-data/", scheme="http")


def pod_identity(port: int) -> Endpoint:
    return endpoint("169.254.170.23", port, "container", "/v1/credentials", scheme="http")


def test_imds_sent_to_the_proxy_by_go_fails_with_the_no_proxy_line(listener: Blackhole) -> None:
    out = run_at(make_ctx(HTTP_PROXY=PROXY, NO_PROXY="localhost,.svc"), imds(listener.port))
    assert out.status is Status.FAIL
    f = one(out, "connectivity.proxy-misconfigured")
    assert "goes to the proxy http://proxy.corp:3128 under Go's rules" in f.message
    assert "export NO_PROXY=localhost,.svc,169.254.169.254 no_proxy=169.254.169.254" in fixes(f)
    # The address itself answers: the fix is the proxy setting, nothing else.
    assert "accepts TCP" in one(out, "connectivity.reachable").message


def test_imds_listed_in_no_proxy_goes_direct(listener: Blackhole) -> None:
    out = run_at(make_ctx(HTTP_PROXY=PROXY, HTTPS_PROXY=PROXY, NO_PROXY="169.254.169.254,169.254.170.23"),
                 imds(listener.port))
    assert "connectivity.proxy-misconfigured" not in ids(out)
    assert out.status is Status.PASS


def test_https_proxy_alone_leaves_imds_direct(listener: Blackhole) -> None:
    out = run_at(make_ctx(HTTPS_PROXY=PROXY), imds(listener.port))
    assert "connectivity.proxy-misconfigured" not in ids(out)


def test_cidr_no_proxy_covers_imds_for_go_only(listener: Blackhole) -> None:
    out = run_at(make_ctx(HTTP_PROXY=PROXY, NO_PROXY="169.254.0.0/16"), imds(listener.port))
    assert "connectivity.proxy-misconfigured" not in ids(out)
    f = one(out, "connectivity.proxy-rules-differ")
    assert f.status is Status.WARN
    assert "Go agents go direct, Python/botocore goes http://proxy.corp:3128" in f.message
    assert "CIDR" in f.message
    assert "NO_PROXY=169.254.0.0/16,169.254.169.254" in fixes(f)


def test_pod_identity_endpoint_through_a_proxy(listener: Blackhole) -> None:
    out = run_at(make_ctx(HTTP_PROXY=PROXY), pod_identity(listener.port))
    bad = one(out, "connectivity.proxy-misconfigured")
    assert "container credentials" in bad.message
    differ = one(out, "connectivity.proxy-rules-differ")
    assert "botocore never proxies container-credential requests" in differ.message


def test_silent_credential_endpoint_is_a_warning_for_the_credentials_probe_to_explain() -> None:
    out = run_at(make_ctx(), imds(1))  # port 1 on loopback: refused
    f = one(out, "connectivity.credential-endpoint-unreachable")
    assert f.status is Status.WARN and "refused" in f.message
    assert "connectivity.endpoint-unreachable" not in ids(out)
