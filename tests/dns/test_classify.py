"""What an answer means."""

from __future__ import annotations

import pytest

from sigdoctor.netdns.classify import classify_address, classify_answers, has_vpce, is_aws_name, is_ip


@pytest.mark.parametrize(("addr", "kind"), [
    ("10.0.1.5", "private"), ("172.31.0.2", "private"), ("192.168.1.1", "private"), ("100.64.3.4", "private"),
    ("fd00:ec2::254", "private"), ("52.94.0.20", "public"), ("2600:1f18::1", "public"),
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("192.0.2.1", "special"), ("::ffff:10.0.0.1", "private"),
])
def test_address_classes(addr: str, kind: str) -> None:
    assert classify_address(addr) == kind


def test_answer_sets() -> None:
    assert classify_answers(["10.0.1.5", "10.0.2.5"]) == "private"
    assert classify_answers(["10.0.1.5", "52.94.0.20"]) == "mixed"
    assert classify_answers([]) == "none"
    # a dual-stack VPC endpoint: the VPC's IPv6 prefix is globally routable, the IPv4 answer tells the truth
    assert classify_answers(["10.0.1.5", "2600:1f18:4a3:6901::5"]) == "private"
    assert classify_answers(["2600:1f18::1"]) == "public"


def test_names() -> None:
    assert has_vpce(["vpce-0abc-1.logs.us-east-1.vpce.amazonaws.com."])
    assert not has_vpce(["logs.us-east-1.amazonaws.com"])
    assert is_aws_name("STS.us-east-1.amazonaws.com.") and not is_aws_name("example.com")
    assert is_ip("169.254.169.254") and is_ip("fd00:ec2::254") and not is_ip("localhost")
