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


# The hop limit drops only the answer to IMDSv2's token PUT, one network hop short: a process in a container (docker's
# bridge, a pod without host networking) on an instance whose HttpPutResponseHopLimit is 1 (EC2 user guide,
# "Configure the instance metadata options": "in a container environment, we recommend setting the hop limit to 2").
# On the instance itself the token's answer arrives; off EC2 nothing answers at all. So a metadata timeout reads as
# the hop limit only where the text shows a container or pod (or a Kubernetes log line, an EC2 host: _ON_AWS_RE), or
# the token request itself timing out; otherwise the chain's own reading leads — aws-sdk-go-v2's "no EC2 IMDS role
# found, … context deadline exceeded" is what its default chain ends in wherever nothing was configured (ec2rolecreds
# wraps any IMDS failure so). Over corpus batches 1-11, of the 7 Go v2 chain ends of that shape with neither cue, the
# threads give no-credentials 3 (one confirmed), the hop limit 1 (confirmed); with a cue, the hop limit 3.
_CONTAINER_WORD_RE = re.compile(
    r"\b(?:containers?|containeri[sz]ed|docker(?:file|ized)?|podman|pods?|kubernetes|k8s|kubectl|helm|daemonset|"
    r"ECS|task\s+role|sidecar|EKS|Karpenter|kubelet|kube-system|kube2iam|kiam)\b", re.I)
_TOKEN_STEP_RE = re.compile(r"/latest/api/token|\bgetToken\b|IMDSv2\s+(?:session\s+)?token", re.I)


def timeout_without_container(e: AwsError, chain: list[Hit]) -> str | None:
    """Why a metadata timeout the readings give to the hop limit is no hop limit here (a phrase for the chain-end
    finding), or None: nothing in the text shows a container, a pod or an EC2 host, and the token request is not the
    step that timed out."""
    if not chain or chain[0].cause != "imds-hop-limit" or chain[0].status is not Status.FAIL:
        return None
    cues = cue_text(e)
    if _TOKEN_STEP_RE.search(cues) or _CONTAINER_WORD_RE.search(cues) or _ON_AWS_RE.search(cues):
        return None
    return ("nothing in the text shows a container or pod (where a metadata timeout is the IMDSv2 hop limit) or an "
            "EC2 host")


# The user's words that the instance now requires IMDSv2 (HttpTokens required, `--http-tokens required`, IMDSv1
# turned off) where IMDSv1 worked before. Requiring IMDSv2 refuses every token-less metadata request with 401, so a
# client whose SDK predates IMDSv2 sessions (aws-sdk-go before v1.25.38, botocore before 1.13.25, the Java SDK before
# 1.11.678: EC2 user guide, "Use the Instance Metadata Service to access instance metadata", supported AWS SDKs) finds
# no role credentials there and its chain comes up empty; in a container the same switch starves a current SDK of
# the token's answer (the hop limit, above). Of the empty chains in corpus batches 1-11 beside such words, the threads
# give an SDK too old for IMDSv2 (batch 11 b027, goofys' vendored aws-sdk-go); the container texts the hop limit.
_IMDSV2_REQUIRED_RE = re.compile(
    r"\bIMDS\s*v?2\b[^.\n]{0,60}?\b(?:required|only|enforced|mandatory)\b|"
    r"\b(?:requir(?:e|es|ed|ing)|enforc(?:e|es|ed|ing)|switch(?:ed|ing)?|mov(?:ed|ing)|upgrad(?:ed|ing)|"
    r"migrat(?:ed|ing))\b[^.\n]{0,40}?\bIMDS\s*v?2\b|"
    r"\b(?:previously|before|used\s+to)\b[^.\n]{0,40}?\bIMDS\s*v?1\b|"
    r"\bIMDS\s*v?1\b[^.\n]{0,40}?\b(?:without\s+(?:any\s+)?(?:issues?|problems?)|worked|disabled|turned\s+off)\b|"
    r"\bdisabl(?:e|ed|ing)\s+IMDS\s*v?1\b|"
    r"http[-_ ]?tokens\b[^.\n]{0,20}?\brequired\b", re.I)


def imdsv2_required(e: AwsError) -> str | None:
    """The user's words that the instance was switched to require IMDSv2 (quoted for the finding), or None."""
    m = _IMDSV2_REQUIRED_RE.search(cue_text(e))
    return " ".join(m.group(0).split()) if m else None


def imdsv2_required_hits(e: AwsError, said: str) -> list[Hit]:
    """An empty chain beside the switch to IMDSv2: an SDK that predates IMDSv2 sessions first — or, where the text
    shows a container or pod, the hop limit — the other as a ranked warning."""
    decide = ("sigdoctor run --only credentials on the instance (and in the container, if the client runs in one); "
              "the client's version of its AWS SDK (IMDSv2 needs aws-sdk-go >= 1.25.38, botocore >= 1.13.25, Java SDK "
              ">= 1.11.678)")
    old = Hit("sdk-unsupported-credential-source", Status.FAIL,
              f"The credential chain came up empty after the instance began to require IMDSv2 ('{said}'): the "
              "client's AWS SDK predates IMDSv2 sessions, so its token-less requests for the instance role are refused "
              "(401) and instance metadata gives it nothing",
              ["Upgrade the client (or the AWS SDK it vendors) to a release that supports IMDSv2, or set the "
               "instance's HttpTokens back to optional until it is upgraded", f"Settle it: `{decide}`"])
    hop = Hit("imds-hop-limit", Status.FAIL,
              f"The credential chain came up empty after the instance began to require IMDSv2 ('{said}') and the "
              "client runs in a container or pod: the token's answer does not come back through the extra hop (hop "
              "limit 1), and no token-less request is answered",
              ["Raise the hop limit: `aws ec2 modify-instance-metadata-options --instance-id i-… "
               "--http-put-response-hop-limit 2`", f"Settle it: `{decide}`"])
    first, other = (hop, old) if _CONTAINER_WORD_RE.search(cue_text(e)) else (old, hop)
    other.status = Status.WARN
    other.message = f"Or: {other.message}"
    other.extra["candidate_rank"] = 1
    return [first, other]


# A Lambda function runs with its execution role's credentials, which Lambda gives it as AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN — always a temporary key with its token (Lambda developer guide, "Defined
# runtime environment variables"; the code lives in LAMBDA_TASK_ROOT, /var/task, the runtime in /var/runtime). A key
# AWS does not know, answered to code that runs there, is that key sent without its token (an app's config that
# passes only the key and secret on to its SDK client) far more often than a key that does not exist.
_LAMBDA_RUNTIME_RE = re.compile(r"(?<![\w/.-])/var/(?:task|runtime)/|\bLAMBDA_TASK_ROOT\b|\bAWS_LAMBDA_FUNCTION_NAME\b|"
                                r"\b(?:START|REPORT)\s+RequestId:\s+[0-9a-f-]{36}\b")


def lambda_session_first(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """An unknown key (access-key-invalid, read from the code alone) where the text shows the code runs in Lambda:
    the session token left out first, the unknown key as its ranked alternative."""
    at = next((i for i, h in enumerate(hits) if h.cause == "access-key-invalid" and h.status is Status.FAIL
               and not h.extra.get("decided_by")), None)
    if at is None or e.access_key_id:
        return hits
    m = _LAMBDA_RUNTIME_RE.search(cue_text(e))
    if m is None:
        return hits
    unknown = hits[at]
    unknown.status = Status.WARN
    unknown.message = f"Or the key itself is unknown: {unknown.message}"
    unknown.extra["candidate_rank"] = 1
    first = Hit("session-token-missing", Status.FAIL,
                f"AWS does not accept the credentials, and the code runs in AWS Lambda ('{m.group(0).strip()}'), "
                "whose credentials are always its execution role's temporary key with a session token: the token was "
                "not passed on with the key (a config that hands the SDK client only the key id and secret)",
                ["Pass AWS_SESSION_TOKEN with the key (the app's `token` / `session_token` setting), or give the "
                 "SDK client no explicit credentials at all so it reads all three from the environment",
                 "Settle it: log whether AWS_SESSION_TOKEN reaches the client's credentials in the function"])
    return [*hits[:at], first, unknown, *hits[at + 1:]]


# The shared credentials file where the SDK never looks: every SDK reads ~/.aws/credentials of the process's HOME
# (/root for a container's root user, /home/NAME for another) or the file AWS_SHARED_CREDENTIALS_FILE names (botocore
# configprovider.py 'credentials_file'; aws-sdk-go v1 aws/session/env_config.go and v2 config/env_config.go; the Java
# SDK 2.x ProfileFileLocation), the Java SDK 1.x AWS_CREDENTIAL_PROFILES_FILE (SDKGlobalConfiguration). A host's
# ~/.aws mounted into a container at /home/.aws (no user's home), or the file given by a variable no SDK reads, is a
# file the SDK never opens: the chain is empty and a profile of the config file that takes its keys from it
# (source_profile) reads as having none — the credentials file was never found, not a broken profile.
_UNREAD_FILE_RE = re.compile(r"-v\s*[\w~$./{}-]*\.aws/?:(/home/\.aws)/?(?=[:\s\\]|$)|"
                             r"\b(AWS_CREDENTIALS_PROFILES_FILE|AWS_CREDENTIALS_FILE|AWS_SHARED_CREDENTIAL_FILE)\b")


def file_never_read_first(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """An empty chain where the text puts the credentials file where the SDK does not read it: the empty chain (no
    credentials found) leads, a profile reading of the same record stays as its ranked alternative."""
    end = next((h for h in hits if h.cause == "no-credentials"), None)
    m = _UNREAD_FILE_RE.search(cue_text(e)) if end is not None else None
    if end is None or m is None:
        return hits
    where = (f"mounts the credentials at {m.group(1)}, which is no user's home (the SDK reads ~/.aws of the "
             "container user: /root/.aws for root)" if m.group(1) else
             f"names the credentials file with {m.group(2)}, a variable no AWS SDK reads (AWS_SHARED_CREDENTIALS_FILE; "
             "the Java SDK 1.x AWS_CREDENTIAL_PROFILES_FILE)")
    end.status = Status.FAIL
    end.extra.pop("candidate_rank", None)
    end.message = (f"The SDK found no credentials: the text {where} — the credentials file was never read, so the "
                   "chain came up empty (and a profile that takes its keys from that file reads as having none)")
    end.fix.insert(0, "Mount the host's ~/.aws at the container user's home (`-v ~/.aws:/root/.aws:ro`) or point "
                      "AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at where it is mounted")
    out = [end]
    for h in hits:
        if h is end:
            continue
        if h.cause == "profile-invalid" and h.status is Status.FAIL:
            h.status = Status.WARN
            h.message = f"Or the profile itself: {h.message}"
            h.extra["candidate_rank"] = 1
        out.append(h)
    return out


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
