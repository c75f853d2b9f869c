"""What an answer means: private (a VPC interface endpoint with private DNS), public, or an address that has no
business answering for an AWS API name (loopback, link-local, unspecified)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

# The ranges a VPC interface endpoint's ENIs live in. Deliberately explicit: Python's `is_private` also covers
# documentation and benchmark ranges, which are not what a VPC hands out.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fd00::/8",
))
_LINK_LOCAL = tuple(ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10"))

VPCE_SUFFIX = ".vpce.amazonaws.com"
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".on.aws")
# Global names that have no VPC interface endpoint of their own: a public answer there is expected.
GLOBAL_NAMES = frozenset({"sts.amazonaws.com", "iam.amazonaws.com"})


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def classify_address(addr: str) -> str:
    """private | public | loopback | link-local | unspecified | special (multicast, reserved, documentation)."""
    ip = ipaddress.ip_address(addr.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if any(ip in n for n in _LINK_LOCAL):
        return "link-local"
    if any(ip in n for n in _PRIVATE):
        return "private"
    if ip.is_global:
        return "public"
    return "special"


def classify_answers(addresses: Iterable[str]) -> str:
    """One word for a set of answers: the shared class, `mixed`, or `none` when there are none.

    IPv4 answers decide when there are any: a dual-stack VPC endpoint's IPv6 addresses come from the VPC's
    AWS-owned global prefix, so by address alone they look public although they are as private as its IPv4 ones.
    """
    addrs = list(addresses)
    v4 = [a for a in addrs if ":" not in a or a.lower().startswith("::ffff:")]
    classes = {classify_address(a) for a in (v4 or addrs)}
    if not classes:
        return "none"
    if len(classes) == 1:
        return classes.pop()
    return "mixed"


def has_vpce(cname_chain: Iterable[str]) -> bool:
    return any(n.lower().rstrip(".").endswith(VPCE_SUFFIX) for n in cname_chain)


def is_aws_name(host: str) -> bool:
    h = host.lower().rstrip(".")
    return any(h.endswith(s) for s in _AWS_SUFFIXES)


def is_global_name(host: str) -> bool:
    return host.lower().rstrip(".") in GLOBAL_NAMES
