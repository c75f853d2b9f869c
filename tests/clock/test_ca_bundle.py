"""The clock's HTTPS Date is verified against the run's one CA bundle (netconn.tls.ca_bundle), the bundle the
connectivity probe reports — not a second resolver with its own precedence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from sigdoctor.context import Context
from sigdoctor.netconn.tls import ca_bundle
from sigdoctor.probes.clock import PROBE
from tests.clock.helpers import source
from tests.fakes.httpdate import DateServer

MakeCtx = Callable[..., Context]


@pytest.mark.parametrize("how", ["SSL_CERT_FILE", "profile ca_bundle"])
def test_clock_trusts_the_bundle_connectivity_reports(make_ctx: MakeCtx, ca: trustme.CA, tmp_path: Path,
                                                      dead_udp_port: int, how: str) -> None:
    env = {"AWS_CA_BUNDLE": ""}
    if how == "SSL_CERT_FILE":
        env["SSL_CERT_FILE"] = "/ca.pem"
    else:
        (tmp_path / "config").write_text("[default]\nca_bundle = /ca.pem\n")
        env["AWS_CONFIG_FILE"] = "/config"
    with DateServer(offset=-400.0, tls=ca) as sts:
        ctx = make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=sts.url, env=env)
        out = PROBE.run(ctx, {})
    bundle = ca_bundle(ctx)
    want = "SSL_CERT_FILE" if how == "SSL_CERT_FILE" else "ca_bundle in profile 'default'"
    assert (bundle.path, bundle.source, bundle.problem) == ("/ca.pem", want, None)
    seen = source(out, "http-date", f"127.0.0.1:{sts.port}")
    assert seen["error"] is None and seen["offset_s"] == pytest.approx(-400.0, abs=1.6)


def test_an_unusable_bundle_is_named_once_for_every_path(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    with DateServer(offset=0.0, tls=trustme.CA()) as sts:
        ctx = make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=sts.url, env={"AWS_CA_BUNDLE": "/missing.pem"})
        out = PROBE.run(ctx, {})
    assert ca_bundle(ctx).problem == "AWS_CA_BUNDLE=/missing.pem does not exist"
    assert source(out, "http-date", f"127.0.0.1:{sts.port}")["error"] == (
        "CA bundle unusable: AWS_CA_BUNDLE=/missing.pem does not exist")
