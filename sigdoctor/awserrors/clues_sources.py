"""Clues that say which credentials the client had or lacked: the SDK's own words for the source that failed inside
an empty chain, the user's words that an earlier source of the chain was left empty, or that MFA is required."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sigdoctor.awserrors.hit import Hit, cue_text
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError

_SETTLE_CREDS = "Settle it: `sigdoctor run --only credentials --only identity` with the agent's environment"


def _first_fail(hits: list[Hit]) -> Hit | None:
    return next((h for h in hits if h.status == Status.FAIL), None)


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
    first = _first_fail(hits)
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
    first = _first_fail(hits)
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
    first = _first_fail(hits)
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
