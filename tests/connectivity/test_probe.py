"""The probe as the runner calls it: endpoints of the run, addresses from the dns probe, root causes, offline."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.model import Outcome, ProbeResult, Status
from sigdoctor.probes.base import Probe
from sigdoctor.probes.connectivity import EMITS, PROBE, check
from tests.connectivity.conftest import STS, endpoint, make_ctx, run_at
from tests.fakes.blackhole import Blackhole
from tests.fakes.proxy import ForwardProxy
from tests.fakes.tls_endpoint import Pki, TlsEndpoint

Serve = Callable[..., TlsEndpoint]
Bundle = Callable[..., str]


def fake_dns(names: dict[str, list[str]]) -> Probe:
    """Stands in for the dns probe: only the addresses it publishes matter here."""

    def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        ctx.state.addresses.set(names)
        data = {"dns": {"names": {n: {"addresses": a} for n, a in names.items()}}}
        return Outcome(Status.PASS, "resolved", data=data)

    return Probe(id="dns", title="DNS", run=run, timeout=1.0)


def sts_ctx(port: int, **env: str) -> Context:
    ctx = make_ctx(**env)
    ctx.once("sts_url", lambda: f"https://{STS}:{port}")  # what endpoints_of_run takes as botocore's STS endpoint
    return ctx


def test_healthy_run_through_the_runner(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    ctx = sts_ctx(srv.port, AWS_CA_BUNDLE=bundle("amazon"))
    report = run_report(ctx, [fake_dns({STS: ["127.0.0.1"]}), PROBE])
    result = report.probes[1]
    assert result.status is Status.PASS, result.summary
    assert result.summary == "1 of 1 endpoints reachable"
    assert report.root_causes == ()
    ep = result.data["connectivity"]["endpoints"][0]
    assert ep["address_source"] == "dns probe" and ep["via"] == "direct"


def test_aws_date_is_shared_with_the_clock_probe(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    ctx = make_ctx(AWS_CA_BUNDLE=bundle("amazon"))
    run_at(ctx, endpoint(STS, srv.port))
    [(url, date, sent, received)] = ctx.state.http_dates.entries()
    assert url == f"https://{STS}:{srv.port}/" and date.endswith("GMT") and sent <= received


def test_no_date_is_shared_from_an_untrusted_server(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"))
    ctx = make_ctx(AWS_CA_BUNDLE=bundle("amazon"))
    run_at(ctx, endpoint(STS, srv.port))
    assert ctx.state.http_dates.entries() == []


def test_refused_endpoint_becomes_the_top_root_cause(pki: Pki) -> None:
    with Blackhole() as b:
        port = b.port
    ctx = sts_ctx(port)
    report = run_report(ctx, [fake_dns({STS: ["127.0.0.1"]}), PROBE])
    assert report.root_causes[0].id == "endpoint-unreachable"
    assert any("refused" in e for e in report.root_causes[0].evidence)


def test_dead_proxy_root_cause_carries_the_situation_fix() -> None:
    with ForwardProxy(mode="dead") as proxy:
        ctx = sts_ctx(443, HTTPS_PROXY=proxy.url)
        report = run_report(ctx, [PROBE])
    top = report.root_causes[0]
    assert top.id == "proxy-misconfigured" and top.severity.value == "error"
    assert top.fix[0].startswith(f"Fix or unset HTTPS_PROXY ({proxy.url})")


def test_rules_differing_alone_is_at_most_a_warning(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS))
    ctx = sts_ctx(srv.port, AWS_CA_BUNDLE=bundle("amazon"), HTTPS_PROXY="http://proxy.corp:3128",
                  NO_PROXY="*.amazonaws.com")
    report = run_report(ctx, [fake_dns({STS: ["127.0.0.1"]}), PROBE])
    [cause] = report.root_causes
    assert (cause.id, cause.severity.value) == ("proxy-misconfigured", "warning")
    assert report.probes[1].status is Status.WARN


def test_interceptor_ranks_as_warning(pki: Pki, serve: Serve, bundle: Bundle) -> None:
    srv = serve(pki.leaf(STS, ca="corp"))
    ctx = sts_ctx(srv.port, AWS_CA_BUNDLE=bundle("amazon", "corp"))
    report = run_report(ctx, [fake_dns({STS: ["127.0.0.1"]}), PROBE])
    assert [(c.id, c.severity.value) for c in report.root_causes] == [("tls-intercepted", "warning")]


def test_offline_sends_nothing(pki: Pki, serve: Serve) -> None:
    srv = serve(pki.leaf(STS))
    ctx = make_ctx(HTTPS_PROXY="http://proxy.corp:3128")
    ctx.offline = True
    out = check(ctx, [endpoint(STS, srv.port)], {}, addresses={STS: ["127.0.0.1"]})
    assert out.status is Status.SKIP and "--offline" in out.summary
    assert srv.requests == []
    assert out.data["connectivity"]["proxy"]["variables"] == {"HTTPS_PROXY": "http://proxy.corp:3128"}


def test_every_unanswered_step_says_what_timed_out() -> None:
    with Blackhole() as mute, Blackhole(mode="drop-syn") as silent, ForwardProxy(mode="silent") as proxy:
        ctx = make_ctx(HTTPS_PROXY=proxy.url, NO_PROXY="a.amazonaws.com,b.amazonaws.com")
        eps = [endpoint("a.amazonaws.com", mute.port), endpoint("b.amazonaws.com", silent.port),
               endpoint("c.amazonaws.com", 443)]
        out = check(ctx, eps, {}, addresses={"a.amazonaws.com": ["127.0.0.1"], "b.amazonaws.com": ["127.0.0.1"]})
    messages = {f.evidence["endpoint"]: f.message for f in out.findings if f.status is Status.FAIL}
    assert "no TLS handshake within" in messages[f"a.amazonaws.com:{mute.port}"]
    assert "timed out after" in messages[f"b.amazonaws.com:{silent.port}"]
    assert "no answer to CONNECT within" in messages["c.amazonaws.com:443"]


def test_probe_declares_what_it_emits() -> None:
    assert PROBE.id == "connectivity" and PROBE.emits == (*EMITS, "connectivity.diagnosis-incomplete") and PROBE.timeout <= 8


def test_a_name_the_dns_probe_could_not_resolve_is_not_asked_again() -> None:
    ctx = sts_ctx(443)
    report = run_report(ctx, [fake_dns({STS: []}), PROBE])
    [f] = [f for f in report.probes[1].findings if f.id == "connectivity.unresolved"]
    assert "the dns probe found no address" in f.message
    assert report.probes[1].data["connectivity"]["endpoints"][0]["address_source"] == "dns probe"
