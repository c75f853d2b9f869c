"""AWS host names no AWS endpoint can have: a failed look-up of one is a wrong region or endpoint setting of the
client that built it, not a fault of the network's DNS."""

from __future__ import annotations

import re

# The partitions whose endpoints end in amazonaws.com(.cn), each with its regionRegex (botocore
# data/partitions.json, version 1.1: aws, aws-us-gov, aws-cn). The SDKs build "{service}.{region}.{dnsSuffix}" for
# any region string they are given — a region no partition matches falls back to the aws partition's template
# (aws-sdk-go v1.55 aws/endpoints/v3model.go partitions.EndpointFor: "If loose matching fallback to first partition
# format"; botocore regions.py EndpointResolver._endpoint_for_partition with the partition's hostname template) —
# so whatever was configured as the region lands in the host, and the name does not exist.
_REGION_RES = (re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$"), re.compile(r"^us-gov-\w+-\d+$"),
               re.compile(r"^cn-\w+-\d+$"))
_CN_REGION_RE = _REGION_RES[2]  # the aws-cn partition's dnsSuffix is amazonaws.com.cn, the others' amazonaws.com

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

_AWS_HOST_RE = re.compile(r"^(?P<front>[a-z0-9.-]+?)\.(?P<slot>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


def is_region(name: str) -> bool:
    return any(rx.match(name) for rx in _REGION_RES)


def impossible_host(host: str | None) -> str | None:
    """Why no AWS endpoint has the name `host`, or None when it could be one (or is no AWS name at all)."""
    if not host:
        return None
    h = re.sub(r":\d+$", "", host.strip().lower().rstrip("."))
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
    if front in _REGIONAL and not is_region(slot) and slot not in _REGIONAL:
        # "s3.dualstack" and the like are no region slots: only a regional service's own host is read.
        if slot in ("dualstack", "s3-accelerate", "vpce") or slot.startswith("s3-"):
            return None
        return f"'{slot}' stands in its region's place, and no AWS partition has a region of that name"
    return None
