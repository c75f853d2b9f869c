"""Clues that say which credentials the client had or lacked: the SDK's own words for the source that failed inside
an empty chain, the user's words that an earlier source of the chain was left empty, or that MFA is required."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sigdoctor.awserrors.chain_end import timeout_without_container
from sigdoctor.awserrors.hit import UNDECIDED, Hit, cue_text, first_fail
from sigdoctor.awserrors.sources import METADATA_DISABLED
from sigdoctor.awserrors.table import table
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError

_SETTLE_CREDS = "Settle it: `sigdoctor run --only credentials --only identity` with the agent's environment"


def _lead(first: Hit, hits: list[Hit], *, lead: str) -> list[Hit]:
    """`first` in front; the reading it displaces, and every other error reading, kept as ranked warnings (`lead`
    put before the displaced reading's message)."""
    out = [first]
    demoted = [id(h) for h in hits if h.status == Status.FAIL and h.cause != first.cause]
    for h in hits:
        if h.cause == first.cause:
            continue
        if id(h) in demoted:
            h.status = Status.WARN
            h.message = f"{lead}{h.message}" if id(h) == demoted[0] else h.message
            h.extra["candidate_rank"] = demoted.index(id(h)) + 1
        elif isinstance(rank := h.extra.get("candidate_rank"), int):
            h.extra["candidate_rank"] = rank + len(demoted)  # the readings it was ranked behind come first
        out.append(h)
    return out


# aws-sdk-go-v2's container credentials provider (credentials/endpointcreds: the source of
# AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI — ECS task roles, Fargate, EKS Pod Identity) wraps every failure
# as "failed to load credentials, %w" (provider.go Retrieve; no other v2 provider says it), and its client's
# deserializer says "failed to decode error message" for a non-2xx answer whose body is not JSON and "failed to
# deserialize json response" for a 2xx one (internal/client/middleware.go). The chain found its source and that
# source's endpoint answered badly (a proxy's page, a stopped agent, a wrong FULL_URI): the chain is not empty, the
# container endpoint failed. v1's CredentialsEndpointError is read by checks/errors/credential-chain.toml.
_GO2_ENDPOINT_CREDS_RE = lazy(r"failed\s+to\s+load\s+credentials,\s+(?:[^\n]{0,200}?(failed\s+to\s+decode\s+error\s+"
                              r"message|failed\s+to\s+deserialize\s+json\s+response|failed\s+to\s+read\s+authorization"
                              r"\s+token|authorization\s+token\s+contains\s+invalid\s+newline|endpoint\s+not\s+"
                              r"provided|failed\s+to\s+parse\s+endpoint|[^\n]{0,40}?StatusCode:\s*\d{3}))?")


def container_provider_failed(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """An empty-chain reading where aws-sdk-go-v2's container provider says it was the source that failed: the
    container endpoint first, the empty chain behind it."""
    first = first_fail(hits)
    m = _GO2_ENDPOINT_CREDS_RE.search(e.flat) if "to load credentials," in e.flat else None
    if m is None or first is None or first.cause != "no-credentials":
        return hits
    how = " ".join((m.group(1) or "").split())
    said = f" ('{how}')" if how else ""
    lead = _hit_container(
        f"aws-sdk-go-v2's container credentials provider (ECS task role, Fargate, EKS Pod Identity: "
        f"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI) was the source that failed{said}: the chain found "
        "that source, and its endpoint did not give credentials", decided_by="failed to load credentials, …")
    return _lead(lead, hits, lead="Or no source was configured after all: ")


def _hit_container(message: str, **extra: object) -> Hit:
    return Hit("container-credentials-failed", Status.FAIL, message,
               ["Check what answers the container credentials endpoint: `curl -s -H \"Authorization: $(cat "
                "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE 2>/dev/null)\" 169.254.170.2$AWS_CONTAINER_CREDENTIALS_"
                "RELATIVE_URI` (ECS) or `$AWS_CONTAINER_CREDENTIALS_FULL_URI` (Pod Identity) from the container — a "
                "non-JSON page is a proxy (add 169.254.170.2 and 169.254.170.23 to NO_PROXY) or a stopped agent",
                "On ECS / Fargate: the task definition's taskRoleArn; on EKS: the eks-pod-identity-agent DaemonSet",
                _SETTLE_CREDS], dict(extra))


# A metadata reading where the user says the chain's earlier source was left empty. The SDKs skip an environment
# source with an empty key or secret (aws-sdk-go v1 credentials/env_provider.go: ErrAccessKeyIDNotFound /
# ErrSecretAccessKeyNotFound for an empty value; aws-sdk-go-v2 config/env_config.go reads a pair only when both are
# set; botocore credentials.py EnvProvider) and go on to the next source, instance metadata last — whose failure is
# then all the error shows. Likewise a shared credentials file the client is pointed at that does not exist
# (AWS_SHARED_CREDENTIALS_FILE, a tool's own credentials-path setting) gives nothing, and the chain ends at IMDS.
_IMDS_READINGS = frozenset({"imds-hop-limit", "imds-unreachable", "imds-no-role"})
_ENV_KEY = r"AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SECRET_KEY|ACCESS_KEY|SESSION_TOKEN)"
_ENV_EMPTIED_RE = lazy(
    # A shell assignment with nothing after its `=` (`export AWS_SECRET_ACCESS_KEY=` at the end of its line, which the
    # record's flat text joins to the next with a space), or `=""`; the user's "set … to empty".
    rf"\b({_ENV_KEY})(?:\s*=\s*(?:\"\"|'')|=(?=[\s`,;)]|$)|\s+(?:to|is|was|as)\s+(?:an?\s+)?(?:empty|blank|\"\")"
    r"(?:\s+string)?\b)|"
    rf"\b(?:empty|blank|unset)\s+({_ENV_KEY})\b", re.M)
_FILE_PATH_WRONG_RE = lazy(
    r"(?:credentials?[ _-]?(?:path|file)|credential_?path|AWS_SHARED_CREDENTIALS_FILE)[^.\n]{0,60}?\b(?:incorrect(?:ly)?|"
    r"wrong|did\s+not\s+exist|does\s+not\s+exist|doesn't\s+exist|not\s+found|typo|misspel\w*|missing)\b|"
    r"\b(?:incorrect(?:ly)?|wrong|typo\s+in|misspel\w*)\b[^.\n]{0,40}?(?:credentials?[ _-]?(?:path|file)|credential_?path|"
    r"AWS_SHARED_CREDENTIALS_FILE)", re.I)


def earlier_source_empty(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A failing instance-metadata reading where the text shows the environment's keys emptied, or the credentials
    file's path wrong: the source that was meant to answer first, the metadata readings behind it."""
    first = first_fail(hits)
    if first is None or first.cause not in _IMDS_READINGS:
        return hits
    cues = cue_text(e)
    if (m := _ENV_EMPTIED_RE.search(cues)) is not None:
        var = m.group(1) or m.group(2)
        lead = Hit("env-credentials-incomplete", Status.FAIL,
                   f"The text sets {var} empty: the SDK skips an environment source with an empty key or secret and "
                   "goes on down its chain to instance metadata, whose failure is all the error shows",
                   [f"Set {var} (with the rest of its pair) to the real value, or unset all of AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN if the client is meant to use another source",
                    _SETTLE_CREDS], {"decided_by": f"{var} set empty"})
    elif (m := _FILE_PATH_WRONG_RE.search(cues)) is not None:
        said = " ".join(m.group(0).split())
        lead = Hit("no-credentials", Status.FAIL,
                   f"The text says the credentials file's path is wrong ('{said}'): that file gives nothing, so no "
                   "source of the chain had credentials and it ended at instance metadata, whose failure is all the "
                   "error shows", ["Point the setting at the credentials file that exists (an absolute path; `~` is "
                                   "not expanded by every tool)", _SETTLE_CREDS], {"decided_by": said})
    else:
        return hits
    return _lead(lead, hits, lead="Or instance metadata itself: ")


# aws-sdk-go v1's instance-role provider wraps *every* failed request for the role list in the same words
# (aws/credentials/ec2rolecreds/ec2_role_provider.go v1.55.6 requestCredList: `awserr.New("EC2RoleRequestError", "no EC2
# instance role found", err)` for any error of GetMetadataWithContext — a 404, a timeout, no route); awserr prints the
# cause on the lines after it ("caused by: …"). A record that ends at the wrapper (a log line that keeps only the
# first line of the error, the SSM agent's) does not show which failure it was: "no role" is only the likeliest, and
# another record of the text that shows the failure (a connect with no route, a timeout) decides it.
_ROLE_WRAPPER_RE = lazy(r"no\s+EC2\s+instance\s+role\s+found")
# What shows the failure: its "caused by" lines (or what they hold) after the wrapper, or IMDS's answer anywhere. A
# bare "caused by:" (or a piece of it) whose failure a paste's wrapping or framing moved to another record shows nothing.
_ROLE_CAUSE_AFTER_RE = lazy(r"\w")
_CAUSED_BY_RE = lazy(r"\b(?:caused|by)\b", re.I)
_ROLE_ANSWER_RE = lazy(r"EC2MetadataError|\b40[0-9]\b|Not\s+Found|status\s*code", re.I)


def role_wrapper_alone(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """An imds-no-role error read from aws-sdk-go v1's wrapper alone: a warning with the other failures it wraps as
    its ranked rivals, so a record that shows the failure (an error) leads."""
    first = first_fail(hits)
    if first is None or first.cause != "imds-no-role" or "role found" not in e.flat:
        return hits
    m = _ROLE_WRAPPER_RE.search(e.flat)
    if (m is None or _ROLE_CAUSE_AFTER_RE.search(_CAUSED_BY_RE.sub("", e.flat[m.end():]))
            or _ROLE_ANSWER_RE.search(e.flat)):
        return hits
    decide = "sigdoctor run --only credentials on the instance (it asks instance metadata for the role itself)"
    rivals = (("imds-no-role", "instance metadata answered 404 for the role list: the instance has no instance "
                               "profile (or the profile holds no role)"),
              ("imds-unreachable", "the request got no answer: nothing answers at 169.254.169.254 from here (not on "
                                   "EC2, IMDS disabled, no route or a firewall)"),
              ("imds-hop-limit", "the IMDSv2 token's answer was lost one hop short (a container on an instance with "
                                 "hop limit 1)"))
    first.status = Status.WARN
    first.message = ("aws-sdk-go v1 says 'no EC2 instance role found' (EC2RoleRequestError) for any failed request "
                     "for the instance's role list, and this record does not show the failure under it (its "
                     "'caused by' lines). Most likely the instance has no role: " + first.message)
    first.fix.append(f"Settle it: `{decide}` — or read the error's 'caused by' lines in the full log")
    first.extra["candidates"] = [{"cause": c, "why": why, "decide": decide} for c, why in rivals]
    first.extra["wrapper_only"] = "EC2RoleRequestError: no EC2 instance role found"
    return hits


# A metadata timeout read as the hop limit (network_readings.imds_hits: "The instance metadata service timed out …:
# from a container this is the IMDSv2 hop limit of 1") where nothing in the text shows a container, a pod, an EC2 host
# or the token request (chain_end.timeout_without_container) and no chain end was read with it: the hop limit drops
# only the token's answer one hop short of a container (EC2 user guide, "Configure the instance metadata options"), on
# the instance itself the answer arrives, and off EC2 nothing answers at all — where a chain that ends at its
# metadata probe reports what was never configured. Over corpus batches 1-14 the three such texts give imds-hop-limit,
# imds-unreachable and no-credentials one each: the text cannot decide, so the hop limit stays first as a candidate
# (undecided), the unreachable service and the empty chain behind it.
_TIMEOUT_READING = "The instance metadata service timed out"


def metadata_timeout_alone(e: AwsError, hits: list[Hit]) -> list[Hit]:
    first = first_fail(hits)
    if (first is None or first.cause != "imds-hop-limit" or not first.message.startswith(_TIMEOUT_READING)
            or any(h.cause == "no-credentials" for h in hits)):
        return hits
    why = timeout_without_container(e, [first])
    if why is None:
        return hits
    first.message = (f"{_TIMEOUT_READING}: that is the IMDSv2 hop limit of 1 only where the client runs in a "
                     "container or pod on EC2 — and " + why)
    first.extra[UNDECIDED] = ("a metadata timeout is the hop limit only in a container or pod; on an EC2 host itself "
                              "the answer arrives, and off EC2 nothing answers at all")
    rank = 1
    for h in hits:
        if h is not first and h.cause == "imds-unreachable" and h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["candidate_rank"] = rank
    rank = max((r for h in hits if isinstance(r := h.extra.get("candidate_rank"), int)), default=0) + 1
    hits.append(Hit("no-credentials", Status.WARN,
                    "Or nothing was configured at all: off EC2 a client whose credential chain ends at instance "
                    "metadata reports that probe's timeout when no earlier source (environment, profile, web identity, "
                    "container endpoint) gave credentials",
                    ["Off EC2, configure a credential source for the client (environment, profile, IRSA / Pod "
                     "Identity)", _SETTLE_CREDS], {"candidate_rank": rank}))
    return hits


# The log line's own prefix that shows it was printed in a pod: `kubectl logs --prefix` ("[pod/NAME/CONTAINER] ",
# kubectl's --prefix: "Prefix each log line with the log source (pod name and container name)") and stern's default
# ("POD CONTAINER message"), where a DaemonSet's or ReplicaSet's pod is named after its workload plus a generated
# suffix (Kubernetes apiserver/pkg/storage/names SimpleNameGenerator: five characters of utilrand's alphabet
# "bcdfghjklmnpqrstvwxz2456789"; a Deployment's pod adds its ReplicaSet's hash before it), and the container commonly
# after the workload: `cloudwatch-agent-x7k2p cloudwatch-agent …`.
_POD_PREFIX_RE = lazy(r"^\[pod/[a-z0-9][\w.-]*/[a-z0-9][\w.-]*\]\s|"
                      r"^([a-z0-9][a-z0-9-]*?)(?:-[a-z0-9]{6,10})?-[bcdfghjklmnpqrstvwxz2456789]{5}\s+\1\s", re.M)
_HOP = "imds-hop-limit"


def pod_shown_hop_first(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A table's reading of instance metadata not answering (imds-unreachable, with the hop limit among its
    candidates) where the log's own prefix shows the agent runs in a pod: the hop limit first — in a container on EC2
    the token's answer is the one thing lost — the unreachable service behind it."""
    first = first_fail(hits)
    if first is None or first.cause != "imds-unreachable" or any(h.cause == _HOP for h in hits):
        return hits
    entry = first.extra.get("error_entry")
    cand = next((c for x in table().named(entry) for c in x.causes if c.cause == _HOP), None) if entry else None
    m = _POD_PREFIX_RE.search(cue_text(e)) if cand is not None else None
    if cand is None or m is None:
        return hits
    seen = " ".join(m.group(0).split())
    hop = Hit(_HOP, Status.FAIL,
              f"Instance metadata did not answer the agent, and its log lines carry a pod's prefix ('{seen}'): in a "
              f"container on EC2 that is the IMDSv2 hop limit of 1 — {cand.needs}",
              [f"Settle it: `{cand.decide or 'sigdoctor run --only credentials in the container'}`"],
              {"decided_by": f"the pod prefix '{seen}'"})
    return _lead(hop, hits, lead="Or no metadata service answers at all: ")


# A metadata proxy's (or instance metadata's) 404 for the role list and a chain end in one record — a paste whose line
# ends were escaped joins kube2iam's access log line `GET /latest/meta-data/iam/security-credentials/ (404)` and
# botocore's NoCredentialsError: the chain came up empty because its last source, the metadata path, had no role for
# it. Two records of the same lines are read so by causes.diagnose (_settles: the record that names the failing
# source settles the empty chain's summary); one record is read the same way here.
_ROLE_PATH_404_RE = lazy(r"/meta-data/iam/security-credentials/?[\w+=,.@-]*[\"'`]?\)?:?\s+\(?(?:404|Not\s+Found)\b")


def role_answer_in_chain(e: AwsError, hits: list[Hit]) -> list[Hit]:
    first = first_fail(hits)
    if first is None or first.cause != "no-credentials" or "security-credentials" not in e.flat:
        return hits
    role = next((h for h in hits if h.cause == "imds-no-role" and h.status == Status.WARN), None)
    if role is None or not _ROLE_PATH_404_RE.search(e.flat):
        return hits
    role.status = Status.FAIL
    role.extra.pop("candidate_rank", None)
    role.extra["decided_by"] = "the role path's 404 beside the chain end"
    return _lead(role, hits, lead="Or the empty chain alone (the 404 was another client's): ")


# A denial the user sees with the keys of an account (or user) that has MFA activated or required. The policy AWS
# documents for it denies every action but managing one's own MFA unless the request is MFA-authenticated
# (IAM user guide, "AWS: Allows MFA-authenticated IAM users to manage their own credentials…": Deny NotAction …
# Condition BoolIfExists aws:MultiFactorAuthPresent false); long-term keys carry no MFA, so every call from them is
# explicitly denied until they are exchanged for a GetSessionToken session with the MFA code.
_MFA_REQUIRED_RE = lazy(
    r"\bMFA\s+(?:is\s+|was\s+)?(?:activated|enabled|enforced|required|mandatory|protected|turned\s+on)\b|"
    r"\b(?:activated|enabled|enforced|required|mandatory)\s+MFA\b|\bMFA[- ](?:activated|enabled|enforced|protected)\b|"
    r"\b(?:enforce|require)s?\s+MFA\b|MultiFactorAuthPresent", re.I)
_DENIAL_READINGS = frozenset({"permission-missing"})


def mfa_required_denial(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A missing-permission reading where the user says MFA is activated or required: the MFA-enforcing Deny first
    (an error only when AWS's answer says explicit deny is not ruled out: a bare Access Denied), the missing Allow
    behind it."""
    first = first_fail(hits)
    if first is None or first.cause not in _DENIAL_READINGS or "because no" in e.flat:
        return hits
    m = _MFA_REQUIRED_RE.search(cue_text(e))
    if m is None:
        return hits
    said = " ".join(m.group(0).split())
    deny = Hit("explicit-deny", Status.FAIL,
               f"Access denied where the text says '{said}': an MFA-enforcing policy denies every call that is not "
               "MFA-authenticated (aws:MultiFactorAuthPresent), and long-term access keys never are",
               ["Call with a session from `aws sts get-session-token --serial-number MFA_ARN --token-code CODE` "
                "(or a profile with mfa_serial), or exempt the agent's user from the MFA condition",
                "Settle it: `aws iam simulate-principal-policy --policy-source-arn USER_ARN --action-names ACTION "
                "--context-entries ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=false,ContextKeyType="
                "boolean`"], {"decided_by": said})
    return _lead(deny, hits, lead="Or no policy allows it: ")


# A program that asks instance metadata for its own data — the instance identity document, and the region and account
# read from it (aws-sdk-go v1.44 aws/ec2metadata/api.go GetInstanceIdentityDocumentWithContext: `awserr.New(
# "EC2MetadataRequestError", "failed to get EC2 instance identity document", err)`) — is no credential chain: when
# AWS_EC2_METADATA_DISABLED switched metadata off (aws/ec2metadata/service.go "EC2 IMDS access disabled via
# AWS_EC2_METADATA_DISABLED env var"), the program lost instance metadata itself, not the last source of a chain.
_METADATA_OFF_RE = lazy(METADATA_DISABLED)
_OWN_METADATA_RE = lazy(r"failed to get EC2 instance identity document|instance-identity/document|"
                        r"GetInstanceIdentityDocument")


def own_metadata_disabled(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """The chain's end read from "EC2 IMDS access disabled" where the request was for the instance identity
    document: instance metadata switched off for a program that needs it (imds-unreachable), the chain behind it."""
    first = first_fail(hits)
    if (first is None or first.cause != "no-credentials" or not _METADATA_OFF_RE.search(e.flat)
            or not _OWN_METADATA_RE.search(e.flat)):
        return hits
    lead = Hit("imds-unreachable", Status.FAIL,
               "The program asked instance metadata for the instance identity document (its region, account and "
               "instance id), not for credentials, and AWS_EC2_METADATA_DISABLED (or a client option) switched "
               "instance metadata off: it needs instance metadata itself",
               ["Unset AWS_EC2_METADATA_DISABLED for this program (or give it its region and instance data another "
                "way, if it has such settings)", _SETTLE_CREDS], {"decided_by": "instance identity document"})
    return _lead(lead, hits, lead="Or a credential chain that ended there: ")
