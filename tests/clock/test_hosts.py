"""What the probe learns from the host itself: which NTP servers to ask, and whether a time daemon runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sigdoctor.context import Context
from sigdoctor.model import Status
from sigdoctor.probes.clock import PROBE
from sigdoctor.timecheck.ntp import Server, parse_server, servers_to_ask
from tests.clock.helpers import only
from tests.fakes.ntp import NtpResponder

MakeCtx = Callable[..., Context]


@pytest.mark.parametrize(("text", "server"), [
    ("169.254.169.123", Server("169.254.169.123", 123)),
    ("127.0.0.1:10123", Server("127.0.0.1", 10123)),
    ("[fd00:ec2::123]:123", Server("fd00:ec2::123", 123)),
    ("fd00:ec2::123", Server("fd00:ec2::123", 123)),
    ("time.example.net", Server("time.example.net", 123)),
])
def test_ntp_server_values(text: str, server: Server) -> None:
    assert parse_server(text) == server


@pytest.mark.parametrize("text", ["", ":123", "host:0", "host:x", "[::1]:99999"])
def test_bad_ntp_server_values(text: str) -> None:
    with pytest.raises(ValueError):
        parse_server(text)


def test_default_servers_amazon_time_sync_first(make_ctx: MakeCtx) -> None:
    assert [s.host for s in servers_to_ask(make_ctx())] == ["169.254.169.123", "time.aws.com", "pool.ntp.org"]


def test_ipv6_time_sync_where_the_host_has_global_ipv6(make_ctx: MakeCtx, tmp_path: Path) -> None:
    (tmp_path / "proc/net").mkdir(parents=True)
    (tmp_path / "proc/net/if_inet6").write_text(
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "fe80000000000000042a1afffe8b3c11 02 40 20 80     eth0\n"
        "26001f18000000000000000000000abc 02 80 00 00     eth0\n")
    assert "fd00:ec2::123" in [s.host for s in servers_to_ask(make_ctx())]


def test_ipv6_time_sync_when_the_sdk_uses_ipv6_imds(make_ctx: MakeCtx, tmp_path: Path) -> None:
    (tmp_path / "proc/net").mkdir(parents=True)
    (tmp_path / "proc/net/if_inet6").write_text("00000000000000000000000000000001 01 80 10 80       lo\n")
    assert "fd00:ec2::123" not in [s.host for s in servers_to_ask(make_ctx())]
    ctx = make_ctx(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"})
    assert "fd00:ec2::123" in [s.host for s in servers_to_ask(ctx)]


def test_explicit_servers_replace_the_defaults(make_ctx: MakeCtx) -> None:
    assert servers_to_ask(make_ctx(ntp=["127.0.0.1:1234"])) == [Server("127.0.0.1", 1234)]


def fake_process(root: Path, pid: int, comm: str) -> None:
    (root / f"proc/{pid}").mkdir(parents=True)
    (root / f"proc/{pid}/comm").write_text(comm + "\n")


def daemon_finding(ctx: Context) -> tuple[Status, str, dict[str, object]]:
    with NtpResponder() as ntp:
        ctx.ntp_servers = [ntp.server]
        f = only(PROBE.run(ctx, {}), "clock.time-daemon")
    return f.status, f.message, f.evidence


@pytest.mark.parametrize(("comm", "name"), [("chronyd", "chrony"), ("systemd-timesyn", "systemd-timesyncd"),
                                            ("ntpd", "ntpd")])
def test_running_time_daemon_is_found(make_ctx: MakeCtx, tmp_path: Path, comm: str, name: str) -> None:
    fake_process(tmp_path, 1, "systemd")
    fake_process(tmp_path, 812, comm)
    status, message, evidence = daemon_finding(make_ctx())
    assert status is Status.PASS and name in message
    assert evidence["running"] == [name]


def test_ntpsec_is_told_apart_by_its_config(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 700, "ntpd")
    (tmp_path / "etc/ntpsec").mkdir(parents=True)
    (tmp_path / "etc/ntpsec/ntp.conf").write_text("pool 2.debian.pool.ntp.org iburst\n")
    assert daemon_finding(make_ctx())[2]["running"] == ["ntpsec"]


def test_no_daemon_on_ec2_suggests_chrony_with_amazon_time_sync(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 1, "systemd")
    (tmp_path / "sys/class/dmi/id").mkdir(parents=True)
    (tmp_path / "sys/class/dmi/id/sys_vendor").write_text("Amazon EC2\n")
    status, message, evidence = daemon_finding(make_ctx())
    assert status is Status.WARN and "no time daemon" in message
    assert any("server 169.254.169.123 prefer iburst" in line for line in evidence["fix"])  # type: ignore[attr-defined]


def test_no_daemon_elsewhere_suggests_timedatectl(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 1, "init")
    status, _, evidence = daemon_finding(make_ctx())
    assert status is Status.WARN
    assert any("timedatectl set-ntp true" in line for line in evidence["fix"])  # type: ignore[attr-defined]


def test_in_a_pod_the_fix_is_on_the_node(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 1, "alloy")
    status, message, evidence = daemon_finding(make_ctx(env={"KUBERNETES_SERVICE_HOST": "10.100.0.1"}))
    assert status is Status.SKIP and "node" in message
    assert any("node" in line for line in evidence["fix"])  # type: ignore[attr-defined]


def test_chrony_on_ec2_without_amazon_time_sync_is_pointed_at_it(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 640, "chronyd")
    (tmp_path / "sys/class/dmi/id").mkdir(parents=True)
    (tmp_path / "sys/class/dmi/id/board_vendor").write_text("Amazon EC2\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/chrony.conf").write_text("# server 169.254.169.123 prefer iburst\npool 2.pool.ntp.org iburst\n")
    status, message, evidence = daemon_finding(make_ctx())
    assert status is Status.PASS and "not configured with Amazon Time Sync" in message
    assert evidence["chrony_uses_time_sync"] is False


def test_skew_fix_matches_the_daemon_that_runs(make_ctx: MakeCtx, tmp_path: Path) -> None:
    fake_process(tmp_path, 640, "chronyd")
    with NtpResponder(offset=500.0) as ntp:
        skew = only(PROBE.run(make_ctx(ntp=[ntp.server]), {}), "clock.clock-skew")
    assert any("chronyc makestep" in line for line in skew.evidence["fix"])
