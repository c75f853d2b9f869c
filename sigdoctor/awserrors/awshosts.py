"""AWS host names no AWS endpoint can have: a failed look-up of one is a wrong region or endpoint setting of the
client that built it, not a fault of the network's DNS."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from sigdoctor.lazyre import lazy

# The partitions whose endpoints end in amazonaws.com(.cn), each with its regionRegex (botocore
# data/partitions.json, version 1.1: aws, aws-us-gov, aws-cn). The SDKs build "{service}.{region}.{dnsSuffix}" for
# any region string they are given — a region no partition matches falls back to the aws partition's template
# (aws-sdk-go v1.55 aws/endpoints/v3model.go partitions.EndpointFor: "If loose matching fallback to first partition
# format"; botocore regions.py EndpointResolver._endpoint_for_partition with the partition's hostname template) —
# so whatever was configured as the region lands in the host, and the name does not exist.
_REGION_RES = (lazy(r"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$"), lazy(r"^us-gov-\w+-\d+$"),
               lazy(r"^cn-\w+-\d+$"))
_CN_REGION_RE = _REGION_RES[2]  # the aws-cn partition's dnsSuffix is amazonaws.com.cn, the others' amazonaws.com
# What region settings look like, real or not: a partition's country/area prefix (botocore partitions.json
# regionRegex: us, eu, ap, sa, ca, me, af, il, mx, cn, us-gov) then more. A slot of this shape that names no region
# is a region setting gone wrong — `us-east` (no number), `us-east-1a` (an availability zone), `us-east1` (GCP's
# spelling) — not a service's own host label.
_REGIONISH_RE = lazy(r"^(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+(?:-[a-z0-9]+)*$|^(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+\d+[a-z]?$")

# Endpoint prefixes of regional services telemetry agents and their credential chains call, each in front of the
# region in its host ("{prefix}.{region}.amazonaws.com", AWS General Reference "Service endpoints and quotas").
_REGIONAL = frozenset({
    "sts", "logs", "monitoring", "xray", "s3", "firehose", "kinesis", "aps", "aps-workspaces", "es", "aoss",
    "ec2", "ecr", "api.ecr", "ecs", "eks", "ssm", "secretsmanager", "kms", "dynamodb", "sqs", "sns", "lambda",
    "cloudformation", "elasticloadbalancing", "autoscaling", "tagging", "oam", "timestream", "ingest.timestream",
    "query.timestream", "athena", "glue", "sso", "portal.sso", "oidc", "cognito-identity", "cognito-idp",
})

# Hosts that exist only with a prefix naming the caller's own resource (AWS General Reference and the services'
# guides): an API Gateway invoke or @connections URL is https://{api-id}.execute-api.{region}.amazonaws.com, an ECR
# registry {account}.dkr.ecr.{region}.amazonaws.com.
_NEEDS_PREFIX = {
    "execute-api": "API Gateway's hosts are {api-id}.execute-api.{region}.amazonaws.com: this one has no API id",
    "dkr.ecr": "ECR registries are {account-id}.dkr.ecr.{region}.amazonaws.com: this one has no account id",
}

_AWS_HOST_RE = lazy(r"^(?P<front>[a-z0-9.-]+?)\.(?P<slot>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
# S3's legacy dash-style regional hosts, s3-{region}.amazonaws.com (AWS General Reference "Amazon S3 endpoints":
# "some Regions support legacy endpoints … s3-Region"), with or without a bucket in front.
_S3_DASH_RE = lazy(r"^(?:[a-z0-9.-]+\.)?s3-(?P<slot>[a-z0-9-]+)\.amazonaws\.com$")
# A name with nothing between its one label and amazonaws.com (`chunks.amazonaws.com`).
_ONE_LABEL_RE = lazy(r"^(?P<label>[a-z0-9-]+)\.amazonaws\.com$")
# Single-label hosts that answer though endpoints.json no longer lists them: the legacy us-east-1 hosts of the
# oldest services (AWS General Reference, legacy endpoints; SQS's queue.amazonaws.com).
_LEGACY_ONE_LABEL = frozenset({"ec2", "queue", "sqs", "sns", "monitoring", "elasticloadbalancing", "autoscaling",
                               "elasticmapreduce", "rds", "cloudformation", "elasticbeanstalk", "email", "aws"})
# The `X.amazonaws.com` hostnames of botocore 1.44.18 data/endpoints.json (global and partition endpoints).
_GLOBAL_ONE_LABEL = frozenset({"budgets", "cloudfront", "iam", "iam-fips", "importexport", "route53", "route53-fips",
                               "s3", "s3-external-1", "savingsplans", "sdb", "sts", "waf", "waf-fips"})


def is_region(name: str) -> bool:
    return any(rx.match(name) for rx in _REGION_RES)


@cache
def botocore_data_dir() -> Path | None:
    """botocore's data folder, found without importing botocore (decode never needs the rest of it)."""
    spec = find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _botocore_data(name: str) -> dict[str, object]:
    """A file of botocore's data folder; {} when it cannot be read."""
    folder = botocore_data_dir()
    if folder is None:
        return {}
    try:
        data = json.loads((folder / name).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows (data/partitions.json, its partitions' `regions`); empty when
    botocore's data cannot be read — then only a region's shape is judged."""
    parts = _botocore_data("partitions.json").get("partitions")
    if not isinstance(parts, list):
        return frozenset()
    return frozenset(r for p in parts if isinstance(p, dict) for r in (p.get("regions") or {}))


@cache
def _one_label_hosts() -> frozenset[str]:
    """The first labels single-label AWS hosts can have: the legacy and global hosts above, and every service
    botocore has a model for (the folders of its data directory: s3, sts, iam, route53, cloudfront …), listed once
    on first use — not endpoints.json, whose 1.2 MB a decode should not parse for this."""
    data = botocore_data_dir()
    if data is None:
        return frozenset()
    try:
        services = {p.name for p in data.iterdir() if p.is_dir()}
    except OSError:
        return frozenset()
    return frozenset(services | _LEGACY_ONE_LABEL | _GLOBAL_ONE_LABEL) if services else frozenset()


def _not_a_region(slot: str) -> str | None:
    """Why `slot`, in a host's region place, is no region; None when it is one (or could be one)."""
    known = known_regions()
    if slot in known or (not known and is_region(slot)):
        return None
    if re.match(r"^[a-z]{2}-[a-z]+-\d+[a-z]$", slot) and slot[:-1] in known:
        return f"'{slot}' is an availability zone of {slot[:-1]}, not a region"
    if is_region(slot):
        return f"no AWS partition has a region named '{slot}' (botocore's list of regions)"
    return f"'{slot}' stands in its region's place, and no AWS partition has a region of that name"


def impossible_host(host: str | None) -> str | None:
    """Why no AWS endpoint has the name `host`, or None when it could be one (or is no AWS name at all)."""
    if not host:
        return None
    h = re.sub(r":\d+$", "", host.strip().lower().rstrip("."))
    if (d := _S3_DASH_RE.match(h)) and _REGIONISH_RE.match(d.group("slot")):
        return _not_a_region(d.group("slot"))
    if (one := _ONE_LABEL_RE.match(h)) and not one.group("label").startswith("s3-"):
        label = one.group("label")
        if label.removesuffix("-fips") not in _one_label_hosts() and _one_label_hosts():
            return (f"'{label}' is no AWS service's host name, and the name has no region: a bucket or other name "
                    "was given where the endpoint's service and region go")
        return None
    m = _AWS_HOST_RE.match(h)
    if m is None:
        return None
    front, slot, china = m.group("front"), m.group("slot"), h.endswith(".cn")
    if front.endswith(".s3"):
        front = "s3"  # a bucket in front of S3's host (virtual-hosted addressing)
    if front in _NEEDS_PREFIX and is_region(slot):
        return _NEEDS_PREFIX[front]
    if front in _REGIONAL and is_region(slot) and bool(_CN_REGION_RE.match(slot)) != china:
        return (f"region {slot}'s endpoints end in amazonaws.com.cn" if not china
                else f"only the China regions' endpoints end in amazonaws.com.cn, not {slot}'s")
    if front in _REGIONAL and slot not in _REGIONAL:
        # "s3.dualstack" and the like are no region slots: only a regional service's own host is read.
        if slot in ("dualstack", "s3-accelerate", "vpce") or slot.startswith("s3-"):
            return None
        return _not_a_region(slot)
    return None
