"""The end of a credential chain that reports its last source, instance metadata: which of the two readings comes first.

Every SDK's default chain ends at instance metadata (aws-sdk-php 3.x src/Credentials/CredentialProvider.php
defaultProvider: env, web identity, SSO, process, ini, ECS, then instanceProfile; aws-sdk-go-v2 config
resolve_credentials.go: env, shared files, web identity, container, then ec2rolecreds; aws-sdk-js v2
lib/credentials/credential_provider_chain.js defaultProviders: … EC2MetadataCredentials last; botocore 1.44
credentials.py create_credential_resolver: … iam-role last), and its chain-end error quotes that last source's failure.
On EC2 that failure is the cause; anywhere else instance metadata was never going to answer, and the cause is that
no earlier source was configured (no-credentials). What tells the two apart:

* The SDK's own short probe of instance metadata timing out on the *connect*: aws-sdk-php's InstanceProfileProvider
  (DEFAULT_TIMEOUT = 1.0 s, curl's connect-phase "Connection timed out after 1000 milliseconds"), aws-sdk-js v2's
  EC2MetadataCredentials ("the default (1s) timeout period", lib/http/node.js "Connection timed out after 1000ms"),
  aws-sdk-go-v2's IMDS client (dialer timeout 250 ms, PR #460: "dial tcp 169.254.169.254:80: i/o timeout"), a
  shell's `curl --connect-timeout 1`; and a connect to the link-local address that no host answers (EHOSTDOWN,
  EHOSTUNREACH, "No route to host": nothing on the link owns 169.254.169.254). On EC2 the metadata service takes
  the connection at once — a hop limit drops only the token's answer, a disabled endpoint answers 403 — so a connect
  that never completes within that probe means no metadata service is there: off EC2, where the empty chain is the
  cause. Not a refused connection (something at the address answered with a reset) nor the kernel's own connect
  timeout after tens of seconds (no probe timer of the SDK's: a blocked path on AWS as likely as anything).
  Over corpus batches 1-10, of the 13 chain-end texts whose metadata connect failed so, the threads give
  no-credentials 10 and imds-unreachable 3 (one of them a failure the text says comes and goes).
* The text showing a developer's machine: Laravel's `local` environment (its log lines `local.ERROR`), a Windows
  drive or macOS home path, Vagrant / Homestead; and Terraform's or Pulumi's own "no valid credential sources"
  message — a person's plan or apply at a terminal. Over batches 1-10 the chain-end texts with such a cue give
  no-credentials 6, imds-unreachable 2 (a Pulumi run in an ECS task, and a local app the thread says runs off EC2).
* The text showing an AWS host, which keeps instance metadata first: an instance id, an EC2 host name
  (`ip-10-0-1-2`, `.compute.internal`), Kubernetes or EKS words, the hop limit named, the user's own "my EC2 instance"; or a failure that
  comes and goes (`randomly`, `intermittently`), which a chain with nothing configured never does.
"""

from __future__ import annotations

import re

from sigdoctor.awserrors.hit import Hit, cue_text
from sigdoctor.awserrors.parse import AwsError
from sigdoctor.model import Status

_SHORT_CONNECT_RE = re.compile(
    r"Connection\s+timed\s+out\s+after\s+\d{1,4}\s*(?:milliseconds|ms)\b|"
    r"dial\s+tcp\s+(?:169\.254\.169\.254|\[fd00:ec2::254\]):80:\s+i/o\s+timeout|"
    r"\bEHOSTDOWN\b|\bEHOSTUNREACH\b|No\s+route\s+to\s+host|\bHost\s+is\s+down\b", re.I)
_OFF_AWS_RE = re.compile(
    r"\blocal\.(?:ERROR|WARNING|CRITICAL|ALERT|EMERGENCY|NOTICE|INFO|DEBUG):|"
    r"(?<![\w/])[A-Z]:\\\\?(?:Users|xampp|wamp\d*|laragon|inetpub|Program\s+Files)\\|/Users/[\w.-]+/|"
    r"/home/vagrant\b|\bHomestead\b|"
    r"(?i:no\s+valid\s+credential\s+sources\s+(?:for\s+Terraform\s+AWS\s+Provider\s+)?found)")
_OFF_AWS_WHY = (("local.", "Laravel's local environment"), ("Terraform", "a Terraform run"),
                ("credential sources found", "a Pulumi run"), ("vagrant", "a Vagrant box"),
                ("Homestead", "a Homestead box"))
_ON_AWS_RE = re.compile(
    r"\bi-(?:[0-9a-f]{17}|[0-9a-f]{8}|x{3,})\b|\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\b|\.(?:ec2|compute)\.internal\b|"
    r"\b(?:EKS|Karpenter|kube2iam|kiam|kubelet|kube-system|inCluster|in-cluster|Fargate)\b|hop[\s_-]*limit|"
    r"(?<![\w.])[IWEF]\d{4}\s+\d\d:\d\d:\d\d\.\d{6}\s+\d+\s+[\w.-]+\.go:\d+\]|"
    r"\b(?:my|our|the|an?|this|that)\s+(?:AWS\s+)?EC2\s+(?:instance|server|machine|host|node|box)s?\b|"
    r"\b(?:randomly|intermittent(?:ly)?|sporadic(?:ally)?|occasionally|from\s+time\s+to\s+time|most\s+of\s+the\s+time"
    r"|sometimes,?\s+(?:it|we|I|they)\b)", re.I)


def _off_aws_why(seen: str) -> str:
    return next((why for key, why in _OFF_AWS_WHY if key.lower() in seen.lower()),
                "a developer's machine (a Windows or macOS user path)")


def nothing_configured(e: AwsError, *, connect: bool) -> str | None:
    """Why the text reads as a chain that had nothing configured rather than a failing metadata service (a phrase
    for the finding), or None. `connect`: the metadata failure may be a failed connect (the SDK's probe)."""
    cues = cue_text(e)
    if _ON_AWS_RE.search(cues):
        return None
    off = _OFF_AWS_RE.search(cues)
    if off:
        return f"the text shows {_off_aws_why(off.group(0))}, not an EC2 host"
    probe = _SHORT_CONNECT_RE.search(e.flat) if connect else None
    if probe:
        said = " ".join(probe.group(0).split())
        return f"the SDK could not even connect to it ('{said}'), where on EC2 the connection is taken at once"
    return None


def chain_end_first(hits: list[Hit], why: str) -> list[Hit]:
    """The chain-end reading (no-credentials) as the error, the metadata readings as its ranked alternatives."""
    end = next(h for h in hits if h.cause == "no-credentials")
    end.status = Status.FAIL
    end.extra.pop("candidate_rank", None)
    end.message = ("No credential source was configured: instance metadata is only the last source the SDK's default "
                   f"chain tried, and {why} — its failure is what an empty chain reports off EC2")
    out = [end]
    for h in hits:
        if h is end:
            continue
        if h.status is Status.FAIL:
            h.status = Status.WARN
            h.message = h.message if h.message.startswith("Or ") else f"Or the metadata service itself: {h.message}"
        h.extra["candidate_rank"] = len(out)
        out.append(h)
    return out
