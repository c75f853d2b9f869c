"""The names a lookup really queries (search list and ndots), and what that costs."""

from __future__ import annotations

from sigdoctor.netdns.expand import candidates, cost, go_differences

K8S = ["monitoring.svc.cluster.local", "svc.cluster.local", "cluster.local"]


def test_enough_dots_tries_the_name_first() -> None:
    assert candidates("sts.us-east-1.amazonaws.com", ["corp.example"], 1) == [
        "sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com.corp.example"]


def test_fewer_dots_than_ndots_tries_every_search_domain_first() -> None:
    assert candidates("sts.us-east-1.amazonaws.com", K8S, 5) == [
        "sts.us-east-1.amazonaws.com.monitoring.svc.cluster.local",
        "sts.us-east-1.amazonaws.com.svc.cluster.local",
        "sts.us-east-1.amazonaws.com.cluster.local",
        "sts.us-east-1.amazonaws.com",
    ]


def test_trailing_dot_skips_the_search_list() -> None:
    assert candidates("sts.us-east-1.amazonaws.com.", K8S, 5) == ["sts.us-east-1.amazonaws.com"]


def test_candidates_longer_than_a_domain_name_are_skipped() -> None:
    long_domain = ".".join(["x" * 60] * 5)
    assert candidates("a.b", [long_domain, "ok.example"], 5) == ["a.b.ok.example", "a.b"]


def test_cost_counts_a_and_aaaa_for_each_search_domain_tried_first() -> None:
    c = cost("sts.us-east-1.amazonaws.com", [*K8S, "ec2.internal", "corp.example"], 5)
    assert c.extra_queries == 10
    assert c.explain() == ("sts.us-east-1.amazonaws.com has 3 dots < ndots 5: 5 search domains tried first = "
                           "10 extra queries (A+AAAA)")
    assert cost("sts.us-east-1.amazonaws.com", K8S, 2).extra_queries == 0


def test_go_differences_are_named() -> None:
    assert any("timeout" in n for n in go_differences("sts.us-east-1.amazonaws.com", K8S, 5, [], {}))
    assert go_differences("sts.us-east-1.amazonaws.com.", K8S, 5, [], {}) == []
    assert any("RES_OPTIONS" in n for n in go_differences("a.b", [], 1, [], {"RES_OPTIONS": "ndots:2"}))
