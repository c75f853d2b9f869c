"""resolv.conf, /etc/hosts and nsswitch.conf read as glibc reads them."""

from __future__ import annotations

from pathlib import Path

from sigdoctor.netdns.resolvconf import (
    effective_nameservers,
    hosts_lines_for,
    nsswitch_hosts,
    parse_hosts,
    parse_resolv_conf,
    read_resolv_conf,
)


def test_kubernetes_resolv_conf() -> None:
    conf = parse_resolv_conf(
        "nameserver 172.20.0.10\nsearch monitoring.svc.cluster.local svc.cluster.local cluster.local "
        "ec2.internal\noptions ndots:5\n", hostname="pod")
    assert conf.nameservers == ["172.20.0.10"]
    assert conf.search == ["monitoring.svc.cluster.local", "svc.cluster.local", "cluster.local", "ec2.internal"]
    assert conf.ndots == 5


def test_only_three_nameservers_are_used_and_the_rest_are_reported() -> None:
    conf = parse_resolv_conf("".join(f"nameserver 10.0.0.{i}\n" for i in range(1, 5)), hostname="h")
    assert conf.nameservers == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert conf.ignored_nameservers == ["10.0.0.4"]
    assert any("10.0.0.4" in n for n in conf.notes)


def test_last_search_or_domain_line_wins_and_ndots_is_capped() -> None:
    conf = parse_resolv_conf("search a.example b.example\ndomain c.example\noptions ndots:40 timeout:1 attempts:1",
                             hostname="h")
    assert conf.search == ["c.example"]
    assert (conf.ndots, conf.timeout_s, conf.attempts) == (15, 1, 1)


def test_comments_and_bad_nameserver_lines_are_ignored() -> None:
    conf = parse_resolv_conf("# nameserver 1.1.1.1\n; x\nnameserver dns.example\nnameserver 10.0.0.2\n",
                             hostname="h")
    assert conf.nameservers == ["10.0.0.2"]
    assert any("dns.example" in n for n in conf.notes)


def test_environment_overrides_as_glibc_honours_them() -> None:
    conf = parse_resolv_conf("search a.example\noptions ndots:1\n",
                             env={"LOCALDOMAIN": "x.example y.example", "RES_OPTIONS": "ndots:3"}, hostname="h")
    assert conf.search == ["x.example", "y.example"]
    assert conf.search_from == "LOCALDOMAIN"
    assert conf.ndots == 3


def test_without_search_line_the_hostname_domain_is_searched() -> None:
    assert parse_resolv_conf("nameserver 10.0.0.2\n", hostname="ip-10-0-0-5.ec2.internal").search == ["ec2.internal"]
    assert parse_resolv_conf("nameserver 10.0.0.2\n", hostname="laptop").search == []


def test_missing_file_falls_back_to_loopback(tmp_path: Path) -> None:
    conf = read_resolv_conf(tmp_path / "nope", hostname="h")
    assert not conf.exists
    assert effective_nameservers(conf) == ["127.0.0.1"]


def test_hosts_entries_keep_line_numbers_and_match_aliases_case_insensitively() -> None:
    entries = parse_hosts("127.0.0.1 localhost\n# 10.0.0.9 sts.us-east-1.amazonaws.com\n\n"
                          "10.0.1.7  STS.us-east-1.amazonaws.com  sts # pinned\nnot-an-ip name\n")
    found = hosts_lines_for(entries, "sts.us-east-1.amazonaws.com.")
    assert [(e.line_no, e.address) for e in found] == [(4, "10.0.1.7")]
    assert hosts_lines_for(entries, "sts") == found
    assert hosts_lines_for(entries, "logs.us-east-1.amazonaws.com") == []


def test_nsswitch_hosts_sources(tmp_path: Path) -> None:
    p = tmp_path / "nsswitch.conf"
    p.write_text("passwd: files\nhosts:  files mdns4_minimal [NOTFOUND=return] dns # comment\n")
    assert nsswitch_hosts(p) == ["files", "mdns4_minimal", "dns"]
    assert nsswitch_hosts(tmp_path / "missing") is None
