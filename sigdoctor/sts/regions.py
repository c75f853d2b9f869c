"""Opt-in regions and the global STS endpoint.

botocore's endpoint data has no "opt-in" flag, so the list is ours. Source: the AWS account management guide,
"Specify which AWS Regions your account can use" (regions launched after 20 March 2019 are disabled by default).
Session tokens from the global endpoint (version 1) are valid only in regions enabled by default, so a region in
this list is where such a token fails. Add regions here as AWS launches them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

OPT_IN_REGIONS = frozenset({
    "af-south-1",      # Cape Town
    "ap-east-1",       # Hong Kong
    "ap-east-2",       # Taipei
    "ap-south-2",      # Hyderabad
    "ap-southeast-3",  # Jakarta
    "ap-southeast-4",  # Melbourne
    "ap-southeast-5",  # Malaysia
    "ap-southeast-6",  # New Zealand
    "ap-southeast-7",  # Thailand
    "ca-west-1",       # Calgary
    "eu-central-2",    # Zurich
    "eu-south-1",      # Milan
    "eu-south-2",      # Spain
    "il-central-1",    # Tel Aviv
    "me-central-1",    # UAE
    "me-south-1",      # Bahrain
    "mx-central-1",    # Mexico
})

# The legacy global endpoint of the aws partition (the other partitions have no global STS name in use).
GLOBAL_STS_HOSTS = frozenset({"sts.amazonaws.com"})


def is_opt_in(region: str | None) -> bool:
    return bool(region) and region in OPT_IN_REGIONS


def is_global_sts(url: str) -> bool:
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower().rstrip(".")
    return host in GLOBAL_STS_HOSTS
