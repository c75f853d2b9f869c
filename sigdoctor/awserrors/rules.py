"""What an AWS error means: from its code, message and the request facts beside it to catalog causes.

Each rule is a plain check over the error's text, in the order a human would read it: signature problems first,
then the credentials, then permissions, then the network underneath. Where text alone cannot decide between causes,
the candidates are ranked and the finding says which `sigdoctor run` probe settles it.
"""

from __future__ import annotations

import re
from dataclasses import field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from sigdoctor.awserrors.awshosts import impossible_host
from sigdoctor.awserrors.backends import Recognised, private_endpoint, recognise
from sigdoctor.awserrors.canonical import (
    StringToSign,
    endpoint_from_host,
    expected_signing_name,
    parse_amz_date,
)
from sigdoctor.awserrors.clues import behind, read_clues
from sigdoctor.awserrors.diff import MODIFIED, Difference, diff_canonical, unified_diff
from sigdoctor.awserrors.parse import DOC_LINK_RE, AwsError
from sigdoctor.awserrors.sources import source_hits, status_refutes_no_role
from sigdoctor.awserrors.table import Candidate, Entry, Match, table
from sigdoctor.awserrors.unescape import unescape
from sigdoctor.model import Status
from sigdoctor.records import datarecord
from sigdoctor.redact import mask_key_id
from sigdoctor.skew_windows import window
from sigdoctor.sts.regions import OPT_IN_REGIONS  # where a global-endpoint token fails: one list with the probes

SKEW_ERROR_S = window(None).seconds  # beyond the general SigV4 window (skew_windows) AWS refuses the request
SKEW_WARN_S = 60


@datarecord
class Hit:
    cause: str
    status: Status
    message: str
    fix: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@datarecord
class Classified:
    hits: list[Hit]
    diffs: list[Difference] | None = None  # None: no client canonical request to compare with
    diff_text: str = ""


# Pasted text has doubled spaces, wrapped lines and dropped parentheses: any whitespace between the words.
# The "Signature expired: " / "Signature not yet current: " lead is optional: a title or a quote keeps only the dates,
# whose form — the signed date, AWS's time and the window's edge "(… - 5 min.)" — is AWS's own message.
_EXPIRED_RE = re.compile(r"(?:Signature\s+expired:\s*)?(\d{8}T\d{6}Z)\s+is\s+now\s+earlier\s+than\s+(\d{8}T\d{6}Z)"
                         r"\s*\(?(\d{8}T\d{6}Z)\s*-\s*(\d+)\s*min")
_NOT_YET_RE = re.compile(r"(?:Signature\s+not\s+yet\s+current:\s*)?(\d{8}T\d{6}Z)\s+is\s+still\s+later\s+than\s+"
                         r"(\d{8}T\d{6}Z)\s*\(?(\d{8}T\d{6}Z)\s*\+\s*(\d+)\s*min")
_AWS_SAW_RE = re.compile(r"Signature\s+(?:expired|not\s+yet\s+current):\s*(\d{8}T\d{6}Z)\s+is")
# The words alone, with the dates cut off (a log line or title that ends at the colon): AWS says the request's date is
# outside its window, which is the same verdict as with the dates.
_EXPIRED_WORDS_RE = re.compile(r"Signature\s+(expired|not\s+yet\s+current)\b")
# Actions a role's trust policy (not the caller's identity policy) must allow: AssumeRole*, and the session tags
# and source identity passed with it (IAM user guide id_session-tags.html "Required permissions to add session
# tags": sts:TagSession in the trust policy; id_credentials_temp_control-access_monitor.html: sts:SetSourceIdentity).
_TRUST_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity")
# Datadog's AWS integration words AWS's denial "Datadog is not authorized to perform action sts:AssumeRole" (docs
# "Error: Datadog is not authorized to perform sts:AssumeRole": the integration role's trust policy).
_ACTION_RE = re.compile(r"[Nn]ot authorized to perform(?: action)?:? ([a-z0-9-]+:[A-Za-z0-9*]+)")
_RESOURCE_RE = re.compile(r"on resource:? (arn:[^\s\"'<>,]+|\"?[^\s\"']+\"?)")
_PRINCIPAL_RE = re.compile(r"User: (arn:[^\s\"'<>]+) is not authorized")
_EXPLICIT_RE = re.compile(r"with an explicit deny(?: in an? ([a-z -]+?policy|permissions boundary))?")
# API Gateway, and the services behind it (AMP, OpenSearch Serverless …), answer a resource or method they do not
# have with the same 403 "Missing Authentication Token" as an unsigned request (API Gateway troubleshooting guide):
# the text alone cannot tell a wrong URL from a missing signature.
_MISSING_TOKEN_RE = re.compile(r"Missing\s*Authentication\s*Token", re.I)
_WI_UNREADABLE_RE = re.compile(r"failed fetching WebIdentity token|TokenFileWebIdentityCredentials\.load|"
                               r"unable to read file at|(?:web ?identity|token) ?file"
                               r"[^\n]{0,120}(?:no such file|permission denied|is empty)|open '?(/[^\s:']*token[^\s:']*)'?: "
                               r"(?:no such file|permission denied)|token could not be loaded from the "
                               r"WebIdentityTokenFile", re.I)
_WI_NOT_SET_RE = re.compile(r"webIdentityTokenFile must be set", re.I)
# AWS SDK for Java 2's chain listing: provider names, and the sentences of providers that found nothing configured
# (SystemSetting "… must be specified either via environment variable …", WebIdentityTokenCredentialsProvider,
# ContainerCredentialsProvider "Cannot fetch credentials from container - neither … are set").
_NOT_CONFIGURED_RE = re.compile(r"\b\w+CredentialsProvider\((?:[^()]|\([^()]*\))*\)|Either the environment variable "
                                r"AWS_WEB_IDENTITY_TOKEN_FILE or the javaproperty aws\.webIdentityTokenFile must be set|"
                                r"Cannot fetch credentials from container - neither [^.]*? are set|Access key must be "
                                r"specified either via environment variable \(AWS_ACCESS_KEY_ID\) or system property "
                                r"\(aws\.accessKeyId\)|"
                                # AWS SDK for Java 1.x EnvironmentVariableCredentialsProvider: thrown when either
                                # variable is empty, so the chain's listing prints it for an environment that sets none.
                                r"Unable to load AWS credentials from environment variables \((?:[^()]|\([^()]*\))*\)")
# aws-sdk-go words its refusal "only loopback hosts are allowed.", aws-sdk-go-v2 that way (resolve_credentials.go) or
# "only host resolving to loopback addresses are allowed" (local.go).
_LOOPBACK_RE = re.compile(r"only loopback hosts are allowed|only host resolving to loopback addresses are allowed|"
                          r"unsupported host,? 169\.254\.170\.23|invalid host.{0,80}169\.254\.170\.23")
# The other SDKs name the host they refuse. botocore's ContainerMetadataFetcher: "Unsupported host '…'.  Can only
# retrieve metadata from these hosts: …" (later "from a loopback address or one of these hosts"); the JavaScript v3
# SDK's fromContainerMetadata (@smithy/credential-provider-imds): "… is not a valid container metadata service
# hostname"; the Java SDK: "The full URI (…) contained within environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI
# has an invalid host." — 1.x spells it "withing".
_POD_IDENTITY_HOST = r"(?:169\.254\.170\.23|\[?fd00:ec2::23\]?)"
_BOTOCORE_REFUSAL_RE = re.compile(rf"Unsupported host '{_POD_IDENTITY_HOST}'\.\s+Can only retrieve metadata from")
_JS_REFUSAL_RE = re.compile(rf"{_POD_IDENTITY_HOST} is not a valid container metadata service hostname")
_JAVA_REFUSAL_RE = re.compile(rf"full URI \(https?://{_POD_IDENTITY_HOST}[^)\s]*\) contained (within|withing) "
                              r"environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host")
_REFUSAL_RE = re.compile("|".join(r.pattern for r in (_LOOPBACK_RE, _BOTOCORE_REFUSAL_RE, _JS_REFUSAL_RE,
                                                       _JAVA_REFUSAL_RE)))
_SINCE_POD_IDENTITY = "a release from after EKS Pod Identity's launch (November 2023)"
# "communicating with IMDS": the Rust SDK's ImdsError (aws-config src/imds/client/error.rs).
_IMDS_RE = re.compile(r"169\.254\.169\.254|ec2imds|EC2 IMDS|EC2MetadataError|EC2RoleRequestError|fd00:ec2::254|"
                      r"instance metadata|communicating with IMDS", re.I)
_NET_FAIL_RE = re.compile(r"i/o timeout|connection refused|no route to host|network is unreachable|context deadline "
                          r"exceeded|Client\.Timeout exceeded|Connect timeout on endpoint|Read timeout on endpoint|"
                          r"Could not connect to the endpoint|timed out|connection reset|"
                          # aws-smithy-runtime's MaybeTimeoutError ("HTTP read timeout occurred after …")
                          r"HTTP (?:read|connect) timeout", re.I)
_REFUSED_RE = re.compile(r"connection refused|no route to host|network is unreachable", re.I)
# aws-sdk-go v1.55 aws/ec2metadata/service.go unmarshalError: EC2MetadataError "failed to make EC2Metadata request" is
# only ever made from an error *answer* of instance metadata (its body — IMDS's XHTML error page — and status follow);
# a request that got no answer fails as "RequestError: send request failed" instead. So IMDS is there and answered:
# for the role path that is the 404 of an instance without a role, unless the status shown is another (401: IMDSv2
# required and no token, 403: turned off — read by status_refutes_no_role). Corpus batches 1-6, the 7 texts with
# this message: imds-no-role 4, imds-hop-limit 1 (401), imds-unreachable 1 (403), proxy-misconfigured 1.
_IMDS_ANSWERED = r"EC2MetadataError:?\s+failed\s+to\s+make\s+EC2Metadata\s+request"
_NO_ROLE_RE = re.compile(rf"{_IMDS_ANSWERED}|no EC2 instance role found|no EC2 IMDS role found|EC2 instance profile|"
                         r"security-credentials/?[\"'`]?\)?:? .*?(?:404|Not Found)", re.I)
# ECS serves task metadata on the credentials address too (ECS developer guide, "Task metadata endpoint version 2":
# http://169.254.170.2/v2/metadata and /v2/stats; v3/v4 under /v3/, /v4/): a request there is no credential request.
_TASK_METADATA = r"(?!/v2/(?:metadata|stats)|/v[34]/)"
# Agents ask it only to learn where they run, and run on without it (amazon-cloudwatch-agent ecsutil.go: "I! attempt to
# access ECS task metadata to determine whether I'm running in ECS." … "assuming I'm not running in ECS").
_TASK_METADATA_HOST_RE = re.compile(r"169\.254\.170\.2(?::80)?/(?:v2/(?:metadata|stats)|v[34]/)")
_CONTAINER_RE = re.compile(rf"169\.254\.170\.(?:2|23)\b{_TASK_METADATA}|fd00:ec2::23|CredentialsEndpointError|AWS_CONTAINER_CREDENTIALS|"
                           r"credentials from container-role|container metadata|/credentialprovider/")
# botocore's container provider failing with an answer (not a network error): "Received non 200 response (400)".
_CONTAINER_ANSWER_RE = re.compile(r"credentials from container-role: .{0,200}?(?:non 200 response|Unable to parse)", re.S)
_TLS_RE = re.compile(r"x509: |CERTIFICATE_VERIFY_FAILED|certificate verify failed|tls: failed to verify|SSLError|"
                     r"SSL: WRONG_VERSION_NUMBER|tls: handshake failure|PKIX path building failed|unable to find valid "
                     r"certification path|unable to get local issuer certificate|self[- ]signed certificate in "
                     r"certificate chain|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN")
_TLS_MITM_RE = re.compile(r"unknown authority|self[- ]signed certificate|certificate is valid for|doesn't match|"
                          r"not valid for|unable to get local issuer")
_PROXY_RE = re.compile(r"proxyconnect tcp|ProxyConnectionError|Failed to connect to proxy|Proxy Authentication Required|"
                       r"\b407 Proxy")
_DNS_RE = re.compile(r"no such host|Name or service not known|Temporary failure in name resolution|server misbehaving|"
                     r"nodename nor servname|Could not resolve host|getaddrinfo failed|Name does not resolve|failed to lookup address "
                     r"information|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|UnknownHostException|"
                     # Go's net package: "dial tcp: lookup HOST on RESOLVER: …" is only ever a DNS failure.
                     r"dial tcp: lookup \S+ on ")
_UNREACHABLE_RE = re.compile(r"dial tcp [^\n]*?(?:i/o timeout|connection refused|no route to host|network is "
                             r"unreachable)|Could not connect to the endpoint URL|"
                             # Go's net/http: TCP connected, TLS never completed (a middlebox, a black-holed path)
                             r"net/http:\s+TLS\s+handshake\s+timeout|Connect timeout on endpoint URL|"
                             r"connect: connection timed out|ConnectTimeoutError|EndpointConnectionError|Unable to execute HTTP request: Connect to [^\n]{0,200}?"
                             r"(?:timed out|refused)|connect ETIMEDOUT|connect ECONNREFUSED|Inaccessible host")
_Q = r"[\"'\\]*"
_REGION_WORD_RE = re.compile(r"\b([a-z]{2}-[a-z]+-\d)\b")
# The user's own words that the credentials are temporary ones (the error text itself cannot say).
_SESSION_CUE_RE = re.compile(r"session[ _-]?token|sessionToken|temporary (?:security )?credentials|AWS_SESSION_TOKEN|"
                             r"\bASIA[A-Z0-9]|assumed?[ -]role|STS credentials|security_token|"
                             r"x-amz-security-token|RoleCredentials|InstanceProfileCredentials|"
                             # instance-profile and container credentials are always temporary (ASIA… + token)
                             r"instance[ -]profile credentials|ContainerCredentials", re.I)
# A tool getting a session token calls STS GetSessionToken, which must be signed with the long-term key of an IAM user
# or the root user and no token (STS API reference, GetSessionToken: "must be called by using the long-term AWS
# security credentials"; session credentials are refused with AccessDenied, not an invalid token). Its words ("Getting
# new session token", aws-vault; `aws sts get-session-token`) name the call, not temporary credentials sent: an invalid
# token answered to it is the long-term key AWS does not know.
_GET_SESSION_TOKEN_RE = re.compile(r"GetSessionToken|get-session-token|get(?:ting)?\s+(?:a\s+)?new\s+session\s+token|"
                                   r"get_session_token", re.I)
# A key pair read out of an STS answer's Credentials structure (AssumeRole, AssumeRoleWithWebIdentity,
# GetSessionToken, GetFederationToken: AccessKeyId, SecretAccessKey, SessionToken, Expiration — STS API reference,
# "Credentials" data type) by field: boto3 `creds['AccessKeyId']`, R/paws `credentials$AccessKeyId`, JavaScript
# `data.Credentials.AccessKeyId`, Go v1 `*out.Credentials.AccessKeyId`. These keys are always temporary (ASIA…): used
# without the same answer's SessionToken field, AWS refuses them as an invalid token. IAM's CreateAccessKey answer
# (`AccessKey.AccessKeyId`, a long-term key) and Go v2's aws.Credentials (`AccessKeyID`) are not this shape.
_STS_KEY_FIELD_RE = re.compile(r"(?<!AccessKey)(?<!AccessKey'\])(?<!AccessKey\"\])(?:\$|\.|\[\s*[\"'])AccessKeyId\b")
_STS_SECRET_FIELD_RE = re.compile(r"(?:\$|\.|\[\s*[\"'])SecretAccessKey\b")
_STS_TOKEN_FIELD_RE = re.compile(r"SessionToken|session_token|sessionToken|security_token", re.I)
# The user's words that the credential variables were set, but to empty strings: an SDK that takes the environment
# as its source then signs with an empty key or token, which AWS answers as an unknown key / invalid token.
# A shell assignment is empty when a space follows its `=` (`AWS_ACCESS_KEY_ID= cmd`); a file's `key = value` is
# not, so a space before the `=` needs the line to end after it.
_EMPTY_ENV_RE = re.compile(r"AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)(?:\s*=\s*(?:''|\"\")|=(?=[\s`,;)]|$)|"
                           r"\s*=[ \t]*+(?=[\r\n]|$))|"
                           r"(?:variables?|environment|env vars?|AWS_[A-Z_]+)[^.\n]{0,60}\bempty(?: strings?| values?)?\b",
                           re.I)
# The user's or the log's own words that something between client and AWS touches the request.
_IN_TRANSIT_CUE_RE = re.compile(r"\b(?:envoy|istio|sidecar|service mesh|linkerd|proxy|proxies|api gateway|"
                                r"load balancer|middleware|x-scope-orgid|adds? (?:a |the )?headers?)\b", re.I)
# Signs that the client encoded the request differently from AWS: percent-encoding of a percent sign, reserved
# characters the user says were involved, or the word itself.
_ENCODING_CUE_RE = re.compile(r"%25[0-9A-Fa-f]{2}|(?<![-\w])encod(?:e|ed|es|ing)\b(?!\s*[=:])|escap(?:e|ing)|special characters?|exclamation|asterisk|"
                              r"\bcomma|double[- ]?encod|url-?encod|"
                              # keys S3 lists as needing special handling (object-keys.html): spaces, '+', non-ASCII
                              r"(?:with|containing|contains?|ha(?:s|ve|ving)) (?:a |an )?(?:spaces?|whitespace|plus "
                              r"signs?|\+ signs?)|\bspaces? in (?:the )?(?:key|name|path|file)|non-ascii|unicode|"
                              # S3's own error body echoes the decoded path as <Resource> (S3 API reference, "Error
                              # responses"): a space or '+' there is a key with those characters in the request
                              r"<Resource>[^<\n]*[ +][^<\n]*</Resource>", re.I)
# The user's words that the signing host's clock or time zone was off: a client that builds the signing date from a
# wrong local clock or zone signs another date than AWS reconstructs.
_CLOCK_CUE_RE = re.compile(r"\b(?:clocks?|time ?zones?|ntpd?|chronyd?|time sync(?:hroni[sz]ation)?|system time|"
                           r"date and time)\b", re.I)
_SCOPE_REGION_RE = re.compile(rf"Credential should be scoped to a valid region(?:,? not {_Q}([a-z0-9-]+){_Q})?|the "
                              rf"region {_Q}([a-z0-9-]+){_Q} is wrong;? expecting {_Q}([a-z0-9-]+){_Q}", re.I)
_SCOPE_SERVICE_RE = re.compile(rf"Credential should be scoped to correct service:? {_Q}([a-z0-9-]+){_Q}", re.I)
_PARTIAL_RE = re.compile(r"Partial credentials found in env, missing: (\w+)|EnvAccessKeyNotFound: failed to find "
                         r"credentials in the environment|AWS_SECRET_ACCESS_KEY not found in environment|"
                         r"AWS_ACCESS_KEY_ID not found in environment|EnvSecretNotFound")
# aws-sdk-go v1.55 aws/session/credentials.go resolveCredsFromProfile: the chain it builds when AWS_PROFILE's profile
# holds no credentials starts with `SharedCredsLoad: failed to load profile, <AWS_PROFILE>.` (empty when unset).
_PROFILE_NOT_LOADED_RE = re.compile(r"SharedCredsLoad: failed to load profile, ([^\s.,]+)\.")
_PARTIAL_FILE_RE = re.compile(r"Partial credentials found in (shared-credentials-file|config-file|"
                              r"ec2-credentials-file|boto-config), missing: (\w+)")
# @aws-sdk/credential-provider-ini (and the web identity provider): a profile that assumes a role, read by code that
# gave fromIni no STS client.
_NO_ASSUMER_RE = re.compile(r"no role assumption callback was provided", re.I)
_WEB_IDENTITY_CTX_RE = re.compile(r"AssumeRoleWithWebIdentity|WebIdentityErr|web identity", re.I)
# A more specific reason the chain came up empty; `no-credentials` would only repeat it.
_CHAIN_CAUSES = frozenset({
    "imds-no-role", "imds-hop-limit", "imds-unreachable", "web-identity-token-unreadable", "web-identity-rejected",
    "role-trust-denied", "env-credentials-incomplete", "sdk-unsupported-credential-source",
    "container-credentials-failed", "credentials-expired", "access-key-invalid", "session-token-missing",
})
_NETWORK_CAUSES = frozenset({"endpoint-unreachable", "dns-resolution-failed", "tls-untrusted", "proxy-misconfigured"})
_SETTLE = "run `sigdoctor run --only credentials` on the agent's host (or in its pod, with --pid) to settle it"


# IncompleteSignature lists each SigV4 parameter the header lacks, Credential first (STS CommonErrors; the echo
# "Authorization=…" after it is the header AWS received). A header that has its Credential but neither SignedHeaders
# nor Signature was cut right after the credential: a line end inside it, which only a key id with a trailing newline
# puts there (the scope follows the key id in the same parameter). A header of another scheme lacks all three.
_REQUIRES_RE = {p: re.compile(rf"Authorization\s+header\s+requires\W+{p}\W+parameter", re.I)
                for p in ("Credential", "Signature", "SignedHeaders")}
# The echo of a header cut at the key id: "Authorization=AWS4-HMAC-SHA256 Credential=AKIA…" with no '/' scope after it.
_ECHO_SCOPED_RE = re.compile(r"Authorization=AWS4-HMAC-SHA256\s+Credential=[^/\s,\"']+/")
_ECHO_CUT_RE = re.compile(r"Authorization=AWS4-HMAC-SHA256\s+Credential=[^/\s,\"']*(?:[\"']|\s*$)", re.M)


def _cut_at_key(t: str) -> bool:
    """True when AWS's IncompleteSignature shows a SigV4 header that ends after the access key id."""
    if _REQUIRES_RE["Credential"].search(t) or _ECHO_SCOPED_RE.search(t):
        return False  # no SigV4 header at all, or one cut later (inside the scope: a region with a line end)
    return bool(_REQUIRES_RE["Signature"].search(t) and _REQUIRES_RE["SignedHeaders"].search(t)) or bool(
        _ECHO_CUT_RE.search(t))


def _hints(e: AwsError) -> str:
    """The record and the lines before it, both unquoted: where the user's own words (cues) are read."""
    return f"{unescape(e.context)}\n{e.flat}" if e.context else e.flat


def _fmt_skew(seconds: float) -> str:
    s = abs(int(seconds))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    if s >= 60:
        return f"{s // 60} min {s % 60} s"
    return f"{s} s"


def _skew_hit(skew_s: float, how: str, *, force_error: bool = False) -> Hit | None:
    """A clock-skew hit for a measured offset (positive: the client's clock is behind)."""
    if abs(skew_s) < SKEW_WARN_S and not force_error:
        return None
    direction = "behind" if skew_s > 0 else "ahead of"
    status = Status.FAIL if abs(skew_s) >= SKEW_ERROR_S or force_error else Status.WARN
    return Hit(
        "clock-skew", status,
        f"The signing clock is {_fmt_skew(skew_s)} {direction} AWS's ({how})",
        [f"Fix the time on the agent's host: it is {_fmt_skew(skew_s)} {direction} true time "
         "(chronyd/ntpd; on EC2 use the Amazon Time Sync Service 169.254.169.123)",
         "Then measure it: `sigdoctor run --only clock` on the agent's host"],
        {"skew_seconds": int(skew_s)},
    )


def _clock_hits(e: AwsError, found: Match) -> list[Hit]:
    t = e.flat
    # S3's and STS's messages for these codes say the same without the code (Mountpoint, minio-go print only them).
    said = {x.code for x in found.of("clock")}
    hits: list[Hit] = []
    for m in (_EXPIRED_RE.search(t), _NOT_YET_RE.search(t)):  # "Signature expired" and "not yet current" alike
        if m is None:
            continue
        signed, server = parse_amz_date(m.group(1)), parse_amz_date(m.group(3))
        if signed and server:
            h = _skew_hit((server - signed).total_seconds(),
                          f"signed at {m.group(1)}, AWS's time {m.group(3)}", force_error=True)
            if h:
                hits.append(h)
    words = _EXPIRED_WORDS_RE.search(t)
    if words and not hits:
        late = words.group(1) == "expired"
        hits.append(Hit("clock-skew", Status.FAIL,
                        f"AWS says the signature {'expired' if late else 'is not yet current'}: the request's "
                        f"X-Amz-Date is {'behind' if late else 'ahead of'} AWS's time by more than its window (the "
                        "dates AWS quotes are cut from the text)",
                        ["Fix the time on the agent's host (chronyd/ntpd; on EC2 the Amazon Time Sync Service)",
                         "Measure the offset: `sigdoctor run --only clock` on the agent's host; if the clock is "
                         "right, the request was signed once and sent (or retried) long after"]))
    if "RequestTimeTooSkewed" in t or "RequestTimeTooSkewed" in said:
        if e.s3_times:
            rt, st = e.s3_times
            h = _skew_hit((st - rt).total_seconds(), "S3 RequestTimeTooSkewed: request time vs server time",
                          force_error=True)
        else:
            h = Hit("clock-skew", Status.FAIL,
                    "AWS rejected the request time as too far from its own (RequestTimeTooSkewed, more than 15 min)",
                    ["Fix the time on the agent's host (chronyd/ntpd; on EC2 the Amazon Time Sync Service)",
                     "Measure the offset: `sigdoctor run --only clock` on the agent's host"])
        if h:
            hits.append(h)
    if ("RequestExpired" in t or "RequestExpired" in said) and not hits:
        hits.append(Hit("clock-skew", Status.FAIL,
                        "AWS says the request expired (RequestExpired): the signing time is too far in the past",
                        ["Fix the time on the agent's host; `sigdoctor run --only clock` measures it"]))
    return hits


def _signing_date(e: AwsError, sts: StringToSign | None) -> datetime | None:
    if sts:
        return parse_amz_date(sts.amz_date)
    if e.server_canonical and e.server_canonical.header("x-amz-date"):
        return parse_amz_date(e.server_canonical.header("x-amz-date") or "")
    return None


def _scope_hits(e: AwsError, scope: tuple[str, str] | None, host: str | None) -> list[Hit]:
    """Region and signing name of the credential scope against what the endpoint host implies."""
    if scope is None:
        return []
    region, service = scope
    hits: list[Hit] = []
    ep = endpoint_from_host(host) if host else None
    if ep and ep.region and region != ep.region:
        hits.append(Hit(
            "region-mismatch", Status.FAIL,
            f"The request was signed for region '{region}' but sent to {ep.host} (region '{ep.region}')",
            [f"Set the agent's signing region to {ep.region} (Prometheus/Agent `sigv4: region: {ep.region}`, "
             f"OTel `sigv4auth: region: {ep.region}`), or send to the endpoint of {region}"],
            {"signed_region": region, "endpoint_region": ep.region},
        ))
    expected = ep.service if ep and ep.service else expected_signing_name(service)
    if expected and service != expected:
        hits.append(Hit(
            "service-name-mismatch", Status.FAIL,
            f"The request was signed for service '{service}' but {ep.host if ep else 'the endpoint'} expects "
            f"signing name '{expected}'",
            [f"Sign with service name '{expected}' (OTel `sigv4auth: service: {expected}`; Prometheus and "
             f"Grafana Agent derive it from the URL — check the remote_write URL and any `service` override)"],
            {"signed_service": service, "expected_service": expected},
        ))
    return hits


def _signature_hits(e: AwsError, now_hint: datetime | None) -> tuple[list[Hit], list[Difference] | None, str]:
    sc, cc = e.server_canonical, e.client_canonical
    sts = e.server_sts or e.client_sts
    hits: list[Hit] = []
    host = (sc.host if sc else None) or e.host
    scope: tuple[str, str] | None = None
    if sts:
        scope = (sts.region, sts.service)
    elif e.auth_scope:
        scope = (e.auth_scope[1], e.auth_scope[2])
    hits += _scope_hits(e, scope, host)
    signed_at = _signing_date(e, sts)
    if signed_at and e.response_date:
        h = _skew_hit((e.response_date - signed_at).total_seconds(), "request's X-Amz-Date vs the response's Date")
        if h:
            hits.append(h)
    elif signed_at and e.logged_at:
        h = _skew_hit((e.logged_at - signed_at).total_seconds(),
                      "request's X-Amz-Date vs the log line's own timestamp")
        if h:
            # Both times come from the agent's side, so this hints rather than proves: at most a warning.
            h.status = Status.WARN
            h.message += "; if the log clock is right, the request was signed long before it was sent"
            hits.append(h)
    del now_hint
    oddities: list[str] = []
    if sc:
        if sc.host.endswith(":443") or sc.host.endswith(":80"):
            oddities.append(f"AWS saw Host '{sc.host}' with a default port: a client that signs the host without the "
                            "port (or with it) while the wire carries the other differs in the canonical request")
        if "content-length" in sc.signed_headers:
            oddities.append("content-length is signed: a proxy that re-chunks or re-compresses the body changes it")
        if "x-amz-security-token" in dict(sc.headers) and "x-amz-security-token" not in sc.signed_headers:
            oddities.append("the session token header is sent but not signed (fine for most services)")
        key = e.access_key_id or ""
        if key.startswith("ASIA") and "x-amz-security-token" not in dict(sc.headers):
            hits.append(Hit("session-token-missing", Status.FAIL,
                            f"Temporary key {mask_key_id(key)} was used without an X-Amz-Security-Token header",
                            ["Give the agent the session token with the key (AWS_SESSION_TOKEN), or let it use the "
                             "role source directly (IRSA, Pod Identity, instance profile)"]))
    diffs: list[Difference] | None = None
    diff_text = ""
    # A clock hint does not explain a signature mismatch (AWS answers a stale date with "Signature expired").
    explained = any(h.cause != "clock-skew" for h in hits)
    if sc and cc:
        diffs = diff_canonical(sc, cc)
        diff_text = unified_diff(sc, cc, diffs)
        modified = [d for d in diffs if d.kind == MODIFIED]
        if modified:
            parts = ", ".join(d.component for d in modified)
            hits.append(Hit("request-modified-after-signing", Status.FAIL,
                            f"The request AWS received differs from the one the client signed: {parts}",
                            [f"Find what rewrites {parts} between the agent and AWS (forward proxy, service mesh "
                             "sidecar, API gateway, load balancer) and exempt AWS traffic from it (NO_PROXY, mesh "
                             "egress rule), or sign after that hop", *oddities],
                            {"differences": [d.as_evidence() for d in modified]}))
        elif diffs:
            parts = ", ".join(d.component for d in diffs)
            hits.append(Hit("canonicalization-mismatch", Status.FAIL,
                            f"Same request, canonicalised differently by the client: {parts}",
                            ["Upgrade the agent's AWS SDK / signer: it encodes "
                             f"{parts} differently from AWS (SigV4 rules: URI-encode each path segment once, "
                             "sort query parameters, trim header whitespace)", *oddities],
                            {"differences": [d.as_evidence() for d in diffs]}))
        elif not explained:
            hits.append(Hit("secret-key-mismatch", Status.FAIL,
                            "AWS computed the same canonical request as the client, yet the signature differs: "
                            "the secret key does not belong to the access key",
                            ["Re-issue or re-copy the secret access key that pairs with the access key id (look "
                             "for a truncated value, a trailing newline or a key from another user)", *oddities]))
    elif not explained:
        hits += _undecided_signature(e, sc, oddities)
    return hits, diffs, diff_text


# Headers SDKs sign on their own; anything else signed was added by the application, a library or a hop.
# The path of AWS's canonical request, even from a message cut short after it (or pasted without its quotes).
_AWS_PATH_RE = re.compile(r"(?:<CanonicalRequest>|should have been\s*'?)\s*[A-Z]+\s+(/\S*)")
# A character AWS percent-encodes in a path that clients often leave as it is (or encode twice: %25).
_RESERVED_ENCODED_RE = re.compile(r"%(?:25|2[1-9A-C]|3[ABD]|40|5B|5D)", re.I)
_USUAL_SIGNED = frozenset({"host", "content-type", "content-length", "content-encoding", "content-md5", "accept",
                           "accept-encoding", "user-agent", "range", "expect", "transfer-encoding"})
# A presigned URL's signed headers: host and the x-amz-* headers the URL's user is told to send (S3 "Authenticating
# Requests: Using Query Parameters (AWS Signature Version 4)"); any other one must be sent, byte for byte, by
# whoever opens the URL — a browser, curl or a download library does not, so AWS computes another request.
_PRESIGNED_HEADERS_RE = re.compile(r"X-Amz-SignedHeaders=([A-Za-z0-9%;._-]+)", re.I)
# CloudFront adds X-Amz-Cf-Id to every request it forwards to its origin (CloudFront developer guide, "Request and
# response behavior for Amazon S3 origins"): in the string AWS signed (SigV2 signs every x-amz-* header present),
# it shows a hop that changed the request after the client signed it. In a response's headers it means nothing.
_CF_ID_SIGNED_RE = re.compile(r"<StringToSign>[^<]*?x-amz-cf-id:", re.I)
# The session token as AWS's canonical request or a presigned URL carries it: the request was signed with temporary
# credentials.
_TOKEN_SENT_RE = re.compile(r"x-amz-security-token[:=]", re.I)


def _undecided_signature(e: AwsError, sc: Any, oddities: list[str]) -> list[Hit]:
    """SignatureDoesNotMatch without the client's canonical request: the three readings, ranked by what the text
    itself hints at — the user's words, and oddities of AWS's canonical request."""
    t = e.flat
    unusual = sorted(h for h in (sc.signed_headers if sc else ()) if h not in _USUAL_SIGNED
                     and not h.startswith("x-amz-"))
    empty = sorted(h for h, v in (sc.headers if sc else ()) if h in (sc.signed_headers if sc else ()) and not v.strip())
    hints = f"{e.context}\n{t}"
    path = _AWS_PATH_RE.search(t)
    encoded = bool(_ENCODING_CUE_RE.search(hints)) or bool(sc and "%25" in f"{sc.path}{sc.query}") or bool(
        path and _RESERVED_ENCODED_RE.search(path.group(1)))
    transit = bool(_IN_TRANSIT_CUE_RE.search(hints)) or bool(unusual)
    presigned = _PRESIGNED_HEADERS_RE.search(hints)  # the URL is often printed just above the error
    presigned_extra = sorted({h for h in unquote(presigned.group(1)).lower().split(";")
                              if h and h != "host" and not h.startswith("x-amz-")}) if presigned else []
    via_cloudfront = bool(_CF_ID_SIGNED_RE.search(t))
    temporary = bool(sc and "x-amz-security-token" in dict(sc.headers)) or (e.access_key_id or "").startswith(
        "ASIA") or bool(_TOKEN_SENT_RE.search(t))
    basis = ("AWS's canonical request looks well-formed" if sc else "AWS did not include its canonical request")
    settle = ("Settle it: pass the client's canonical request with --client FILE (aws-sdk-go LogLevel "
              "LogDebugWithSigning, aws-sdk-go-v2 ClientLogMode LogSigning, `aws --debug`), or run `sigdoctor run "
              "--only signature --target URL` where the agent runs")
    secret = ("secret-key-mismatch",
              f"SignatureDoesNotMatch: {basis}; without the client's canonical request decode cannot tell a wrong "
              "secret key from a request changed in transit or encoded differently",
              ["Check the secret key pairs with the access key id (truncated value, trailing newline)", settle])
    extra_why = (f" (AWS's canonical request signs {', '.join(unusual)}, which SDKs do not add themselves)"
                 if unusual else "") + (f"; signed with an empty value: {', '.join(empty)}" if empty else "") + (
        ": AWS's string to sign holds x-amz-cf-id, the header CloudFront adds to the requests it forwards"
        if via_cloudfront else "")
    modified = ("request-modified-after-signing",
                "A proxy, sidecar or middleware changed a signed part of the request after signing" + extra_why,
                ["Look for a forward proxy, mesh sidecar or gateway between the agent and AWS, or a header added "
                 "after signing (X-Scope-OrgID, tracing headers)", settle])
    canon = ("canonicalization-mismatch",
             "The client encodes the path, query or a header differently from AWS (reserved characters, double "
             "encoding)", ["Upgrade the signer, or avoid the characters it encodes differently", settle])
    if presigned_extra:
        canon = ("canonicalization-mismatch",
                 f"The presigned URL signs {', '.join(presigned_extra)} besides host: whoever opens the URL must send "
                 "that header with the same value, and a browser, curl or download library does not",
                 ["Presign with host (and the x-amz-* headers the URL's user will send) as the only signed headers: "
                  "upgrade the SDK, or drop the extra header from the presign request", settle])
    # With no clue, the readings go by how often each was the cause behind a bare mismatch in corpus batches 1-5
    # (tests/corpus; the 40 texts that got this order before the ranking was counted): a wrong secret 13,
    # canonicalization 12, a request changed on the way 5, a clock 1 (AWS's "Signature expired" cut short, now read
    # as such), and 10 that were no AWS verdict (non-AWS stores, library bugs) — which no reading here can name.
    order = [secret, canon, modified]
    if presigned_extra:
        order = [canon, modified, secret]
    elif via_cloudfront:
        order = [modified, secret, canon]
    elif encoded:
        order = [canon, secret, modified]
    elif transit:
        order = [modified, secret, canon]
    elif temporary:
        order = [modified, canon, secret]
    if temporary and order[0] is not secret:
        # Temporary credentials reach the agent as one set from STS (role, IRSA, instance profile), so their secret
        # rarely belongs to another key: a wrong secret is the last reading, not the first.
        order.remove(secret)
        order.append((secret[0], secret[1] + " — the least likely here: the request carries a session token, so its "
                      "key came from STS with the secret that belongs to it", secret[2]))
    if _CLOCK_CUE_RE.search(hints):
        order.insert(0, ("clock-skew", "The text speaks of the clock or time zone: a client that signs with a wrong "
                         "local time (or zone) produces another signature than AWS computes",
                         ["Set the host's clock and time zone right (NTP / automatic time) and retry",
                          "Measure it: `sigdoctor run --only clock` on the signing host"]))
    out = []
    for i, (cause, message, fix) in enumerate(order):
        # The others keep this order in the report (causes.py ranks a candidate by its rank, not the catalog's).
        out.append(Hit(cause, Status.FAIL if i == 0 else Status.WARN, ("Or: " if i else "") + message,
                       [*fix, *(oddities if i == 0 else [])], {"candidate_rank": i} if i else {}))
    out[0].extra["candidates"] = [{"cause": c, "why": m} for c, m, _ in order]
    return out


# A denial STS itself answers (the service the SDK names is STS): of the 39 texts of corpus batches 1-5 whose
# denial names STS, 38 were a role's trust policy (or the caller's sts:AssumeRole permission) refusing the assume
# step, one an SDK too old for the source it was given. STS has nothing else to deny to a caller whose credentials
# it accepted: GetCallerIdentity needs no permission (STS API reference "GetCallerIdentity").
# aws-iam-authenticator's token step (pkg/token/token.go GetWithOptions, v0.6: "could not get token: %v" in
# cmd/aws-iam-authenticator/token.go) only presigns GetCallerIdentity, which calls nothing; the one AWS call it makes
# that can be denied is the AssumeRole of its --role / the profile's role_arn.
_STS_DENIED_RE = re.compile(r"Service:\s*AWSSecurityTokenService|securitytoken\.model\.|operation\s+error\s+STS:\s*AssumeRole|"
                            r"when\s+calling\s+the\s+AssumeRole(?:WithWebIdentity|WithSAML)?\s+operation|Aws::STS::Errors::"
                            r"AccessDenied|STSClient[^\n]{0,80}AssumeRole|could\s+not\s+get\s+token:\s*AccessDenied\b")


# The SDK names the STS call that failed, AssumeRoleWithWebIdentity, but its answer is cut from the text: the SDK makes
# that call only once it has read the token file, so the token is readable and the chain is not empty; STS (or the
# way to it) refused. Of the 25 texts of corpus batches 1-5 where AssumeRoleWithWebIdentity failed, 18 were the
# role's trust policy (the service account's sub / aud conditions), 6 STS rejecting the token itself (no OIDC
# provider, audience, expiry), 1 an unreadable token file: the readings are ranked in that order.
_STS_WI_CALL_RE = re.compile(r"operation\s+error\s+STS:\s*AssumeRoleWithWebIdentity|when\s+calling\s+the\s+"
                             r"AssumeRoleWithWebIdentity\s+operation|AssumeRoleWithWebIdentityCommand")
# The call ran out of time rather than being answered (Go v2: "request canceled, context deadline exceeded", or its
# retry quota spent on failed attempts): there is no answer of STS's to be cut, checks/errors/agents8.toml reads it.
_STS_WI_TIMED_OUT_RE = re.compile(r"context\s+deadline\s+exceeded|retry\s+quota\s+exceeded")


def _web_identity_call_hits() -> list[Hit]:
    return _two_readings(
        "sigdoctor run --only credentials --only identity in the agent's pod (it makes the same STS call)",
        ("role-trust-denied", "the role's trust policy does not admit the service account (its Federated OIDC "
         "provider, or the `sub` / `aud` conditions name another namespace or service account)",
         ["Check the role's trust policy against the pod's service account: `aws iam get-role --role-name ROLE "
          "--query Role.AssumeRolePolicyDocument`"]),
        ("web-identity-rejected", "STS does not accept the token itself (no IAM OIDC provider for the cluster's "
         "issuer, another audience than sts.amazonaws.com, an expired token)",
         ["`aws iam list-open-id-connect-providers` must list the cluster's OIDC issuer"]),
        lead="The SDK read the web identity token and called STS AssumeRoleWithWebIdentity, which failed; the text "
             "is cut before STS's answer. Most likely: ", second_rank=False)


def _two_readings(decide: str, first: tuple[str, str, list[str]], second: tuple[str, str, list[str]], *, lead: str,
                  or_: str = "Or: ", second_rank: bool = True) -> list[Hit]:
    """Two readings the text cannot decide between: the likelier as the error, with both as its candidates and the
    command that settles it, the other as a warning."""
    hit = Hit(first[0], Status.FAIL, lead + first[1], [*first[2], f"Settle it: `{decide}`"])
    hit.extra["candidates"] = [{"cause": c, "why": why, "decide": decide} for c, why, _ in (first, second)]
    return [hit, Hit(second[0], Status.WARN, or_ + second[1], [*second[2], f"Settle it: `{decide}`"],
                     {"candidate_rank": 1} if second_rank else {})]


def _denied_hits(e: AwsError, found: Match) -> list[Hit]:
    t = e.flat
    action_m = _ACTION_RE.search(t)
    action = action_m.group(1) if action_m else None
    res_m = _RESOURCE_RE.search(t)
    resource = res_m.group(1).strip('"') if res_m else None
    who_m = _PRINCIPAL_RE.search(t)
    principal = who_m.group(1) if who_m else None
    explicit = _EXPLICIT_RE.search(t)
    extra = {k: v for k, v in (("action", action), ("resource", resource), ("principal", principal)) if v}
    what = f"{action or 'the action'}" + (f" on {resource}" if resource else "")
    who = principal or "the caller"
    if (action and action.lower().startswith(_TRUST_ACTIONS)) or (
            action is None and "AssumeRoleWithWebIdentity" in t and "Not authorized" in t) or (
            action is None and _STS_DENIED_RE.search(t)):
        act = action or "sts:AssumeRoleWithWebIdentity"
        return [Hit("role-trust-denied", Status.FAIL,
                    f"{act} was denied: the role's trust policy does not admit {who}",
                    ["Add the caller to the role's trust policy (for IRSA: the cluster's OIDC provider as Federated "
                     "principal, and conditions `<issuer>:sub = system:serviceaccount:<ns>:<sa>` and `<issuer>:aud "
                     "= sts.amazonaws.com`)", "Check the role ARN the agent assumes is the intended one"],
                    {**extra, "action": act})]
    if explicit:
        where = explicit.group(1) or "a policy"
        return [Hit("explicit-deny", Status.FAIL, f"{who} is explicitly denied {what} ({where})",
                    [f"Find the Deny statement for {action or 'the action'} in {where} (identity policy, "
                     "permissions boundary, SCP or resource policy) and narrow it; an Allow cannot override it"],
                    {**extra, "policy_type": where})]
    if action is None and not found.has("denied"):
        return []
    fix = [f"Allow {action} on {resource or 'the target resource'} in a policy attached to {who}"] if action else [
        "The error names no action: check the policy for the target (aps:RemoteWrite for AMP, logs:PutLogEvents "
        "for CloudWatch Logs, s3:PutObject for S3)"]
    if action == "aps:RemoteWrite":
        fix.append("The managed policy AmazonPrometheusRemoteWriteAccess grants exactly this")
    fix.append("Confirm with `sigdoctor run --only permissions` (iam:SimulatePrincipalPolicy)")
    return [Hit("permission-missing", Status.FAIL, f"{who} is not allowed {what} (no policy allows it)", fix, extra)]


# The caller AWS names is an EC2 instance's role session (`assumed-role/ROLE/i-…`: EC2 names the session of an
# instance profile's role after the instance id — IAM user guide, "IAM roles for Amazon EC2"), while the text shows
# the pod was given its own role (IRSA's eks.amazonaws.com/role-arn, AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE, EKS
# Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI): the SDK skipped the pod's source and fell back to the node's
# instance metadata — an SDK release that predates that source, or a container the webhook never gave its variables
# (EKS user guide, "Use IRSA with the AWS SDK": supported SDK versions; "the pod uses the node's role").
_NODE_SESSION_RE = re.compile(r"assumed-role/[\w+=,.@-]+/i-[0-9a-f]{8,17}\b")
_POD_ROLE_RE = re.compile(r"\bIRSA\b|eks\.amazonaws\.com/role-arn|\bAWS_ROLE_ARN\b|\bAWS_WEB_IDENTITY_TOKEN_FILE\b|"
                          r"\bAWS_CONTAINER_CREDENTIALS_FULL_URI\b|pod[ -]identity", re.I)


def _node_role_first(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A denial of the node's instance role where the pod has its own: the SDK that fell back reads first, the
    missing permission (and any other error reading) stays behind it as a ranked warning."""
    first = next((h for h in hits if h.status == Status.FAIL), None)
    who = _PRINCIPAL_RE.search(e.flat) if first is not None and first.cause == "permission-missing" else None
    if who is None or not _NODE_SESSION_RE.search(who.group(1)) or not _POD_ROLE_RE.search(_hints(e)):
        return hits
    decide = ("`kubectl exec POD -c CONTAINER -- env | grep ^AWS_` — AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (or "
              "AWS_CONTAINER_CREDENTIALS_FULL_URI) set there means the SDK ignores them and is too old; unset, the pod "
              "was started before its service account was annotated (restart it); then `sigdoctor run --only "
              "credentials --pid PID`")
    out = [Hit("sdk-unsupported-credential-source", Status.FAIL,
               f"AWS saw the node's instance role ({who.group(1)}) although the pod is given its own role (IRSA / "
               "Pod Identity): the agent's SDK did not use the pod's credential source and fell back to instance "
               "metadata", ["Upgrade the agent to a release whose AWS SDK supports the pod's source (web identity "
                            "for IRSA, the container endpoint for Pod Identity)", f"Settle it: {decide}"])]
    return behind(out[0], hits, reword=("permission-missing", "Or the node's instance role is meant to hold it"))


def _imds_hits(e: AwsError, *, connect_failed: bool = False) -> list[Hit]:
    t = e.flat
    token_step = "/latest/api/token" in t or "GetToken" in t or "IMDSv2 token" in t
    # The hop limit drops IMDSv2's token *answer* (the IP TTL of the PUT response): the TCP connection itself is
    # made, so a connection refused, unroutable or timed out while connecting is no hop limit (AWS EC2 user guide,
    # "Configure the instance metadata options": PUT response hop limit).
    if connect_failed and not _REFUSED_RE.search(t):
        return [Hit("imds-unreachable", Status.FAIL,
                    "No TCP connection to the instance metadata service (169.254.169.254) could be opened: not on "
                    "EC2, IMDS disabled, or a network policy / firewall blocks it",
                    ["On EC2, check IMDS is enabled (`aws ec2 describe-instances --query "
                     "'Reservations[].Instances[].MetadataOptions'`) and that no network policy or iptables rule "
                     "drops 169.254.169.254; elsewhere configure another credential source", _SETTLE]),
                Hit("imds-hop-limit", Status.WARN,
                    "Or, in a container, the IMDSv2 hop limit of 1 — only if the timeout was on the token's answer, "
                    "not on the connection (the hop limit lets the connection through)",
                    ["`aws ec2 modify-instance-metadata-options --instance-id i-… --http-put-response-hop-limit 2`; "
                     f"settle it first: {_SETTLE}"], {"candidate_rank": 1})]
    if _REFUSED_RE.search(t):
        return [Hit("imds-unreachable", Status.FAIL,
                    "The instance metadata service (169.254.169.254) refused or has no route: not on EC2, or IMDS "
                    "is disabled", ["On EC2, enable IMDS (`aws ec2 modify-instance-metadata-options "
                                    "--http-endpoint enabled`); elsewhere configure another credential source"])]
    if _IMDS_GET_TIMEOUT_RE.search(t):
        # A plain metadata GET that got no answer: the hop limit bounds only the token PUT's answer, and the Go SDK
        # v1 falls back to such token-less GETs when its token request times out (aws-sdk-go v1.55
        # aws/ec2metadata/token_provider.go fetchTokenHandler: a RequestError disables the token provider), so a
        # hop limit ends in an answer (or a 401 where IMDSv2 is required), never in this GET timing out.
        return [Hit("imds-unreachable", Status.FAIL,
                    "The instance metadata service did not answer a plain GET within the client's timeout: a hop "
                    "limit would have let that answer through, so nothing answers at 169.254.169.254 from here "
                    "(not on EC2 — Fargate, another cloud —, IMDS turned off, or a network policy dropping it)",
                    ["On EC2, check IMDS is enabled (`aws ec2 describe-instances --query "
                     "'Reservations[].Instances[].MetadataOptions'`) and that no network policy or iptables rule "
                     "drops 169.254.169.254; elsewhere (EKS Fargate, ECS, off AWS) give the agent its credential "
                     "source or its settings (region, VPC id) explicitly", _SETTLE]),
                Hit("imds-hop-limit", Status.WARN,
                    "Or, in a container, the IMDSv2 hop limit of 1 — only if the client's token request failed first "
                    "and its time ran out on that",
                    ["`aws ec2 modify-instance-metadata-options --instance-id i-… --http-put-response-hop-limit 2`; "
                     f"settle it first: {_SETTLE}"], {"candidate_rank": 1})]
    settle = f"Text alone cannot tell a hop limit from an unreachable IMDS: {_SETTLE}"
    hop = Hit("imds-hop-limit", Status.FAIL,
              "The instance metadata service timed out" + (" on the IMDSv2 token request" if token_step else "")
              + ": from a container this is the IMDSv2 hop limit of 1", [
                  "Raise the hop limit: `aws ec2 modify-instance-metadata-options --instance-id i-… "
                  "--http-put-response-hop-limit 2`, or give the pod its own role (IRSA / Pod Identity)", settle])
    # The other reading of the same timeout: a rival, not a consequence, so it is ranked, never folded away.
    unreachable = Hit("imds-unreachable", Status.FAIL,
                      "Or no instance metadata service answers at all (not on EC2, blocked by a network policy)",
                      [settle], {"candidate_rank": 1})
    return [hop, unreachable]


# The SDKs' default chains end at instance metadata (aws-sdk-php 3.x src/Credentials/CredentialProvider.php
# defaultProvider: env, web identity, SSO, process, ini, ECS, then instanceProfile; aws-sdk-go-v2 config
# resolve_credentials.go: env, shared files, web identity, container, then ec2rolecreds; botocore 1.44 credentials.py
# create_credential_resolver: … container-role, iam-role last): a chain-end message that quotes instance metadata's
# failure says that every source before it was empty. On EC2 that failure is the cause; off EC2 (a laptop, CI, a
# container with no role source given) instance metadata was never going to answer and the cause is that nothing was
# configured. Over batches 1-7, of the 18 chain-end texts with an instance-metadata failure the threads give
# no-credentials 8, imds-unreachable 5, imds-hop-limit 3: the second reading, never the hop-limit alternative
# (0 of the 12 led by imds-unreachable).
def _chain_end_reading() -> Hit:
    return Hit("no-credentials", Status.WARN,
               "Or nothing was configured at all: instance metadata is the last source of the SDK's default chain, "
               "so its failure is what the chain reports when no earlier source (environment, profile, web "
               "identity, container endpoint) gave credentials — off EC2 that is the cause, not the metadata service",
               [f"Off EC2, configure a credential source for the agent (environment, profile, IRSA / Pod Identity); "
                f"{_SETTLE}"], {"candidate_rank": 1})


# The IMDSv2 token PUT refused with 403 (aws-sdk-go v1.55 aws/ec2metadata/token_provider.go: "failed to get session
# token, falling back to IMDSv1: <status>"; aws-sdk-go-v2 imds "operation error ec2imds: getToken, … StatusCode:
# 403"): EC2 answers 403 when the metadata endpoint is turned off, or to a token request that carries
# X-Forwarded-For (EC2 user guide, "Instance metadata query errors" and "Use IMDSv2": such PUTs are refused).
# A token PUT alone refused may be a proxy's X-Forwarded-For, and the IMDSv1 fallback may then answer: the metadata
# request after it must have failed too.
# Go's http.Client timing out a GET of instance metadata (not the token PUT): `Get "http://169.254.169.254/latest/
# meta-data/…": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` (go1.19
# src/net/http/client.go; older Go: "net/http: request canceled (Client.Timeout …)"). Only the client's own
# per-request timer: a bare context deadline may have been spent on an earlier token request.
_IMDS_GET_TIMEOUT_RE = re.compile(r"Get\s*\\*[\"']?https?://(?:169\.254\.169\.254|\[fd00:ec2::254\])(?::80)?/latest/"
                                  r"(?:meta-data|dynamic)/[^\s\"'\\]*\\*[\"']?:\s[^\n]{0,80}?Client\.Timeout exceeded")
_IMDS_TOKEN_403_RE = re.compile(r"falling\s+back\s+to\s+IMDSv1:\s*403\b|ec2imds:\s*getToken,[^\n]{0,120}?StatusCode:\s*403\b")
_IMDS_GET_FAILED_RE = re.compile(r"EC2MetadataError|failed\s+to\s+make\s+EC2Metadata\s+request|ec2imds:\s*(?!getToken)Get\w+,")
_IMDS_ADDR_RE = re.compile(r"169\.254\.169\.254|fd00:ec2::254", re.I)
_CONTAINER_ADDR_RE = re.compile(rf"169\.254\.170\.(?:2|23)\b{_TASK_METADATA}|fd00:ec2::23\b", re.I)
# A host (name or address, with or without a port or scheme) a failed connection names — not a source file and
# line of a stack frame (`AmazonHttpClient.java:1163`).
_HOST_RE = re.compile(r"https?://[^\s\"'<>]+|(?<![\w.-])(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                      r"\.[A-Za-z]{2,})(?::\d{2,5})?(?![\w-])")
# A dotted name whose last part has a capital letter is code, not a host: Go's `Client.Timeout exceeded`, Java's and
# .NET's class names (`java.net.SocketTimeoutException`, `System.Net.Http`).
_IDENTIFIER_RE = re.compile(r"(?![a-z]+://)[^/]*\.[a-z]*[A-Z][A-Za-z]*(?::\d+)?$")
_SOURCE_FILE_RE = re.compile(r"\.(?:java|scala|kt|go|py|js|mjs|cjs|ts|rb|cs|rs|cc|cpp|c|h|php|ex|exs|jl)(?::\d+)?$", re.I)
# The user's or the log's words that the network needs a proxy (the variables, the JVM's properties).
# Not the `proxies=self.proxies` that botocore's own source line (endpoint.py _send) puts in every traceback.
_PROXY_CUE_RE = re.compile(r"\b(?:https?_proxy|no_proxy)\b|proxyHost|\bproxy\b|(?<!self\.)\bproxies\b(?!=self\.)", re.I)
_NEAR_BEFORE, _NEAR_AFTER = 100, 200
_WORD_REST_RE = re.compile(r"\S*")
# A resolver asked for an empty name, in Fluent Bit's words (src/flb_network.c: `getaddrinfo(host='%s'): %s`).
_EMPTY_HOST_RE = re.compile(r"getaddrinfo\(host=(?:''|\"\")\)")
# An AWS host name with an empty label where the region goes (`ec2..amazonaws.com`, `sts..amazonaws.com`): the SDK
# joins service, region and DNS suffix (aws-sdk-go endpoints "{service}.{region}.{dnsSuffix}"), so an empty region
# setting leaves two dots. No resolver can answer such a name; the region setting is what is wrong.
_EMPTY_REGION_HOST_RE = re.compile(r"\b[a-z0-9-]+\.\.amazonaws\.com(?:\.cn)?\b")
# The credential endpoints' paths (EC2 user guide "Retrieve instance metadata"; ECS task-iam-roles and EKS Pod
# Identity: /v2/credentials/…, /v1/credentials; Greengrass' token exchange: /2016-11-01/credentialprovider/).
_IMDS_PATH_RE = re.compile(r"/latest/(?:meta-data|api/token|dynamic)")
_CONTAINER_PATH_RE = re.compile(r"/v[12]/credentials|/credentialprovider/")
# aws-sdk-php's InstanceProfileProvider says "instance profile metadata service" ("… server" before 3.2); the Rust
# SDK's aws-config "could not communicate with IMDS" / "failed to load IMDS session token" (src/imds/credentials.rs,
# src/imds/client/error.rs).
_IMDS_WRAPPER_RE = re.compile(r"credentials from iam-role|EC2RoleRequestError|EC2MetadataError|ec2imds|EC2 IMDS|"
                              r"instance metadata|instance profile metadata|communicate with IMDS|IMDS session token",
                              re.I)


# rusoto's credential providers wrap every failure of their own requests in CredentialsError (rusoto_credential
# src/lib.rs; the instance-metadata and container providers' HTTP errors come through as "Error during dispatch: …"):
# a connect failure inside one went to a credential endpoint, never to the AWS service the agent writes to.
_PROVIDER_ERROR_RE = re.compile(r"CredentialsError\s*\{\s*message:")


def _provider_connect_hits() -> list[Hit]:
    """A credential provider could not connect, and the text does not say which: instance metadata first — of the
    texts of corpus batches 1-5 where a credential endpoint refused the connection, 2 were instance metadata, 1 the
    container endpoint."""
    return _two_readings(
        "sigdoctor run --only credentials on the agent's host (it tries each source and says which one fails)",
        ("imds-unreachable", "instance metadata (169.254.169.254) refused or is unreachable: not on EC2, or IMDS "
         "turned off", []),
        ("container-credentials-failed", "the container credentials endpoint (169.254.170.2 / "
         "AWS_CONTAINER_CREDENTIALS_*) refused: the ECS agent's or Pod Identity agent's endpoint is not there", []),
        lead="A credential provider's own request could not connect (its CredentialsError wraps only the credential "
             "endpoints' requests, not the AWS endpoint's). Most likely ", or_="Or ")


def _connect_target(e: AwsError, found: Match, kind: str = "connect") -> str | None:
    """Where the TCP connection a `connect` entry of the table reports was going: "imds", "container", "endpoint",
    "task-metadata" (ECS task metadata, no credential source and no AWS endpoint: nothing to read), "unknown" (no
    address near it), or None (no such entry in the text). The host nearest the failure decides — in
    the flattened text, so a wrapped line does not move it away, and not any address the text names elsewhere (a
    NO_PROXY list)."""
    entries = found.of(kind)
    if not entries:
        return None
    flat = e.flat
    best: tuple[int, int, str] | None = None
    for entry in entries:
        for m in entry.regex.finditer(flat):
            lo = flat.rfind(" ", 0, max(0, m.start() - _NEAR_BEFORE)) + 1  # from the start of a word (a URL)
            # to the end of a word: a URL the reach ends inside is read whole, not as a host cut short
            hi = _WORD_REST_RE.match(flat, min(len(flat), m.end() + _NEAR_AFTER)).end()  # type: ignore[union-attr]
            for h in _HOST_RE.finditer(flat, lo, hi):
                host = h.group(0)
                if _SOURCE_FILE_RE.search(host) or _IDENTIFIER_RE.match(host) or DOC_LINK_RE.search(host):
                    continue
                kind = ("imds" if _IMDS_ADDR_RE.search(host) or _IMDS_PATH_RE.search(host) else "container"
                        if _CONTAINER_ADDR_RE.search(host) or _CONTAINER_PATH_RE.search(host) else "task-metadata"
                        if _TASK_METADATA_HOST_RE.search(host) else "endpoint")
                if kind == "endpoint":
                    # A credential provider on another host (a local credentials server, a proxying sidecar): the
                    # SDK's wrapper before the failure names the source.
                    lead = flat[lo:m.start()]
                    kind = ("container" if _CONTAINER_RE.search(lead) else "imds" if _IMDS_WRAPPER_RE.search(lead)
                            else "endpoint")
                dist = 0 if h.start() < m.end() and h.end() > m.start() else (
                    m.start() - h.end() if h.end() <= m.start() else h.start() - m.end())
                rank = (dist, kind == "endpoint")
                if best is None or rank < best[:2]:
                    best = (rank[0], int(rank[1]), kind)
    if best is None:
        # No host near it: the credential source the text names, if it names one.
        if _IMDS_RE.search(flat) or _IMDS_WRAPPER_RE.search(flat):
            return "imds"
        if _CONTAINER_RE.search(flat):
            return "container"
        if _PROVIDER_ERROR_RE.search(flat):
            return "source"
        return "unknown"
    return best[2]


def _network_hits(e: AwsError, found: Match, where: str | None = None) -> list[Hit]:
    t = e.flat
    hits: list[Hit] = []
    host = e.host or "the endpoint"
    if _TLS_RE.search(t) or found.has("tls"):
        hits.append(Hit("tls-untrusted", Status.FAIL, f"TLS certificate verification failed for {host}",
                        ["If a corporate proxy inspects TLS, add its CA to the agent's trust store (SSL_CERT_FILE / "
                         "AWS_CA_BUNDLE) or exempt AWS endpoints from inspection",
                         "Otherwise install the system CA bundle (ca-certificates) in the agent's image",
                         "`sigdoctor run --only connectivity` shows who issued the certificate"]))
        if _TLS_MITM_RE.search(t):
            # The other reading of the same words, ranked so that tls-untrusted (which explains it away as a
            # symptom) does not fold it: of the 31 texts of corpus batches 1-8 with these words, 28 threads give
            # the missing CA bundle, 1 a middlebox re-signing AWS's certificate — second, never first.
            hits.append(Hit("tls-intercepted", Status.WARN,
                            "Or the certificate is not one Amazon issued: something between the agent and AWS "
                            "(a TLS-inspecting proxy or firewall, a service-mesh sidecar) terminates TLS and "
                            "re-signs it with its own CA",
                            ["Exempt *.amazonaws.com from TLS inspection, or trust the inspecting CA",
                             "Settle it: `openssl s_client -connect HOST:443 -showcerts </dev/null` from the agent's "
                             "host — an issuer other than Amazon RSA / Amazon ECDSA is the middlebox's"],
                            {"candidate_rank": 1}))
    if _PROXY_RE.search(t) or found.has("proxy"):
        hits.append(Hit("proxy-misconfigured", Status.FAIL, f"The HTTP proxy failed for {host}",
                        ["Check HTTPS_PROXY/HTTP_PROXY in the agent's environment point to a working proxy, or add "
                         "the AWS endpoints and 169.254.169.254 to NO_PROXY"]))
    elif m := _EMPTY_REGION_HOST_RE.search(t):
        hits.append(Hit("dns-resolution-failed", Status.WARN,
                        f"The client looked up '{m.group(0)}', an AWS host with an empty region: it was built without "
                        "a region, so no resolver is at fault",
                        ["Set the region for this client (AWS_REGION, the SDK config's region, the agent's `region` "
                         "setting) — and check the code passes it to the client that made this call"]))
    elif _EMPTY_HOST_RE.search(t):
        # No name reached the resolver: the client built no endpoint host, which no DNS setting can fix.
        hits.append(Hit("dns-resolution-failed", Status.WARN,
                        "The client looked up an empty host name: it built no endpoint (its region or endpoint URL "
                        "setting is empty), so no resolver is at fault",
                        ["Set the region (or the endpoint URL) in the agent's AWS settings for this output or "
                         "credential source (Fluent Bit: `region`, `sts_endpoint`)"]))
    elif (m := _LOOKUP_TIMEOUT_RE.search(t)) and not _impossible_lookup(e):
        hits += _lookup_timeout_hits(host, bare=m.group(0).startswith("dial tcp: i/o"))
    elif (_DNS_RE.search(t) or found.has("dns")) and (bad := _impossible_lookup(e)):
        name, why = bad
        # Still the failed look-up of an endpoint name (of the corpus texts of batches 1-6 that show one, 6 threads
        # call it a DNS failure, 5 of them confirmed; 3 a configuration outside the catalog), but its fix is the
        # client's setting.
        hits.append(Hit("dns-resolution-failed", Status.FAIL,
                        f"The client looked up {name}, a name no AWS endpoint has ({why}): a wrong region or "
                        "endpoint setting built it — no DNS setting of the network can fix it",
                        ["Set the region (or endpoint) of the client that made this call to a real AWS one (AWS_REGION, "
                         "the agent's `region` / `sts_region` / `endpoint` setting); a non-AWS store's region or "
                         "location name must not reach the AWS clients, STS's included",
                         "`aws ec2 describe-regions --all-regions --query 'Regions[].RegionName'` lists AWS's regions"],
                        {"no_such_endpoint": name}))
    elif _DNS_RE.search(t) or found.has("dns"):
        hits.append(Hit("dns-resolution-failed", Status.FAIL, f"The endpoint name {e.host} does not resolve"
                        if e.host else "The endpoint's name does not resolve",
                        [f"Check the name {e.host or 'of the endpoint'} (typo, wrong region, partition) and the "
                         "resolver the agent uses; "
                         "with VPC endpoints check the private hosted zone", "`sigdoctor run --only dns` shows it"]))
        if any("UnknownEndpoint" in x.codes for x in found.of("dns")):
            # The AWS SDK for JavaScript v2 reads no proxy variables by itself: where only the proxy resolves
            # outside names (a locked-down CI runner), it looks the endpoint up locally and fails (aws-sdk-js v2
            # lib/http/node.js uses the agent it is given, none from HTTPS_PROXY).
            hits.append(Hit("proxy-misconfigured", Status.WARN,
                            "Or the network only reaches AWS through an HTTP proxy, which the AWS SDK for JavaScript "
                            "v2 does not use unless it is given one",
                            ["If this network needs a proxy, pass it to the SDK (AWS.config.update({httpOptions: "
                             "{agent: new HttpsProxyAgent(…)}})); `sigdoctor run --only connectivity` shows the "
                             "route"]))
    elif where == "endpoint" or (where in (None, "unknown") and (_UNREACHABLE_RE.search(t) or where)
                                 and not _IMDS_RE.search(t) and not _CONTAINER_RE.search(t)):
        unreachable = Hit("endpoint-unreachable", Status.FAIL, f"TCP to {host} fails (refused or timed out)",
                          ["Check security groups, NACLs, a NAT gateway or VPC endpoint for the service, and any "
                           "egress network policy", "`sigdoctor run --only connectivity` tests it from the host"])
        proxy = Hit("proxy-misconfigured", Status.WARN,
                    "Or the network only lets traffic out through an HTTP proxy the agent is not told about",
                    ["Set HTTPS_PROXY (and NO_PROXY for 169.254.169.254) in the agent's environment if this "
                     "network needs a proxy; `sigdoctor run --only connectivity` shows the route the agent takes"])
        if _PROXY_CUE_RE.search(_hints(e)):
            # The text says the network has a proxy, yet the connection went straight to the endpoint: the agent
            # (its SDK) does not use it — the AWS SDK for Java reads JVM properties, not HTTPS_PROXY.
            proxy.status, unreachable.status = Status.FAIL, Status.WARN
            proxy.message = (f"A proxy is configured for this network, yet the agent connected to {host} directly "
                             "and timed out or was refused: its SDK does not use the proxy")
            proxy.fix.insert(0, "Give the proxy to the agent in the form its SDK reads (Java: -Dhttps.proxyHost="
                                "HOST -Dhttps.proxyPort=PORT, without a scheme; Go / Python: HTTPS_PROXY)")
            unreachable.message = "Or TCP to the endpoint is blocked outright (security group, NACL, route)"
            hits += [proxy, unreachable]
        else:
            hits += [unreachable, proxy]
    return hits


# Go's dial ran out of time while it was still resolving the name. Dial reports a failed resolution as an OpError with
# no address (go1.19 src/net/dial.go DialContext: `&OpError{Op: "dial", Net: network, Source: nil, Addr: nil, Err:
# err}` after resolveAddrList), and a deadline reached inside the lookup comes back as a bare "i/o timeout" up to
# Go 1.16 (src/net/lookup.go lookupIPAddr: "The DNS lookup timed out for some reason" … `mapErr(ctx.Err())`), as
# the DNSError "lookup HOST: i/o timeout" from Go 1.17 on (go1.19 lookup.go: `&DNSError{Err:
# mapErr(ctxErr).Error(), Name: host, IsTimeout: …}`), and as "lookup HOST on RESOLVER: read udp …: i/o timeout"
# when the resolver's own query timed out (dnsclient_unix.go). A connect that timed out always names the address
# ("dial tcp 52.46.134.192:443: i/o timeout": dialSerial/dialSingle set Addr). So no TCP connection was tried.
_LOOKUP_TIMEOUT_RE = re.compile(r"dial tcp: i/o timeout|dial tcp: lookup [^\s:]+(?: on [^\s]+?)?: "
                                r"(?:read udp [^\s]+: )?i/o timeout")


def _lookup_timeout_hits(host: str, *, bare: bool) -> list[Hit]:
    """The name look-up timed out: the resolver did not answer within the client's dial timeout. Over corpus batches
    1-8 the address-less form's threads give dns-resolution-failed 4, endpoint-unreachable 5 (gatherers' readings of
    a "TCP timeout"; the Go source says the connect was never tried) — so the connect reading stays second."""
    settle = "`sigdoctor run --only dns` on the agent's host (or in the pod): it times the lookup"
    out = [Hit("dns-resolution-failed", Status.FAIL,
               f"The name lookup of {host} timed out: the client's dial deadline ran out while the resolver (kube-dns "
               "/ CoreDNS in a pod, the VPC resolver on a node) had not answered — no TCP connection was even tried",
               ["Check the resolver the agent uses answers: in Kubernetes the CoreDNS pods and any network policy "
                "that must let the pod reach them on UDP/TCP 53; on a node /etc/resolv.conf and the VPC's DNS "
                "settings (enableDnsSupport)", settle])]
    if bare:
        out += [Hit("endpoint-unreachable", Status.WARN,
                    f"Or TCP to {host} is blocked and the client's timeout is shorter than the look-up plus the "
                    "connect (an older Go SDK reports both the same way, without the address)",
                    ["`sigdoctor run --only connectivity` tests it from the host"], {"candidate_rank": 1}),
                Hit("proxy-misconfigured", Status.WARN,
                    "Or the network only lets traffic (and outside name look-ups) out through an HTTP proxy the agent "
                    "is not told about",
                    ["Set HTTPS_PROXY (and NO_PROXY for 169.254.169.254) in the agent's environment if this network "
                     "needs a proxy"], {"candidate_rank": 2})]
    return out


_REGION_NEAR = 120  # characters before the error: the same log line, or the one just before it


def _region_just_before(t: str, code: str) -> str | None:
    """The last AWS region named within a line's reach before the error's code."""
    at = t.find(code) if code else -1
    if at < 0:
        return None
    regions = _REGION_WORD_RE.findall(t, max(0, at - _REGION_NEAR), at)
    return regions[-1] if regions else None


# The name a failed DNS look-up was for: Go's "lookup NAME on …" / "lookup NAME:", else the URL's host, else any AWS
# name in the error (.NET "Unknown Host. (NAME:443)", Ruby "unable to connect to NAME; SocketError: getaddrinfo").
_LOOKUP_NAME_RE = re.compile(r"\blookup\s+([A-Za-z0-9.-]+\.amazonaws\.com(?:\.cn)?)\b")
_AWS_NAME_RE = re.compile(r"(?<![\w.-])((?:[A-Za-z0-9-]+\.)+amazonaws\.com(?:\.cn)?)\b")


def _impossible_lookup(e: AwsError) -> tuple[str, str] | None:
    """The AWS host name the text failed to resolve and why no endpoint has it, if it is such a name."""
    named = [m.group(1) for m in _LOOKUP_NAME_RE.finditer(e.flat)] + ([e.host] if e.host else [])
    for name in named or [m.group(1) for m in _AWS_NAME_RE.finditer(e.flat)]:
        why = impossible_host(name)
        if why:
            return name.lower(), why
    return None


def _sts_keys_without_token(seen: str) -> bool:
    """The text reads a key pair out of an STS answer by field and never names the answer's token."""
    return ("AccessKeyId" in seen and bool(_STS_KEY_FIELD_RE.search(seen)) and bool(_STS_SECRET_FIELD_RE.search(seen))
            and not _STS_TOKEN_FIELD_RE.search(seen))


def _credential_hits(e: AwsError, found: Match) -> list[Hit]:
    t = e.flat
    hits: list[Hit] = []
    key = e.access_key_id or ""
    if found.has("invalid-key"):
        region = endpoint_from_host(e.host).region if e.host else None
        named = sorted({r for r in _REGION_WORD_RE.findall(f"{e.context}\n{t}") if r in OPT_IN_REGIONS})
        if region is None and named and not key.startswith("AKIA"):
            region = named[0]  # the log names the opt-in region the call went to (owner=ap-east-1, --region …)
        elif region not in OPT_IN_REGIONS and not key.startswith("AKIA"):
            # A host named earlier in the log (an S3 URL of a step before) says less about this call than the region
            # the log names right before the error: a tool that works region by region prints it as it starts.
            near = _region_just_before(t, e.code or "")
            region = near if near in OPT_IN_REGIONS else region
        if region in OPT_IN_REGIONS and ("sts" in (e.host or "") or key.startswith("ASIA") or not key):
            hits.append(Hit("sts-opt-in-region", Status.FAIL,
                            f"A session token from the global STS endpoint is not valid in opt-in region {region}",
                            ["Get credentials from the regional STS endpoint (AWS_STS_REGIONAL_ENDPOINTS=regional, "
                             f"sts.{region}.amazonaws.com), or enable v2 tokens for the global endpoint"]))
        elif key.startswith("ASIA") and not e.token_header:
            hits.append(Hit("session-token-missing", Status.FAIL,
                            f"AWS does not accept temporary key {mask_key_id(key)}: it was sent without its session "
                            "token", ["Set AWS_SESSION_TOKEN (or aws_session_token) together with the ASIA… key, or "
                                      "let the agent use the role source directly (IRSA, Pod Identity, instance "
                                      "profile)"]))
        elif key.startswith("ASIA"):
            hits.append(Hit("session-token-missing", Status.FAIL,
                            f"AWS does not accept temporary key {mask_key_id(key)} with the session token sent: the "
                            "token belongs to another session", ["Copy key, secret and token from the same session, "
                                                                  "or let the SDK fetch them itself"]))
        elif not key and _EMPTY_ENV_RE.search(_hints(e)):
            hits.append(Hit("env-credentials-incomplete", Status.FAIL,
                            "AWS does not accept the credentials, and the text says the credential variables are set "
                            "to empty strings: the SDK signs with those empty values instead of the next source",
                            ["Unset AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN rather than setting "
                             "them to '' (`env | grep ^AWS_`), or set all of them",
                             "Settle it: `sigdoctor run --only credentials` with the same environment"]))
        elif not key and _sts_keys_without_token(_hints(e)):
            hits.append(Hit("session-token-missing", Status.FAIL,
                            "AWS does not accept the credentials, and the text passes the AccessKeyId and "
                            "SecretAccessKey of an STS answer without its SessionToken: a temporary key is valid only "
                            "with the token of the same answer",
                            ["Pass the answer's SessionToken too (aws_session_token / sessionToken / "
                             "AWS_SESSION_TOKEN) together with its AccessKeyId and SecretAccessKey",
                             "Settle it: `sigdoctor run --only credentials --only identity` with the same "
                             "environment"], {"decided_by": "an STS answer's key pair used without its SessionToken"}))
        elif not key and _SESSION_CUE_RE.search(_GET_SESSION_TOKEN_RE.sub(" ", f"{e.context}\n{t}")):
            hits.append(Hit("session-token-missing", Status.FAIL,
                            "AWS does not accept the credentials, and the text speaks of temporary credentials: the "
                            "session token was not sent with the ASIA… key (or belongs to another session)",
                            ["Pass AWS_SESSION_TOKEN / aws_session_token together with the key pair from the same STS "
                             "answer; a tool that takes only a key id and secret cannot use temporary credentials",
                             "Settle it: `sigdoctor run --only credentials --only identity` with the same "
                             "environment"]))
        else:
            shown = f" {mask_key_id(key)}" if key else ""
            hits.append(Hit("access-key-invalid", Status.FAIL, f"AWS does not know the access key{shown}",
                            ["Check the key id for typos, whitespace or a deleted/rotated key (`aws iam "
                             "list-access-keys`), and that it belongs to this partition",
                             "If it is a temporary ASIA… key, the session token is missing"]))
            if not key and _GET_SESSION_TOKEN_RE.search(f"{e.context}\n{t}"):
                hits[-1].message += (" — the text shows a session token being requested (STS GetSessionToken), "
                                     "which is signed with the long-term key and no token: that key is the one "
                                     "refused")
                hits[-1].extra["decided_by"] = "a GetSessionToken call, signed with the long-term key"
        if key or region in OPT_IN_REGIONS:
            hits[-1].extra["decided_by"] = f"the key id {mask_key_id(key)}" if key else f"the opt-in region {region}"
    if found.has("trust"):
        hits.append(Hit("role-trust-denied", Status.FAIL,
                        "The service (or EC2, for an instance profile) may not assume the role: its trust policy does "
                        "not name that service principal or caller",
                        ["Add the service principal to the role's trust policy (ec2.amazonaws.com for an instance "
                         "profile, states.amazonaws.com, ecs-tasks.amazonaws.com, lambda.amazonaws.com …) with "
                         "Action sts:AssumeRole", "`aws iam get-role --role-name ROLE --query "
                         "Role.AssumeRolePolicyDocument` shows it; `sigdoctor run --only identity --role-arn ARN`"]))
    if found.has("expired-token"):
        if _WEB_IDENTITY_CTX_RE.search(t) and "Token expired: current" in t:
            hits.append(Hit("web-identity-rejected", Status.FAIL,
                            "STS rejected the web identity token: it has expired",
                            ["The projected service account token is refreshed by the kubelet: make sure the agent "
                             "re-reads AWS_WEB_IDENTITY_TOKEN_FILE rather than a copied token"]))
        else:
            hits.append(Hit("credentials-expired", Status.FAIL, "The session credentials used to sign have expired",
                            ["Use a credential source the SDK refreshes (IRSA, Pod Identity, instance profile) "
                             "instead of copied session keys; restart the agent if it cached them"]))
    if found.has("web-identity"):
        m = re.search(r"No OpenIDConnect provider found in your account for (\S+)", t)
        detail = f" (issuer {m.group(1).rstrip('.')})" if m else ""
        hits.append(Hit("web-identity-rejected", Status.FAIL, f"STS rejected the web identity token{detail}",
                        ["Create the IAM OIDC provider for the cluster's issuer (`eksctl utils "
                         "associate-iam-oidc-provider --approve`), with audience sts.amazonaws.com"]))
    # The Java SDK's "… AWS_WEB_IDENTITY_TOKEN_FILE or … aws.webIdentityTokenFile must be set": thrown alone by a
    # provider the code built itself, the file it needs is missing; inside a whole chain's listing it only says that
    # source is not configured (AWS SDK for Java 2 AwsCredentialsProviderChain lists every provider's failure).
    if _WI_UNREADABLE_RE.search(t) or (_WI_NOT_SET_RE.search(t) and not found.has("no-credentials")):
        hits.append(Hit("web-identity-token-unreadable", Status.FAIL,
                        "The SDK could not read the web identity token file",
                        ["Check AWS_WEB_IDENTITY_TOKEN_FILE points to the projected token and the agent's user can "
                         "read it (fsGroup / runAsUser)"]))
    refusals = _refusals(t) if found.has("pod-identity-refused") else []
    if refusals:
        host = "fd00:ec2::23" if "fd00:ec2::23" in t and "169.254.170.23" not in t else "169.254.170.23"
        hits.append(Hit("sdk-unsupported-credential-source", Status.FAIL,
                        f"The agent's AWS SDK refuses the EKS Pod Identity endpoint ({host}): "
                        + "; ".join(f"{sdk} only allows {allowed}" for sdk, allowed, _ in refusals),
                        [*(fix for _, _, fix in refusals),
                         "Or use IRSA (web identity) for this workload instead of Pod Identity"]))
    partial = _PARTIAL_RE.search(t) if found.has("partial-credentials") else None
    if partial and "Partial credentials" in t:
        hits.append(Hit("env-credentials-incomplete", Status.FAIL,
                        f"Only part of the environment credentials are set (missing {partial.group(1)})",
                        ["Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or unset both"]))
    profile = _PROFILE_NOT_LOADED_RE.search(t)
    if profile and profile.group(1).lower() != "default":
        hits.append(Hit("profile-invalid", Status.FAIL,
                        f"AWS_PROFILE names profile '{profile.group(1)}', which the shared files do not give credentials "
                        "for: the rest of the chain's failures follow from that",
                        [f"Add [profile {profile.group(1)}] (or fix its name) in ~/.aws/config and ~/.aws/credentials "
                         "of the agent's user, or unset AWS_PROFILE", "`sigdoctor run --only credentials` lists the "
                         "profiles the SDK sees"]))
    in_file = _PARTIAL_FILE_RE.search(t)
    if in_file:
        # botocore names the provider: a profile of the shared credentials or config file that lacks a key.
        hits.append(Hit("profile-invalid", Status.FAIL,
                        f"The profile in the {in_file.group(1)} is incomplete: it has no {in_file.group(2)}",
                        [f"Add {in_file.group(2)} to the profile (or remove the half-written profile), and check "
                         "AWS_PROFILE names the profile you mean", "`sigdoctor run --only credentials` lists the "
                         "profiles the SDK sees"]))
    if _NO_ASSUMER_RE.search(t):
        hits.append(Hit("sdk-unsupported-credential-source", Status.FAIL,
                        "The AWS SDK for JavaScript was built without the STS client its profile's role needs "
                        "(no role assumption callback)",
                        ["Use the default credential chain (fromNodeProviderChain / defaultProvider), which brings "
                         "the STS role assumers, or pass roleAssumer / roleAssumerWithWebIdentity to fromIni"]))
    return hits


def _refusals(t: str) -> list[tuple[str, str, str]]:
    """(SDK releases, the hosts they allow, how to fix) for each SDK wording of the refusal in `t`."""
    found = []
    if _LOOPBACK_RE.search(t):
        found.append((_loopback_sdk(t), "loopback container-credential hosts",
                      "Upgrade the agent to a build with aws-sdk-go ≥ 1.47.11 (or aws-sdk-go-v2 config ≥ 1.25.0)"))
    if _BOTOCORE_REFUSAL_RE.search(t):
        found.append(("botocore (Python) from before EKS Pod Identity support",
                      "169.254.170.2 (ECS) and loopback container-credential hosts",
                      f"Upgrade botocore (boto3, the AWS CLI) in the agent's image to {_SINCE_POD_IDENTITY}"))
    if _JS_REFUSAL_RE.search(t):
        found.append(("AWS SDK for JavaScript v3 (fromContainerMetadata in @smithy/credential-provider-imds) from "
                      "before EKS Pod Identity support", "localhost and 127.0.0.1 in AWS_CONTAINER_CREDENTIALS_FULL_URI",
                      f"Upgrade the AWS SDK for JavaScript v3 packages to {_SINCE_POD_IDENTITY}; code that builds "
                      "its own chain with fromContainerMetadata() needs fromHttp() or the default chain instead"))
    m = _JAVA_REFUSAL_RE.search(t)
    if m:
        allowed = "a loopback host or an HTTPS URI in AWS_CONTAINER_CREDENTIALS_FULL_URI"
        if m.group(1) == "within":
            found.append(("AWS SDK for Java 2 older than 2.21.30", allowed,
                          "Upgrade the AWS SDK for Java 2 to 2.21.30 or later"))
        else:
            found.append(("AWS SDK for Java 1.x from before EKS Pod Identity support", allowed,
                          f"Upgrade the AWS SDK for Java 1.x to {_SINCE_POD_IDENTITY}, or move to the AWS SDK "
                          "for Java 2 (2.21.30 or later)"))
    return found


def _loopback_sdk(t: str) -> str:
    """Which SDK releases the loopback refusal's wording points at."""
    v1 = "only loopback hosts are allowed." in t
    v2 = "only host resolving to loopback" in t or re.search(r"only loopback hosts are allowed(?!\.)", t) is not None
    if v1 != v2:
        return "aws-sdk-go older than 1.47.11" if v1 else "aws-sdk-go-v2 config older than 1.25.0"
    return "aws-sdk-go older than 1.47.11 (aws-sdk-go-v2 config older than 1.25.0)"


# What the text and the lines around it say about where the agent runs; each cue raises the chain sources it points
# at (AWS SDK docs "Standardized credential providers"; the container and instance-metadata providers of
# aws-sdk-go v1.55 aws/defaults/defaults.go and botocore 1.44 botocore/credentials.py).
_CHAIN_CUES: tuple[tuple[re.Pattern[str], dict[str, int]], ...] = (
    (re.compile(r"\b(?:https?_proxy|no_proxy)\b|\bproxy\b|\bproxies\b", re.I), {"proxy-misconfigured": 4}),
    (re.compile(r"169\.254\.169\.254|fd00:ec2::254|\bIMDS|instance metadata|ec2 ?metadata|EC2RoleProvider|"
                r"instance[ _-]?profile", re.I), {"imds-unreachable": 3, "imds-hop-limit": 3}),
    (re.compile(r"169\.254\.170\.(?:2|23)\b|AWS_CONTAINER_CREDENTIALS|\bECS\b|task role|Fargate", re.I),
     {"container-credentials-failed": 4, "proxy-misconfigured": 1}),
    (re.compile(r"pod[ -]identity|169\.254\.170\.23|\bSSO\b|sso_session|credential_process|process_credentials", re.I),
     {"sdk-unsupported-credential-source": 4}),
    (re.compile(r"kube2iam|\bkiam\b", re.I), {"imds-unreachable": 4}),
    # The instance's metadata option by its names (EC2 user guide, "Configure the instance metadata options": the
    # PUT response hop limit; `--http-put-response-hop-limit`, Terraform's `http_put_response_hop_limit`, the API's
    # HttpPutResponseHopLimit): the user is looking at the one setting that starves a container of the token.
    (re.compile(r"hop[ _-]?limit|HttpPutResponseHopLimit", re.I), {"imds-hop-limit": 4}),
    # On an EC2 instance itself (its default user, its host name) instance metadata answers; what it most often
    # lacks is a role (EC2 user guide, "IAM roles for Amazon EC2": no instance profile, no credentials).
    (re.compile(r"\bEC2\b|ec2-user|\bip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\b|\bon (?:an? )?(?:EC2 )?instance\b"),
     {"imds-no-role": 4}),
    (re.compile(r"kubernetes|\bk8s\b|\bEKS\b|\bpods?\b|IRSA|service ?account|helm", re.I),
     {"imds-hop-limit": 2, "sdk-unsupported-credential-source": 2, "web-identity-token-unreadable": 1}),
    (re.compile(r"WebIdentity|web identity|AWS_WEB_IDENTITY_TOKEN_FILE|AssumeRoleWithWebIdentity", re.I),
     {"web-identity-token-unreadable": 4}),
    (re.compile(r"EnvAccessKeyNotFound|not found in environment|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY"),
     {"env-credentials-incomplete": 3}),
    # A profile the user names (`--profile dev`, `AWS_PROFILE=dev`, Terraform's `profile = "dev"`) is then the one
    # file source the SDK reads: an empty chain says that profile gave nothing (AWS SDKs and Tools reference guide,
    # "Shared config and credentials files": a named profile replaces [default]).
    (re.compile(r"--profile[ =][\"']?[\w.-]+|\bAWS_(?:DEFAULT_)?PROFILE\s*=\s*[\"']?[\w.-]+|\bprofile\s*=\s*\"[\w.-]+\""),
     {"profile-invalid": 4}),
)
# With no cue, the readings of an empty chain in the order the threads behind the bare message give them (batches 1-7,
# 114 texts: no-credentials 69, then an SDK too old for the source it was given 12 — IRSA, Pod Identity, SSO in an
# agent's vendored SDK — before the instance-metadata readings: hop limit 6, unreachable 5, profile 6).
_CHAIN_PRIOR = {"imds-unreachable": 2, "imds-hop-limit": 2, "imds-no-role": 1, "env-credentials-incomplete": 1,
                "web-identity-token-unreadable": 1, "container-credentials-failed": 0, "proxy-misconfigured": 0,
                "sdk-unsupported-credential-source": 3, "profile-invalid": 0}
# Ties between the two instance-metadata readings, by SDK: behind aws-sdk-go v1's bare NoCredentialProviders (50 texts)
# the hop limit came 4 times and an unreachable IMDS 2; behind the other SDKs' bare chains (64) unreachable 3, hop 2.
_GO1_CHAIN_RE = re.compile(r"NoCredentialProviders")
_GO1_TIE_ORDER = ["imds-hop-limit", *(c for c in _CHAIN_PRIOR if c != "imds-hop-limit")]
_CHAIN_DECIDE = "sigdoctor run --only credentials (on the agent's host, or --pid PID of the running agent)"
_CHAIN_WHY = {
    "imds-unreachable": "the chain fell through to instance metadata (169.254.169.254), which did not answer",
    "imds-hop-limit": "in a container, IMDSv2 with hop limit 1 yields nothing",
    "imds-no-role": "on EC2, the instance has no instance profile (IAM role) attached",
    "env-credentials-incomplete": "one of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set without the other",
    "web-identity-token-unreadable": "IRSA is configured but its token file is missing or unreadable",
    "container-credentials-failed": "the container credentials endpoint (ECS / EKS Pod Identity) did not answer",
    "proxy-misconfigured": "an HTTP(S)_PROXY without NO_PROXY=169.254.169.254,169.254.170.2 swallows the "
                           "credential endpoints' requests",
    "sdk-unsupported-credential-source": "the agent's SDK predates the source it is given (IRSA, Pod Identity, SSO)",
    "profile-invalid": "the profile the text names is missing from the agent's ~/.aws files or holds no credentials",
}


# A profile of the shared files as the user shows it ([default] or [profile NAME], then its key = value lines), with a
# key the SDKs do not read in place of aws_access_key_id / aws_secret_access_key (AWS SDKs and Tools reference guide,
# "Shared config and credentials files"; botocore 1.44 credentials.py SharedCredentialProvider reads exactly those
# names): that profile gives no credentials.
_PROFILE_KEYS_RE = re.compile(r"\[(?:default|profile\s+[\w.@-]+)\]((?:\s+[\w.-]+\s*=\s*\S+){1,12})")
_KEY_NAME_RE = re.compile(r"\b(aws_(?:access|secret)\w*)\s*=")
_KEY_NAMES = frozenset({"aws_access_key_id", "aws_secret_access_key"})


def _misspelt_key_hits(e: AwsError) -> list[Hit]:
    for profile in _PROFILE_KEYS_RE.finditer(_hints(e)):
        wrong = sorted({k for k in _KEY_NAME_RE.findall(profile.group(1)) if k.lower() not in _KEY_NAMES})
        if wrong:
            return [Hit("profile-invalid", Status.FAIL,
                        f"The profile shown holds {', '.join(wrong)}, a key the AWS SDKs do not read: the profile "
                        "gives no credentials (the names are aws_access_key_id and aws_secret_access_key)",
                        [f"Rename {', '.join(wrong)} in ~/.aws/credentials (or ~/.aws/config) to aws_access_key_id / "
                         "aws_secret_access_key", "`sigdoctor run --only credentials` shows what the SDK reads"])]
    return []


# Every SDK signs the session token header with the rest (botocore SigV4Auth, aws-sdk-go v1/v2 v4 signers and the
# JavaScript and Java signers leave only Authorization, User-Agent, X-Amzn-Trace-Id and hop-by-hop headers unsigned):
# a SigV4 header of a temporary ASIA… key whose signed headers lack x-amz-security-token was sent without the token,
# and AWS knows that key only with its token (IAM user guide, "Using temporary credentials with AWS resources").
_TEMP_KEY_SIGNED_RE = re.compile(r"Credential=(ASIA[A-Z0-9]{12,})/[^,\s\"']*,?\s*SignedHeaders=([A-Za-z0-9;_-]+)")


def _unsent_token_hits(t: str) -> list[Hit]:
    m = _TEMP_KEY_SIGNED_RE.search(t) if "ASIA" in t else None
    if m is None or "x-amz-security-token" in m.group(2).lower().split(";"):
        return []
    return [Hit("session-token-missing", Status.FAIL,
                f"The request is signed with temporary key {mask_key_id(m.group(1))}, but X-Amz-Security-Token is not "
                "among its signed headers: the session token was not sent, and AWS refuses a temporary key without it",
                ["Give the agent the session token with the key (AWS_SESSION_TOKEN / aws_session_token from the "
                 "same STS answer), or let it use the role source directly (IRSA, Pod Identity, instance profile)",
                 "Settle it: `sigdoctor run --only credentials --only identity` with the same environment"])]


# Fluent Bit builds its STS provider only for a configured role (`role_arn`: flb_sts_provider_create) or IRSA's
# variables (the EKS provider), and both log "[aws_credentials] STS assume role request failed" when that call fails
# (fluent/fluent-bit src/aws/flb_aws_credentials_sts.c, sts_assume_role_request); the signer's "Provider returned no
# credentials" that follows is the same refresh failing, not a chain with nothing configured. The readings of the
# failed AssumeRole (its own record) lead; the empty chain stays as a warning behind them.
_FLB_STS_FAILED_RE = re.compile(r"\[aws_credentials\] STS assume role request failed")


def _after_failed_assume_role(e: AwsError, hit: Hit) -> Hit:
    if "STS assume role" not in e.context or not _FLB_STS_FAILED_RE.search(e.context):
        return hit
    hit.status = Status.WARN
    hit.message = ("Fluent Bit's STS provider failed just before (STS assume role request failed): a role source is "
                   "configured, and the signer found no credentials because that AssumeRole failed — its readings "
                   "come first. Only if the role was not meant to be used: " + hit.message)
    return hit


def _no_credentials_hit(e: AwsError) -> Hit:
    # A chain that lists every provider it tried (Java 2) names sources that are merely not configured: those names
    # and "… must be set" sentences are no cue that the agent uses them.
    hints = _NOT_CONFIGURED_RE.sub(" ", f"{e.context}\n{e.flat}")
    score = dict(_CHAIN_PRIOR)
    for cue, raises in _CHAIN_CUES:
        if cue.search(hints):
            for cause, points in raises.items():
                score[cause] += points
    order = _GO1_TIE_ORDER if _GO1_CHAIN_RE.search(e.flat) else list(_CHAIN_PRIOR)
    ranked = sorted(score, key=lambda c: (-score[c], order.index(c)))
    candidates = [{"cause": c, "confidence": "medium" if score[c] >= 4 else "low", "why": _CHAIN_WHY[c],
                   "decide": _CHAIN_DECIDE} for c in ranked]
    listed = "; ".join(f"{i + 1}. {c['cause']} ({c['confidence']}: {c['why']})" for i, c in enumerate(candidates))
    return Hit("no-credentials", Status.FAIL,
               "The SDK found no credentials in any source of its chain",
               [f"Likely causes, ranked: {listed}", f"Text alone cannot decide: {_SETTLE}"],
               {"candidates": candidates})


# The user's words that a tool did NOT print a message (`it doesn't give back The AWS Access Key Id you provided does
# not exist …`): the quote that follows is what did not happen, not an error of the paste.
_NEGATION = (r"\b(?:doesn'?t|does\s+not|didn'?t|did\s+not|don'?t|do\s+not|no\s+longer|never)\s+(?:give|return|show|get|"
             r"throw|print|say|see|raise)s?(?:\s+(?:back|me|us|any|an?|the|this|that|with))*")
_NEGATION_WORD_RE = re.compile(_NEGATION, re.I)
_NEGATED_RE = re.compile(_NEGATION + r"[\s\"'`:]*$", re.I)
_NEGATION_REACH = 60


def _not_negated(t: str, found: Match) -> Match:
    """`found` without the entries every occurrence of which the text negates."""
    negated: dict[Entry, bool] = {}  # an entry stays negated only while each of its occurrences is
    for e, m in table().occurrences(t):
        if e in found.entries:
            negated[e] = negated.get(e, True) and bool(
                _NEGATED_RE.search(t, max(0, m.start() - _NEGATION_REACH), m.start()))
    if not any(negated.values()):
        return found
    return Match(tuple(e for e in found.entries if not negated.get(e, True)))


def classify(e: AwsError) -> Classified:
    t = e.flat
    found = _not_negated(t, table().match(t)) if _NEGATION_WORD_RE.search(t) else table().match(t)
    if any(x.kind == "data" and not x.causes for x in found.entries):
        return Classified([], None, "")  # AWS's own words for an error that is no signing problem
    hits: list[Hit] = []
    diffs: list[Difference] | None = None
    diff_text = ""
    hits += _clock_hits(e, found)
    if found.has("signature") and not hits:
        sig, diffs, diff_text = _signature_hits(e, e.logged_at)
        hits += sig
    if found.has("key-whitespace"):
        hits.append(Hit("access-key-invalid", Status.FAIL,
                        "The Authorization header breaks at a space or newline inside the credential: the access key "
                        "id was configured with whitespace (a trailing space, a newline from a copied file)",
                        ["Strip whitespace from AWS_ACCESS_KEY_ID / aws_access_key_id (and the secret key): "
                         "`printf %s \"$AWS_ACCESS_KEY_ID\" | od -c | tail -2` shows a trailing \\n or space"]))
    elif found.has("unsigned") and _cut_at_key(t):
        hits.append(Hit("access-key-invalid", Status.FAIL,
                        "AWS read the Authorization header's Credential but nothing after it (no SignedHeaders, no "
                        "Signature): the header ends inside the credential, at a newline or carriage return after "
                        "the access key id (a key copied from a file or secret with its line end)",
                        ["Strip the line end from AWS_ACCESS_KEY_ID / aws_access_key_id (Kubernetes secrets made with "
                         "`echo` instead of `echo -n` carry one): `printf %s \"$AWS_ACCESS_KEY_ID\" | od -c | tail -2` "
                         "shows a trailing \\n", "Settle it: `sigdoctor run --only credentials` (it shows whitespace in "
                         "the key)"]))
    elif found.has("unsigned") and not found.has("data"):
        foreign = "Invalid key=value pair" in t or "Authorization header requires" in t
        # An explicit deny decides whoever the caller is (IAM policy evaluation logic: an explicit Deny in any
        # policy — SCP, RCP, resource policy — ends evaluation), and some APIs take anonymous callers by design.
        hits.append(Hit("request-not-signed", Status.WARN if _EXPLICIT_RE.search(t) else Status.FAIL,
                        "The request reached AWS without a SigV4 signature"
                        + (" (its Authorization header is not a SigV4 one)" if foreign else ""),
                        ["Enable SigV4 on the agent (Prometheus `remote_write: sigv4: {region: …}`, Grafana Agent "
                         "`sigv4:` block, OTel `auth: authenticator: sigv4auth`)",
                         "Make sure no proxy or header-injection strips or replaces the Authorization header",
                         "For AMP, check the URL path: a wrong path also answers Missing Authentication Token"]))
        if _MISSING_TOKEN_RE.search(t):
            hits.append(Hit("target-not-found", Status.WARN,
                            "Or the URL names a resource, stage or method the API does not have: API Gateway (and "
                            "the AWS services it fronts) answers those with the same Missing Authentication Token",
                            ["Check the URL's stage, path and method against the API (`aws apigateway get-resources "
                             "--rest-api-id ID`); for AMP the path ends in /api/v1/remote_write",
                             "Settle it: `sigdoctor run --only signature --target URL` — a signed request to a path "
                             "that does not exist still gets this answer"], {"candidate_rank": 1}))
            if not found.has("no-credentials"):
                # The client sent no signature because it had nothing to sign with: tools and SDK clients that send
                # a request anonymously when their chain is empty or their signing is opt-in (botocore's UNSIGNED
                # config, SDK clients built without credentials, curl without --aws-sigv4) get this same answer.
                hits.append(Hit("no-credentials", Status.WARN,
                                "Or the client had no credentials and sent the request unsigned (a client that signs "
                                "only when its credential chain gives it something)",
                                ["Check that the client is given credentials and signs with them: "
                                 "`sigdoctor run --only credentials` with the client's environment"],
                                {"candidate_rank": 2}))
    hits += _credential_hits(e, found)
    hits += _unsent_token_hits(t)
    # "AccessDeniedException: The request signature we calculated does not match": the signature is what failed.
    if (found.has("denied") and not found.has("signature")) or _ACTION_RE.search(t):
        denied = _denied_hits(e, found)
        if any(h.cause == "request-not-signed" and h.status == Status.FAIL for h in hits):
            # "User: anonymous is not authorized": the service saw no signature, so no identity policy was even
            # consulted (OpenSearch "Handling errors"); a missing permission is only the reading after signing.
            for h in denied:
                if h.cause == "permission-missing":
                    h.status = Status.WARN
        hits += denied
    m = _SCOPE_REGION_RE.search(t)
    if m:
        wrong = m.group(1) or m.group(2)
        right = m.group(3) or (endpoint_from_host(e.host).region if e.host else None)
        named = f"names region '{wrong}'" if wrong else "names a region"
        hits.append(Hit("region-mismatch", Status.FAIL,
                        f"The credential scope {named}"
                        + (f" but the endpoint is in '{right}'" if right else " that this endpoint does not accept"),
                        [f"Sign for region {right}" if right else "Sign for the endpoint's own region"],
                        {k: v for k, v in (("signed_region", wrong), ("endpoint_region", right)) if v}))
    m = _SCOPE_SERVICE_RE.search(t)
    if m:
        hits.append(Hit("service-name-mismatch", Status.FAIL,
                        f"The credential scope names the wrong service; the endpoint expects '{m.group(1)}'",
                        [f"Sign with service name '{m.group(1)}'"], {"expected_service": m.group(1)}))
    if found.has("not-found"):
        hits.append(Hit("target-not-found", Status.FAIL,
                        f"The target does not exist at {e.host or 'that endpoint'} (wrong id, account or region)",
                        ["Check the workspace id / log group / bucket in the URL, and that the endpoint's region and "
                         "the credentials' account are the ones it lives in"]))
    # aws-sdk-go v1 says "no EC2 instance role found" with the 404 of an empty role list; aws-sdk-go-v2 says "no EC2
    # IMDS role found" for any failure, a timeout included.
    # Where a failed TCP connection went (checks/errors/network.toml): a connect failure to the endpoint is no
    # instance-metadata failure even when the text names 169.254.169.254 elsewhere (a NO_PROXY line).
    where = _connect_target(e, found)
    # A request to an AWS endpoint that got no answer in time (to instance metadata that is read by _imds_hits).
    if where is None and _connect_target(e, found, "timeout") == "endpoint":
        where = "endpoint"
    net_fail = bool(_NET_FAIL_RE.search(t)) or where is not None
    no_role = (_IMDS_RE.search(t) and _NO_ROLE_RE.search(t) and (not net_fail or "404" in t)
               and not status_refutes_no_role(t))
    imds = (_IMDS_RE.search(t) or where == "imds") and net_fail and not no_role and where in (None, "imds", "unknown")
    if imds:
        chain = _imds_hits(e, connect_failed=where == "imds")
        if any(h.cause == "profile-invalid" for h in hits):
            for h in chain:  # instance metadata was only the chain's last resort after the named profile
                h.status = Status.WARN
        elif found.has("no-credentials"):
            for h in chain[1:]:  # the other metadata reading: a warning after the chain's own (see _chain_end_reading)
                h.status = Status.WARN
                h.extra["candidate_rank"] = 2
            chain.insert(1, _chain_end_reading())
        hits += chain
    elif no_role:
        hits.append(Hit("imds-no-role", Status.FAIL, "The instance has no IAM role (instance profile)",
                        ["Attach an instance profile to the instance, or give the pod its own role"]))
    elif where == "source":
        hits += _provider_connect_hits()
    elif _IMDS_TOKEN_403_RE.search(t) and _IMDS_GET_FAILED_RE.search(t):
        hits.append(Hit("imds-unreachable", Status.FAIL,
                        "Instance metadata answered the IMDSv2 token request with 403 Forbidden: the metadata "
                        "endpoint is turned off on this instance (a hop limit drops the answer, it does not refuse)",
                        ["Turn IMDS on: `aws ec2 modify-instance-metadata-options --instance-id i-… --http-endpoint "
                         "enabled`, or give the agent another credential source",
                         "A proxy that adds X-Forwarded-For to the token request also gets 403: keep "
                         "169.254.169.254 in NO_PROXY", _SETTLE]))
    if _CONTAINER_RE.search(t) and ((net_fail and where in (None, "container", "unknown"))
                                    or _CONTAINER_ANSWER_RE.search(t)) and not _REFUSAL_RE.search(t):
        hits.append(Hit("container-credentials-failed", Status.FAIL,
                        "The container credentials endpoint (ECS / EKS Pod Identity) did not answer",
                        ["Check the eks-pod-identity-agent DaemonSet (or the ECS agent) runs on the node"]))
    hits += _network_hits(e, found, where)
    if (_STS_WI_CALL_RE.search(t) and not any(h.status == Status.FAIL for h in hits)
            and not _STS_WI_TIMED_OUT_RE.search(t)):
        hits += _web_identity_call_hits()
    hits += [Hit(c, st, msg, fix, extra) for c, st, msg, fix, extra in source_hits(e, found, {h.cause for h in hits})]
    # A web identity source whose STS call failed on the network: the chain found its source, so it is not empty.
    via_network = _WEB_IDENTITY_CTX_RE.search(t) and any(h.cause in _NETWORK_CAUSES and h.status == Status.FAIL
                                                         for h in hits)
    if found.has("no-credentials") and not any(h.cause == "profile-invalid" for h in hits):
        hits += _misspelt_key_hits(e)
    if found.has("no-credentials") and not via_network and not any(h.cause in _CHAIN_CAUSES for h in hits):
        hits.append(_after_failed_assume_role(e, _no_credentials_hit(e)))
    if not any(h.status == Status.FAIL for h in hits):
        hits += _from_table(e, found)
    if e.host == "sts.amazonaws.com" and hits:
        hits.append(Hit("sts-global-endpoint", Status.WARN, "The legacy global STS endpoint sts.amazonaws.com is used",
                        ["Use the regional endpoint: AWS_STS_REGIONAL_ENDPOINTS=regional (default in current SDKs)"]))
    if _XRAY_TELEMETRY_RE.search(t):
        _informational_imds(hits)
    hits = _user_behind_role_proxy(e, _node_role_first(e, _dedupe(read_clues(e, hits))))
    _rank_candidates(hits, found)
    _not_aws(e, hits)
    _not_sts(e, hits)
    return Classified(hits, diffs, diff_text)


# A metadata-credentials proxy (kube2iam, kiam) answers a pod's request for `…/meta-data/iam/security-credentials/ROLE`
# by assuming ROLE itself, through the SDK's default chain (kube2iam iam/iam.go AssumeRole: sts.New(session.NewSession())
# — environment keys, then the shared files, then the node's instance role), meant to be the node's role. AWS names
# the caller it saw: an IAM user there (`arn:aws:iam::ACCOUNT:user/NAME`, a long-term access key's principal; a role
# shows as `assumed-role/…`) means static keys in the proxy's environment or files won the chain over the node role.
_IAM_USER_RE = re.compile(r"^arn:aws[\w-]*:iam::[^:]*:user/")
_ROLE_PROXY_RE = re.compile(r"meta-data/iam/security-credentials/[\w+=,.@-]+|\bkube2iam\b|\bkiam\b", re.I)


def _user_behind_role_proxy(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A denial of AssumeRole to an IAM user, answered where a metadata proxy assumes roles with the node's role: the
    static keys that shadow the role read first; the trust policy (literally what AWS refused) stays behind it."""
    first = next((h for h in hits if h.status == Status.FAIL), None)
    who = _PRINCIPAL_RE.search(e.flat) if first is not None and first.cause == "role-trust-denied" else None
    if who is None or not _IAM_USER_RE.search(who.group(1)):
        return hits
    proxy = _ROLE_PROXY_RE.search(_hints(e))
    if proxy is None:
        return hits
    out = [Hit("env-shadows-role", Status.FAIL,
               f"AWS saw an IAM user ({who.group(1)}) assume the role where a metadata-credentials proxy ({proxy.group(0)}) "
               "assumes it with the node's instance role: static keys in the proxy's environment or credentials file "
               "win its credential chain over the node role",
               ["Remove AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the mounted credentials file) from the proxy's "
                "pod (kube2iam / kiam DaemonSet) so it signs with the node's instance role",
                "Settle it: `kubectl -n NAMESPACE exec PROXY_POD -- env | grep ^AWS_` — keys there are the caller AWS "
                "named; if none, grant that user in the role's trust policy only if it is meant to be the caller"],
               {"principal": who.group(1), "decided_by": "an IAM user as the caller of a metadata proxy's AssumeRole"})]
    return behind(out[0], hits,
                  reword=("role-trust-denied", "Or that user is the intended caller and the role does not trust it"))


# The X-Ray daemon asks instance metadata for the instance id only to label its telemetry records, logs this when
# the answer does not come, and runs on (aws-xray-daemon pkg/telemetry/telemetry.go: log.Errorf("Get instance id
# metadata failed: %s", err); `--local-mode` skips the call): off EC2 it is printed at every start and says nothing
# about the credentials the daemon signs with.
_XRAY_TELEMETRY_RE = re.compile(r"Get\s+instance\s+id\s+metadata\s+failed")
_IMDS_CAUSES = frozenset({"imds-hop-limit", "imds-unreachable", "imds-no-role", "no-credentials"})


def _informational_imds(hits: list[Hit]) -> None:
    for h in hits:
        if h.cause in _IMDS_CAUSES and h.status == Status.FAIL:
            h.status = Status.WARN
            h.message = ("The X-Ray daemon could not read the instance id from instance metadata — it wants it only "
                         "for its telemetry records and runs on without it (off EC2 it says so at every start; "
                         f"--local-mode skips it). Only if the daemon also fails to get credentials: {h.message}")


def _demote(hits: list[Hit]) -> None:
    """Every error reading to a warning, as the answer is not AWS's (or not STS's) verdict; its other readings stay
    listed (decode's candidate findings)."""
    for h in hits:
        if h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["demoted"] = True


def _not_aws(e: AwsError, hits: list[Hit]) -> None:
    """An S3-compatible server that is not AWS answered (checks/errors/backends.toml): its error is in AWS's words
    but has that server's causes, so each reading stays a warning and the first one says what was recognised."""
    if not hits:
        return
    other = recognise(e.text, e.host, e.context)
    if other is None and not any(h.cause in _NETWORK_CAUSES for h in hits) and (
            where := private_endpoint(e.host)):
        # Only for an answer: a connection that failed is the network's fault whoever was meant to answer.
        other = Recognised(f"a server of your own network at {where}", "its private address: AWS endpoints are "
                           "public names on port 443")
    if other is None:
        return
    _demote(hits)
    first = hits[0]
    first.message = (f"The server is {other.name}, not AWS (recognised by {other.by}): its error follows AWS's "
                     f"format, but its cause is that server's own — this AWS reading is only a guess: {first.message}")
    first.fix.insert(0, f"Check the client against {other.name}'s own requirements (its keys, the signature version "
                        "and addressing style it accepts, its clock); sigdoctor's causes are about AWS")
    first.extra["backend"] = other.name


# The web identity call is STS's AssumeRoleWithWebIdentity, which STS answers in its own XML (<ErrorResponse>) with
# its own codes (STS API reference, AssumeRoleWithWebIdentity "Errors" and CommonErrors). An answer STS never gives
# shows another server took the call: a 405 / MethodNotAllowed (S3 refusing a POST to a bucket), an action the server
# does not know (InvalidAction "Could not find operation AssumeRoleWithWebIdentity", a JSON service's
# UnknownOperationException), MissingAuthenticationToken (the action is unsigned by design, so STS never asks for a
# signature), or a body the SDK cannot read as STS's error at all (aws-sdk-go v1.55 private/protocol/query
# unmarshal_error.go: SerializationError "failed to unmarshal error message", the body in a hex dump from
# private/protocol/unmarshal_error.go UnmarshalError). Agents that take one custom endpoint for their storage or
# database client (Loki, Cortex, Velero with an S3 / DynamoDB / Timestream endpoint) have sent STS's call there.
_WI_CALL_RE = re.compile(r"WebIdentityErr|AssumeRoleWithWebIdentity")
_NOT_STS_ANSWER_RE = re.compile(
    r"(?:status\s*code:?|StatusCode:)\s*405\b|\bMethodNotAllowed\b|Could\s+not\s+find\s+operation\s+"
    r"AssumeRoleWithWebIdentity|MissingAuthenticationToken|UnknownOperationException")
_UNREADABLE_ANSWER_RE = re.compile(r"\bSerializationError\b|failed\s+to\s+unmarshal\s+error\s+message")
# A line of Go's hex.Dump: offset, up to 16 bytes in hex (then the printable text between bars, which a cut paste
# may lack).
_HEX_DUMP_RE = re.compile(r"\b[0-9a-f]{8}((?:\s{1,2}[0-9a-f]{2}(?![0-9A-Za-z])){1,16})")


def _hex_dumped(t: str) -> str:
    return bytes.fromhex("".join("".join(m.group(1).split()) for m in _HEX_DUMP_RE.finditer(t))).decode(
        "utf-8", errors="replace")


def _not_sts(e: AwsError, hits: list[Hit]) -> None:
    """The web identity call was answered by a server that is not STS: each reading of the answer stays a warning
    and the first one says why the answer is not STS's."""
    call = _WI_CALL_RE.search(e.flat)
    if not hits or call is None or "backend" in hits[0].extra:
        return
    after = e.flat[call.start():]
    seen = (_NOT_STS_ANSWER_RE.search(after) or _NOT_STS_ANSWER_RE.search(_hex_dumped(after))
            or _UNREADABLE_ANSWER_RE.search(after))
    if seen is None:
        return
    _demote(hits)
    first = hits[0]
    said = " ".join(seen.group(0).split())
    first.message = (f"STS never answers AssumeRoleWithWebIdentity with '{said}': another "
                     "server took the call — the custom endpoint of the agent's storage or database client (S3, "
                     "DynamoDB, Timestream …) used for STS too, or a proxy; this reading of its answer is only a "
                     f"guess: {first.message}")
    first.fix.insert(0, "Let STS's call go to STS: set the custom endpoint only on the storage / database client "
                        "(not as AWS_ENDPOINT_URL or a global endpoint override), or give the STS client its own "
                        "(AWS_ENDPOINT_URL_STS, the agent's sts_endpoint); upgrade the agent if it applies one endpoint "
                        "to every client")
    first.extra["not_sts"] = seen.group(0)


def _from_table(e: AwsError, found: Match) -> list[Hit]:
    """The table's own reading of an error no evidence rule explained: its most likely cause, the others ranked."""
    # An entry of its own shape (the message) says more than one matched by a code alone.
    for entry in sorted(found.entries, key=lambda x: x.kind != "data"):
        # A rule's kind without its rule's verdict is only an error when its own code stands there (a line that
        # merely names AWS_CONTAINER_CREDENTIALS_FULL_URI or 169.254.169.254 is not one).
        if not entry.causes or (entry.kind not in ("data", "head", "status") and (e.code or "") not in entry.codes):
            continue
        # A bodiless HEAD answer's reading stands only where nothing else explains the status: no error code of
        # AWS's own in the text (boto 2 prints the body of a GET after the same status line).
        if entry.kind in ("head", "status") and (
                any(x.kind not in ("head", "status") and x.causes for x in found.entries)
                or (e.code and not e.code.isdigit() and e.code not in _BODILESS_CODES)):
            continue
        # A bare 403 means AWS's readings only when the request went to AWS.
        if entry.kind == "status" and not _AWS_HOST_RE.search(_PORT_RE.sub("", e.host or "")):
            continue
        top = entry.causes[0]
        said = f"{e.code}: " if e.code else ""
        msg = (e.message or entry.name).split("\n", 1)[0][:160]
        if entry.kind in ("head", "status"):
            why = ("S3 answered a HEAD request with a bare status" if entry.kind == "head" else
                   f"{e.host} answered {entry.http or 'an error'} and the client did not print AWS's error body")
            if not e.message:
                # No message of AWS's: the client's own words for the status are what was said.
                seen = entry.regex.search(e.flat)
                msg = seen.group(0) if seen else msg
            return _undecided(f"{said}{msg}", entry.causes, why)
        status = Status.FAIL if top.confidence != "low" else Status.WARN
        return [Hit(top.cause, status, f"{said}{msg} — {top.needs}" if top.needs else f"{said}{msg}",
                    [f"Settle it: `{top.decide}`"] if top.decide else [], {"error_entry": entry.name})]
    return []


def _undecided(said: str, causes: tuple[Candidate, ...], why: str) -> list[Hit]:
    """Readings the text cannot choose between: each a warning, in the table's order, with what must be true for it
    and the command that settles it — never an error the text does not prove."""
    out = []
    for i, c in enumerate(causes):
        lead = f"{said} — {why}; the text cannot decide. Most likely" if i == 0 else "Or"
        out.append(Hit(c.cause, Status.WARN, f"{lead} {c.cause}: {c.needs}", [f"Settle it: `{c.decide}`"],
                       {"candidate_rank": i + 1} if i else {"candidates": [x.as_dict() for x in causes]}))
    return out


_AWS_HOST_RE = re.compile(r"\.amazonaws\.com(?:\.cn)?$|\.api\.aws$")
_PORT_RE = re.compile(r":\d+$")
# What the SDKs put where a HEAD answer's code would be: the status, or its reason phrase.
_BODILESS_CODES = frozenset({"Forbidden", "BadRequest", "NotFound", "S3ResponseError"})


def _rank_candidates(hits: list[Hit], found: Match) -> None:
    """Where the text cannot decide, the first failing hit lists the other causes its error can mean, each with what
    must be true for it and the command that settles it."""
    first = next((h for h in hits if h.status == Status.FAIL), None)
    if first is None or any(first.extra.get(k) for k in ("differences", "candidates", "decided_by")):
        return
    # The entry the table's own reading came from speaks first: other entries may name the cause by a looser match.
    own = first.extra.get("error_entry")
    for entry in sorted(found.entries, key=lambda x: x.name != own):
        mine = next((c for c in entry.causes if c.cause == first.cause), None)
        if mine is None:
            continue
        others = [c for c in entry.causes if c.cause != first.cause and c.cause not in {h.cause for h in hits}]
        if mine.confidence == "high" or not others:
            return
        ranked = [mine, *others]
        first.extra["candidates"] = [c.as_dict() for c in ranked]
        first.fix.append("Text alone cannot decide; ranked: " + "; ".join(
            f"{i + 1}. {c.cause} ({c.confidence}) if {c.needs} — settle with `{c.decide}`"
            for i, c in enumerate(ranked)))
        return


def date_aws_saw(text: str) -> str | None:
    """The X-Amz-Date AWS received, from its `Signature expired: <date> is now earlier than …` answer."""
    m = _AWS_SAW_RE.search(text)
    return m.group(1) if m else None


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for h in hits:
        if h.cause not in seen:
            seen[h.cause] = h
    return list(seen.values())
