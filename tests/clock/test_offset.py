"""The clock probe against real NTP and HTTP(S) servers on 127.0.0.1 whose clocks are off by chosen amounts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import formatdate

import pytest
import trustme

from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.model import Severity, Status
from sigdoctor.probes.clock import PROBE
from tests.clock.conftest import Names
from tests.clock.helpers import ids, only, source
from tests.fakes.httpdate import DateServer
from tests.fakes.ntp import NtpResponder
from tests.fakes.proxy import ForwardProxy

MakeCtx = Callable[..., Context]


def test_healthy_clock_passes_and_names_the_agreeing_sources(make_ctx: MakeCtx, ca: trustme.CA) -> None:
    with NtpResponder(offset=0.0) as ntp, DateServer(offset=0.0, tls=ca) as sts:
        out = PROBE.run(make_ctx(ntp=[ntp.server], sts=sts.url), {})
    assert out.status is Status.PASS
    name = f"127.0.0.1:{sts.port}"
    assert out.summary.startswith("clock is ")
    assert f"NTP {ntp.server}" in out.summary and f"HTTP Date of {name}" in out.summary and "agree" in out.summary
    clock = out.data["clock"]
    assert abs(clock["offset_s"]) < 1.5 and clock["agree"] is True
    assert source(out, "ntp", ntp.server)["stratum"] == 3
    assert only(out, "clock.clock-skew").status is Status.PASS
    json.dumps(out.data)  # the report section must serialise


@pytest.mark.parametrize("offset", [90.0, -90.0])
def test_one_minute_off_is_a_warning(make_ctx: MakeCtx, offset: float) -> None:
    with NtpResponder(offset=offset) as ntp:
        out = PROBE.run(make_ctx(ntp=[ntp.server]), {})
    assert out.status is Status.WARN
    skew = only(out, "clock.clock-skew")
    assert skew.status is Status.WARN
    assert ("behind" if offset > 0 else "ahead") in skew.message
    assert out.data["clock"]["offset_s"] == pytest.approx(offset, abs=0.5)


@pytest.mark.parametrize("offset", [400.0, -400.0])
def test_five_minutes_off_fails_whichever_way(make_ctx: MakeCtx, ca: trustme.CA, offset: float) -> None:
    with NtpResponder(offset=offset) as ntp, DateServer(offset=offset, tls=ca) as sts:
        out = PROBE.run(make_ctx(ntp=[ntp.server], sts=sts.url), {})
    assert out.status is Status.FAIL
    skew = only(out, "clock.clock-skew")
    assert skew.status is Status.FAIL
    assert "5-minute window" in skew.message
    assert f"400 s (6.7 min) {'behind' if offset > 0 else 'ahead'}" in out.summary
    assert skew.evidence["fix"], "a failing clock comes with a fix for this host"
    assert "clock.sources-disagree" not in ids(out)


def test_skew_becomes_the_clock_skew_root_cause(make_ctx: MakeCtx) -> None:
    with NtpResponder(offset=-400.0) as ntp:
        report = run_report(make_ctx(ntp=[ntp.server]), [PROBE])
    assert report.root_causes and report.root_causes[0].id == "clock-skew"
    assert report.root_causes[0].severity is Severity.ERROR


def test_warning_skew_is_a_warning_cause(make_ctx: MakeCtx) -> None:
    with NtpResponder(offset=120.0) as ntp:
        report = run_report(make_ctx(ntp=[ntp.server]), [PROBE])
    assert [(c.id, c.severity) for c in report.root_causes] == [("clock-skew", Severity.WARNING)]


def test_http_date_alone_measures_where_ntp_is_blocked(make_ctx: MakeCtx, ca: trustme.CA, dead_udp_port: int) -> None:
    with DateServer(offset=-400.0, tls=ca) as target:
        out = PROBE.run(make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], targets=[target.url]), {})
    assert out.status is Status.FAIL
    assert out.data["clock"]["offset_s"] == pytest.approx(-400.0, abs=1.6)
    assert "timeout" in str(source(out, "ntp", f"127.0.0.1:{dead_udp_port}")["error"])
    assert target.requests == 1


def test_plain_http_endpoint_is_read_too(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    with DateServer(offset=200.0) as plain:
        out = PROBE.run(make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=plain.url), {})
    assert out.status is Status.WARN
    assert source(out, "http-date", f"127.0.0.1:{plain.port}")["offset_s"] == pytest.approx(200.0, abs=1.6)


def test_sources_that_disagree_are_named_and_aws_decides(make_ctx: MakeCtx, ca: trustme.CA) -> None:
    with NtpResponder(offset=0.0) as ntp, DateServer(offset=90.0, tls=ca) as sts:
        out = PROBE.run(make_ctx(ntp=[ntp.server], sts=sts.url), {})
    disagree = only(out, "clock.sources-disagree")
    assert disagree.status is Status.WARN
    assert f"NTP {ntp.server}" in disagree.message and f"HTTP Date of 127.0.0.1:{sts.port}" in disagree.message
    assert out.data["clock"]["agree"] is False
    # SigV4 is checked against AWS's clock, so AWS's Date sets the offset.
    assert out.data["clock"]["offset_s"] == pytest.approx(90.0, abs=1.6)
    assert only(out, "clock.clock-skew").status is Status.WARN
    assert out.status is Status.WARN


def test_everything_silent_is_unmeasured_not_a_pass(make_ctx: MakeCtx, ca: trustme.CA, dead_udp_port: int) -> None:
    with NtpResponder(mode="silent") as mute, DateServer(mode="silent") as tcp_hole, \
            DateServer(mode="silent") as tls_hole:
        ctx = make_ctx(ntp=[mute.server, f"127.0.0.1:{dead_udp_port}"], sts=f"https://127.0.0.1:{tls_hole.port}/",
                       targets=[f"http://127.0.0.1:{tcp_hole.port}/"])
        report = run_report(ctx, [PROBE])
    result = report.probes[0]
    assert result.status is Status.WARN, result.summary  # not `error`: it finished within its own timeout
    assert result.summary.startswith("could not measure: NTP")
    assert "no AWS endpoint answered" in result.summary
    unmeasured = [f for f in result.findings if f.id == "clock.unmeasured"]
    assert len(unmeasured) == 1 and unmeasured[0].status is Status.WARN
    errors = {(s["kind"], s["server"]): s["error"] for s in result.data["clock"]["sources"]}
    assert "timeout" in errors[("ntp", mute.server)]
    assert "timeout" in errors[("ntp", f"127.0.0.1:{dead_udp_port}")]
    assert "timeout" in errors[("http-date", f"127.0.0.1:{tls_hole.port}")]
    assert "timeout" in errors[("http-date", f"127.0.0.1:{tcp_hole.port}")]
    assert result.data["clock"]["offset_s"] is None
    assert "clock.clock-skew" not in {f.id for f in result.findings}


def test_untrusted_tls_gives_no_date(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    other_ca = trustme.CA()  # not the one in AWS_CA_BUNDLE
    with DateServer(offset=-400.0, tls=other_ca) as sts:
        out = PROBE.run(make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=sts.url), {})
    assert "TLS verification failed" in str(source(out, "http-date", f"127.0.0.1:{sts.port}")["error"])
    assert out.data["clock"]["offset_s"] is None
    assert only(out, "clock.unmeasured").status is Status.WARN


def test_dates_other_probes_record_do_not_change_the_answer(make_ctx: MakeCtx, ca: trustme.CA,
                                                          dead_udp_port: int) -> None:
    # The clock runs beside identity, IAM and connectivity: what they record while it runs must not decide its
    # answer (whether their Date had arrived yet would depend on timing). It asks AWS itself.
    with DateServer(offset=0.0, tls=ca) as sts:
        ctx = make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=sts.url)
        now = time.time()
        ctx.state.http_dates.add((sts.url, formatdate(now + 95, usegmt=True), now - 0.01, now + 0.01))
        out = PROBE.run(ctx, {})
    assert sts.requests == 1
    seen = source(out, "http-date", f"127.0.0.1:{sts.port}")
    assert seen["origin"] != "shared"
    assert out.data["clock"]["offset_s"] == pytest.approx(0.0, abs=1.0)
    assert only(out, "clock.clock-skew").status is Status.PASS


def test_each_answer_is_shown(make_ctx: MakeCtx, ca: trustme.CA) -> None:
    with NtpResponder(offset=0.0) as ntp, NtpResponder(mode="kod") as kod, NtpResponder(mode="unsync") as unsync, \
            DateServer(offset=0.0, tls=ca) as sts:
        out = PROBE.run(make_ctx(ntp=[ntp.server, kod.server, unsync.server], sts=sts.url), {})
    shown = {f.message.split(":")[0] + ":" + f.message.split(":")[1] for f in out.findings if f.id == "clock.source"}
    assert len([f for f in out.findings if f.id == "clock.source"]) == 4, shown
    assert "kiss-of-death RATE" in str(source(out, "ntp", kod.server)["error"])
    assert "not synchronised" in str(source(out, "ntp", unsync.server)["error"])
    assert out.status is Status.PASS


def test_bad_ntp_server_value_is_reported_not_crashed(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    with NtpResponder(offset=0.0) as ntp:
        out = PROBE.run(make_ctx(ntp=[ntp.server, "127.0.0.1:notaport"]), {})
    assert "bad port" in str(source(out, "ntp", "127.0.0.1:notaport")["error"])
    assert out.status is Status.PASS


def test_offline_sends_nothing(make_ctx: MakeCtx, ca: trustme.CA) -> None:
    with NtpResponder() as ntp, DateServer(tls=ca) as sts:
        out = PROBE.run(make_ctx(ntp=[ntp.server], sts=sts.url, offline=True), {})
        assert ntp.requests == 0 and sts.requests == 0
    assert out.status is Status.SKIP and "--offline" in out.summary
    assert out.data["clock"]["offset_s"] is None


def test_unknown_names_are_no_such_host(make_ctx: MakeCtx) -> None:
    out = PROBE.run(make_ctx(ntp=["ntp.invalid"], sts="https://sts.invalid/"), {})
    assert source(out, "ntp", "ntp.invalid")["error"] == "no such host"
    assert source(out, "http-date", "sts.invalid")["error"] == "no such host"


STS_NAME = "sts.us-east-1.amazonaws.com"


def test_date_is_read_through_the_agents_https_proxy(make_ctx: MakeCtx, ca: trustme.CA, names: Names,
                                                     dead_udp_port: int) -> None:
    with DateServer(offset=-400.0, tls=ca, names=(STS_NAME,)) as sts, \
            ForwardProxy(routes={f"{STS_NAME}:{sts.port}": ("127.0.0.1", sts.port)}) as proxy:
        ctx = make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=f"https://{STS_NAME}:{sts.port}/",
                       env={"HTTPS_PROXY": proxy.url})
        out = PROBE.run(ctx, {})
    assert proxy.connects == [f"{STS_NAME}:{sts.port}"]
    assert STS_NAME not in names.asked  # the proxy resolves it, as with the agent
    seen = source(out, "http-date", f"{STS_NAME}:{sts.port}")
    assert seen["via"] == proxy.url
    assert out.data["clock"]["offset_s"] == pytest.approx(-400.0, abs=1.6)


def test_proxy_refusing_connect_is_said(make_ctx: MakeCtx, dead_udp_port: int) -> None:
    with ForwardProxy(mode="refuse") as proxy:
        ctx = make_ctx(ntp=[f"127.0.0.1:{dead_udp_port}"], sts=f"https://{STS_NAME}/",
                       env={"HTTPS_PROXY": proxy.url, "NO_PROXY": "169.254.169.254"})
        out = PROBE.run(ctx, {})
    assert "refused CONNECT" in str(source(out, "http-date", STS_NAME)["error"])
    assert only(out, "clock.unmeasured").status is Status.WARN


def test_a_fast_local_clock_with_honest_servers(make_ctx: MakeCtx, ca: trustme.CA) -> None:
    with NtpResponder(offset=0.0) as ntp, DateServer(offset=0.0, tls=ca) as sts:
        ctx = make_ctx(ntp=[ntp.server], sts=sts.url, now=lambda: time.time() + 400.0)
        out = PROBE.run(ctx, {})
    assert out.status is Status.FAIL
    assert "400 s (6.7 min) ahead" in out.summary and "agree" in out.summary
    assert out.data["clock"]["offset_s"] == pytest.approx(-400.0, abs=0.5)
