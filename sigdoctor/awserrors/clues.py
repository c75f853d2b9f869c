"""Clues in plain sight: words beside an AWS error (or standing alone in a paste) that decide between its readings,
or show that a reading the error's words suggest is not the cause. Each clue reads what AWS or the SDK documents
about the words it acts on; `read_clues` is called by `rules.classify` once the evidence rules have spoken."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sigdoctor.awserrors.backends import recognise
from sigdoctor.awserrors.clues_sources import (
    container_provider_failed,
    earlier_source_empty,
    metadata_timeout_alone,
    mfa_required_denial,
    own_metadata_disabled,
    pod_shown_hop_first,
    role_answer_in_chain,
    role_wrapper_alone,
)
from sigdoctor.awserrors.hit import UNDECIDED, Hit, first_fail
from sigdoctor.awserrors.table import table
from sigdoctor.awserrors.unescape import unescape
from sigdoctor.lazyre import lazy
from sigdoctor.model import Status
from sigdoctor.redact import mask_key_id

if TYPE_CHECKING:
    from sigdoctor.awserrors.parse import AwsError

_SETTLE_CREDS = "Settle it: `sigdoctor run --only credentials --only identity` with the agent's environment"


def read_clues(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """`hits` as the clues in `e`'s text (and the lines before it) change them: a reading added in front, others
    kept as warnings behind it."""
    t = e.flat
    hits = _token_header_named(t, hits)
    hits = _elided_explicit_deny(t, hits)
    hits = _implicit_deny(t, hits)
    hits = _anonymous_client(f"{e.context}\n{t}" if e.context else t, hits)
    hits = _sent_without_credentials(_with_context(e), hits)
    _anonymous_capable(_with_context(e), hits)
    hits = _temporary_key_without_token(e, hits)
    hits = container_provider_failed(e, hits)
    hits = earlier_source_empty(e, hits)
    hits = role_wrapper_alone(e, hits)
    hits = own_metadata_disabled(e, hits)
    hits = metadata_timeout_alone(e, hits)
    hits = pod_shown_hop_first(e, hits)
    hits = role_answer_in_chain(e, hits)
    hits = mfa_required_denial(e, hits)
    hits = _nested_arn(t, hits)
    hits = _unset_name_in_arn(t, hits)
    _missing_object(t, hits)
    _date_built_time(t, hits)
    _quoted_source_line(e.text, hits)
    _custom_endpoint(e, hits)
    hits = _unknown_route(e, hits)
    return _endpoint_as_bucket(e, hits)


def _with_context(e: AwsError) -> str:
    """The record's text after the lines before it, where a config or command that set the request up is printed."""
    return f"{e.context}\n{e.flat}" if e.context else e.flat


def _hit(cause: str, status: Status, message: str, fix: list[str], **extra: object) -> Hit:
    return Hit(cause, status, message, fix, dict(extra))


def behind(first: Hit, hits: list[Hit], *, drop: frozenset[str] = frozenset(),
           reword: tuple[str, str] | None = None) -> list[Hit]:
    """`first` in front of `hits`, whose error readings stay as warnings (ranked in their order) and whose `drop`
    readings the clue refutes. `reword` (cause, lead): that demoted reading's message is put behind `lead`."""
    out = [first]
    rank = 1
    for h in hits:
        if h.cause == first.cause or h.cause in drop:
            continue
        if h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["candidate_rank"] = rank
            rank += 1
            if reword is not None and h.cause == reword[0]:
                h.message = f"{reword[1]}: {h.message}"
        out.append(h)
    return out


# AWS's IncompleteSignature for a header the Authorization header lists in SignedHeaders but the request lacks (STS
# API reference "Common Errors": IncompleteSignature, "The request signature does not conform to AWS standards"; the
# services word it "'<header>' is named as a SignedHeader, but it does not exist in the HTTP request"). The request
# was signed; a header was lost between signing and AWS. When that header is x-amz-security-token the session token
# is what did not arrive: HTTP clients drop a header whose value is empty (curl's manual, -H: "If you send the
# custom header with no-value then its header must be terminated with a semicolon"), so a temporary key with an
# empty token variable signs the header and sends none.
_NAMED_HEADER_RE = lazy(r"'?([A-Za-z0-9-]+)'?\s+is\s+named\s+as\s+a\s+SignedHeader,?\s+but\s+it\s+does\s+not\s+"
                              r"exist", re.I)
_NOT_SIGNED = frozenset({"request-not-signed"})


def _token_header_named(t: str, hits: list[Hit]) -> list[Hit]:
    m = _NAMED_HEADER_RE.search(t) if "SignedHeader" in t else None
    if m is None or "Authorization header requires" in t:
        return hits
    header = m.group(1).lower()
    lost = _hit("request-modified-after-signing", Status.WARN,
                f"AWS read '{header}' in the signed headers but not in the request: something between the client "
                "and AWS (a proxy, a gateway, the HTTP library) removed it after signing",
                ["Send the request straight to AWS once (no proxy) and compare",
                 "Settle it: `sigdoctor run --only signature --target URL` where the agent runs"],
                candidate_rank=1)
    if header == "x-amz-security-token":
        first = _hit("session-token-missing", Status.FAIL,
                     "AWS read x-amz-security-token in the signed headers but the request carried no such header: "
                     "the session token was empty when the request was signed (HTTP clients such as curl drop a "
                     "header with an empty value), so the temporary key went without its token",
                     ["Set the session token (AWS_SESSION_TOKEN / the variable the command passes) from the same STS "
                      "answer as the key pair, and check it is not empty: `test -n \"$AWS_SESSION_TOKEN\"`",
                      _SETTLE_CREDS], decided_by=f"'{header}' named as a signed header AWS did not receive")
        return behind(first, [lost, *hits], drop=_NOT_SIGNED)
    lost.status = Status.FAIL
    lost.extra = {"decided_by": f"'{header}' named as a signed header AWS did not receive"}
    return behind(lost, hits, drop=_NOT_SIGNED)


# An explicit deny as AWS words it ("… is not authorized to perform: A on resource: R with an explicit deny in a
# service control policy", IAM user guide "Troubleshoot access denied error messages", the policy types: service
# control policy, resource control policy, identity-based policy, resource-based policy, permissions boundary,
# session policy, VPC endpoint policy), with the part before "explicit deny" cut away in a paste or a title: the
# words that decide are still there, and no Allow overrides an explicit Deny (IAM policy evaluation logic).
_ELIDED_DENY_RE = lazy(
    r"explicit\s+deny\s+in\s+(?:an?\s+)?(service\s+control\s+policy|resource\s+control\s+policy|identity-based\s+policy|"
    r"resource-based\s+policy|permissions\s+boundary|session\s+policy|VPC\s+endpoint\s+policy)", re.I)
_ACTION_NAMED_RE = lazy(r"\b([a-z0-9-]{2,}:[A-Z][A-Za-z0-9]+)\b")


def _elided_explicit_deny(t: str, hits: list[Hit]) -> list[Hit]:
    m = _ELIDED_DENY_RE.search(t) if "eny" in t else None
    if m is None or any(h.cause == "explicit-deny" and h.status == Status.FAIL for h in hits):
        return hits
    where = " ".join(m.group(1).split())
    action = _ACTION_NAMED_RE.search(t[:m.start()])
    what = action.group(1) if action else "the action"
    first = _hit("explicit-deny", Status.FAIL, f"An explicit deny in a {where} refuses {what}: AWS says so in the "
                 "text, and no Allow in any policy overrides it",
                 [f"Find the Deny statement for {what} in the {where} (for a service control policy: the "
                  "organization's management account, `aws organizations list-policies-for-target --target-id "
                  "ACCOUNT --filter SERVICE_CONTROL_POLICY`) and narrow it, or run the agent where it does not apply"],
                 policy_type=where, decided_by=f"'explicit deny in a {where}'")
    return behind(first, hits)


# The implicit deny as AWS words it since 2021 ("… is not authorized to perform: A on resource: R because no
# identity-based policy allows the A action", IAM user guide "Troubleshoot access denied error messages"): it names
# the policy type that lacks the Allow, which is where the fix goes — an SCP in the organization, a permissions
# boundary or session policy that caps the role, a resource or VPC endpoint policy, not always the caller's own.
_NO_POLICY_ALLOWS_RE = lazy(
    r"because\s+no\s+(service\s+control\s+policy|resource\s+control\s+policy|identity-based\s+policy|"
    r"resource-based\s+policy|permissions\s+boundary|session\s+policy|VPC\s+endpoint\s+policy)\s+allows"
    r"(?:\s+the\s+([a-z0-9-]+:[A-Za-z0-9*]+)\s+action)?", re.I)
_WHERE_TO_ALLOW = {
    "service control policy": "the organization's service control policies (ask the management account: `aws "
                              "organizations list-policies-for-target --target-id ACCOUNT --filter "
                              "SERVICE_CONTROL_POLICY`)",
    "resource control policy": "the organization's resource control policies (the management account)",
    "identity-based policy": "a policy attached to the caller (its role or user)",
    "resource-based policy": "the resource's own policy (bucket policy, key policy, resource policy of the target)",
    "permissions boundary": "the permissions boundary of the caller's role or user (`aws iam get-role --role-name R "
                            "--query Role.PermissionsBoundary`)",
    "session policy": "the session policy passed when the role was assumed (the agent's or tool's `policy` / "
                      "`policy_arns` setting of AssumeRole), which caps the role's own permissions",
    "VPC endpoint policy": "the policy of the VPC endpoint the request went through",
}


def _implicit_deny(t: str, hits: list[Hit]) -> list[Hit]:
    m = _NO_POLICY_ALLOWS_RE.search(t) if "allows" in t else None
    if m is None or any(h.cause in ("explicit-deny", "role-trust-denied") and h.status == Status.FAIL for h in hits):
        return hits
    where = " ".join(m.group(1).split())
    key = next((k for k in _WHERE_TO_ALLOW if k.lower() == where.lower()), where)
    action = m.group(2) or (a.group(1) if (a := _ACTION_NAMED_RE.search(t[:m.start()])) else "the action")
    fix = f"Allow {action} in {_WHERE_TO_ALLOW.get(key, 'the ' + where)}: AWS says no {where} allows it"
    own = first_fail(hits, cause="permission-missing")
    if own is not None and key == "identity-based policy":
        return hits  # the denial's own fix already names the caller's policies
    if own is not None:
        own.fix.insert(0, fix)
        own.extra["policy_type"] = key
        return hits
    first = _hit("permission-missing", Status.FAIL, f"No {where} allows {action}: AWS says so in the text",
                 [fix, "Confirm with `sigdoctor run --only permissions` (iam:SimulatePrincipalPolicy)"],
                 policy_type=key, decided_by=f"'because no {where} allows'")
    # The denial of an anonymous caller (`User: anonymous is not authorized …`, the unsigned answer read before: the
    # OpenSearch Service developer guide, "Handling errors"): a request without a signature has no identity, so no
    # identity's policy can allow it and AWS names only the resource's — the missing signature comes first, a policy
    # opened to anonymous callers is its alternative.
    unsigned = first_fail(hits, cause="request-not-signed")
    if unsigned is not None:
        return behind(unsigned, [first, *hits])
    return behind(first, hits)


# A client set to send its requests unsigned: the AWS CLI's --no-sign-request ("Do not sign requests. Credentials
# will not be loaded if this argument is provided", AWS CLI command reference, global options), botocore's
# Config(signature_version=UNSIGNED), s3fs's anon=True, the SDKs' anonymous credentials (Java 1.x
# AnonymousAWSCredentials, 2.x AnonymousCredentialsProvider, Go aws.AnonymousCredentials / credentials.
# AnonymousCredentials, Rust no_credentials()). S3 and the other services answer an anonymous request for anything
# not public with AccessDenied: the denial is of the anonymous caller, not of the identity the user meant.
_ANONYMOUS_RE = lazy(r"--no-sign-request|signature_version\s*=\s*(?:botocore\.)?UNSIGNED\b|\banon\s*=\s*True\b|"
                           r"AnonymousAWSCredentials|AnonymousCredentialsProvider|AnonymousCredentials\b|"
                           r"\bno_credentials\(\)")


def _anonymous_client(t: str, hits: list[Hit]) -> list[Hit]:
    m = _ANONYMOUS_RE.search(t) if "nonymous" in t or "UNSIGNED" in t or "anon" in t or "no-sign" in t or (
        "no_credentials" in t) else None
    first = first_fail(hits)
    if m is None or first is None or first.cause not in ("permission-missing", "no-credentials"):
        return hits
    said = " ".join(m.group(0).split())
    top = _hit("request-not-signed", Status.FAIL,
               f"The client is set to send requests unsigned ({said}): AWS refuses an anonymous request for anything "
               "that is not public, whatever the policies of the identity meant to make it",
               [f"Drop {said} for a private resource so the client signs with its credentials, or make the resource "
                "readable anonymously if that is intended (a public bucket policy)",
                "Settle it: `sigdoctor run --only signature --target URL` with the agent's configuration"],
               decided_by=f"'{said}'")
    return behind(top, hits)


# A client that found no credentials and sent the request anyway, unsigned: S3 answers an anonymous request for
# anything not public with 403 AccessDenied (Amazon S3 user guide, "Troubleshoot Access Denied (403 Forbidden)
# errors": anonymous requests), so the denial is of no caller at all — the identity meant to make the call was never
# given to the client. Clients that go on unsigned instead of failing: DuckDB's httpfs, which says so under the 403
# ("Authentication Failure - this is usually caused by invalid or missing credentials. * No credentials are
# provided.", duckdb httpfs extension s3fs.cpp), minio-go (restic, Thanos, Loki's S3 client) whose credential chain
# ends in anonymous credentials (minio-go pkg/credentials: SignatureAnonymous, the request sent without an
# Authorization header), and SDK clients built without credentials; or the reporter says no keys were set.
_NO_CREDENTIALS_SENT_RE = lazy(
    r"No\s+credentials\s+(?:are|were)\s+provided|\bSignatureAnonymous\b|\busing\s+anonymous\s+(?:credentials|access)|"
    r"\b(?:didn'?t|did\s+not|haven'?t|have\s+not|hadn'?t|never|forgot\s+to)\s+(?:set|configured?|provided?|pass(?:ed)?|"
    r"export(?:ed)?|give[n]?)\s+(?:the\s+|any\s+|my\s+|an?\s+)?(?:AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS\s+)?"
    r"(?:credentials|access\s+keys?|keys\b|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)|"
    r"\bno\s+(?:AWS\s+)?credentials\s+(?:are|were|have\s+been)?\s*(?:set|configured|provided|given)\b", re.I)


def _sent_without_credentials(t: str, hits: list[Hit]) -> list[Hit]:
    m = _NO_CREDENTIALS_SENT_RE.search(t) if "redential" in t or "nonymous" in t or "AWS_" in t or "eys" in t \
        else None
    first = first_fail(hits)
    if m is None or first is None or first.cause != "permission-missing":
        return hits
    said = " ".join(m.group(0).split())
    if (role := _POD_ROLE_NAMED_RE.search(t)) is not None:
        return _pod_role_unused(said, " ".join(role.group(0).split()), hits)
    top = _hit("no-credentials", Status.FAIL,
               f"The client had no credentials ('{said}') and sent the request unsigned: AWS refuses an anonymous "
               "request for anything not public, so the denial is of no caller at all — not of the identity meant to "
               "make it",
               ["Give the client its credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or the "
                "client's own setting — DuckDB `CREATE SECRET (TYPE s3, PROVIDER credential_chain)`), then retry",
                _SETTLE_CREDS], decided_by=f"'{said}'")
    return behind(top, hits)


# Tools that send a request unsigned rather than fail when they were given no credentials: rclone's S3 backend with
# no access_key_id / secret_access_key and env_auth false (rclone backend/s3/s3.go: "Leave blank for anonymous access
# or runtime credentials", `awsConfig.Credentials = aws.AnonymousCredentials{}` — "Using anonymous credentials - did
# you mean to set env_auth=true?"), DuckDB's httpfs without an S3 secret (duckdb-httpfs s3fs.cpp: the 403's "No
# credentials are provided"), s3fs with public_bucket=1 (s3fs(1): "anonymously mount a public bucket"). A bare
# denial ("Access Denied", no action, caller or policy named) from one of them may be of no caller at all: the
# unsigned request is offered right after the missing permission it cannot be told from.
_ANONYMOUS_CAPABLE_RE = lazy(r"\brclone\b|\bduckdb\b|\bpublic_bucket\b", re.I)


def _anonymous_capable(t: str, hits: list[Hit]) -> None:
    first = first_fail(hits)
    if (first is None or first.cause != "permission-missing" or UNDECIDED not in first.extra
            or any(h.cause == "request-not-signed" for h in hits)):
        return
    m = _ANONYMOUS_CAPABLE_RE.search(t)
    if m is None:
        return
    for h in hits:
        if isinstance(rank := h.extra.get("candidate_rank"), int):
            h.extra["candidate_rank"] = rank + 1
    hits.insert(hits.index(first) + 1, _hit(
        "request-not-signed", Status.WARN,
        f"Or the request went out unsigned: {m.group(0)} sends it anonymously when it was given no credentials "
        "(rclone without keys and env_auth, DuckDB without an S3 secret, s3fs with public_bucket), and AWS answers an "
        "anonymous request for anything not public with this same Access Denied",
        ["Give the tool its credentials in its own settings (rclone `env_auth = true` or access_key_id / "
         "secret_access_key; DuckDB `CREATE SECRET (TYPE s3, PROVIDER credential_chain)`; s3fs without "
         "public_bucket) and retry", "Settle it: run it with debug output (rclone -vv says 'Using anonymous "
         "credentials')"], candidate_rank=1))


# The pod (or task) is given a role of its own — IRSA's web identity (the eks.amazonaws.com/role-arn annotation,
# AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE), EKS Pod Identity or an ECS task role (the container endpoint's
# AWS_CONTAINER_CREDENTIALS_*_URI) — yet the client found no credentials: the SDK's default chain reads each of these
# (botocore credentials.py create_credential_resolver: assume-role-with-web-identity, container-role; aws-sdk-go-v2
# config resolve_credentials.go), so a client that comes up empty beside them does not use that source (its own
# credential code, an SDK release before it: EKS user guide "Use IRSA with the AWS SDK", "Pod Identity minimum SDK
# versions").
_POD_ROLE_NAMED_RE = lazy(r"\bIRSA\b|eks\.amazonaws\.com/role-arn|\bAWS_ROLE_ARN\b|\bAWS_WEB_IDENTITY_TOKEN_FILE\b|"
                          r"\bAWS_CONTAINER_CREDENTIALS_(?:FULL|RELATIVE)_URI\b|\b(?:EKS\s+)?Pod\s+Identity\b|"
                          r"\bIAM\s+roles?\s+for\s+service\s+accounts?\b|\btask\s+role\b", re.I)


def _pod_role_unused(said: str, role: str, hits: list[Hit]) -> list[Hit]:
    top = _hit("sdk-unsupported-credential-source", Status.FAIL,
               f"The client found no credentials ('{said}') and sent the request unsigned, although the text gives it "
               f"a role of its own ({role}): the client (its own credential code, or an SDK release that predates "
               "that source) does not use it",
               ["Configure the client to use the pod's source (DuckDB: `CREATE SECRET (TYPE s3, PROVIDER "
                "credential_chain)`; an SDK-based tool: a release whose AWS SDK reads web identity / the container "
                "endpoint), or give it credentials in its own settings",
                "Settle it: `sigdoctor run --only agent --only credentials` in the pod (AWS_ROLE_ARN and "
                "AWS_WEB_IDENTITY_TOKEN_FILE, or AWS_CONTAINER_CREDENTIALS_FULL_URI, set there and unused)"],
               decided_by=f"'{said}' beside {role}")
    out = behind(top, hits)
    if not any(h.cause == "no-credentials" for h in out):
        out.insert(1, _hit("no-credentials", Status.WARN,
                           f"Or no source was given to the client at all ('{said}'): the request went out unsigned, "
                           "and AWS refuses an anonymous request for anything not public", [_SETTLE_CREDS],
                           candidate_rank=1))
        for i, h in enumerate(out[2:], 2):
            if isinstance(h.extra.get("candidate_rank"), int):
                h.extra["candidate_rank"] = i
    return out


# A temporary access key (the ASIA prefix: IAM user guide "IAM identifiers", unique ID prefixes — "ASIA: Temporary
# (AWS STS) access key IDs") works only together with the session token of the same STS answer (IAM user guide
# "Use temporary credentials with AWS resources"); an environment dump, credentials file or config that shows the
# key and its secret but no token gives the agent a key AWS refuses (STS: InvalidClientTokenId "The security token
# included in the request is invalid", S3: InvalidAccessKeyId).
# The settings that name a key id: the environment, the shared files, boto3's and the SDKs' keyword arguments, JSON
# (STS's own AccessKeyId), and the agents' YAML (Prometheus / Grafana Agent sigv4 `access_key` / `secret_key`, which
# have no token field at all; Loki / Thanos `access_key_id`).
_TEMP_KEY_SET_RE = lazy(
    r"(?:AWS_ACCESS_KEY(?:_ID)?|aws_access_key_id|AccessKeyId|access_key(?:_id)?|accessKey(?:Id)?)[\"']?\s*[=:]\s*"
    r"[\"']?(ASIA[\w*.\[\]…-]*)"
    # Constructors that take a key pair and no token: Java's BasicAWSCredentials (1.x) and AwsBasicCredentials.create
    # (2.x); Go's static provider with an empty token argument (aws-sdk-go credentials.NewStaticCredentials(id, secret,
    # token), aws-sdk-go-v2 credentials.NewStaticCredentialsProvider(key, secret, session)).
    r"|(?:BasicAWSCredentials|AwsBasicCredentials\.create)\(\s*\"(ASIA[^\"]*)\""
    r"|NewStaticCredentials(?:Provider)?\(\s*\"(ASIA[^\"]*)\",\s*[^,]+,\s*\"\"\s*\)")
_SECRET_SET_RE = lazy(r"(?:AWS_SECRET_(?:ACCESS_)?KEY|aws_secret_access_key|SecretAccessKey|secret_access_key|"
                            r"secretAccessKey|secret_key|secretKey)[\"']?\s*[=:]|BasicAWSCredentials\(|"
                            r"AwsBasicCredentials\.create\(|NewStaticCredentials(?:Provider)?\(")
# A token set or sent (not AWS's own "The security token included in the request is invalid", which names the
# credentials it got).
_TOKEN_WORD_RE = lazy(r"session[_ -]?token|security[_ -]?token(?!\s+included)|SessionToken", re.I)
# The answers a temporary key without its token gets, as the rules read them; an answer that shows AWS accepted the
# caller (a denial of an action, a missing target) or that a token was sent (ExpiredToken) says the key had one.
_TOKEN_READINGS = frozenset({"access-key-invalid", "session-token-missing", "sts-opt-in-region"})


def _temporary_key_without_token(e: AwsError, hits: list[Hit]) -> list[Hit]:
    if "ASIA" not in e.text and "ASIA" not in e.context:
        return hits
    seen = f"{unescape(e.context)}\n{e.flat}" if e.context else e.flat
    m = _TEMP_KEY_SET_RE.search(seen)
    if m is None or not _SECRET_SET_RE.search(seen) or _TOKEN_WORD_RE.search(seen) or e.token_header:
        return hits
    failing = first_fail(hits)
    if failing is not None and failing.cause not in _TOKEN_READINGS:
        return hits
    key = next(g for g in m.groups() if g)
    shown = mask_key_id(key) if re.fullmatch(r"ASIA[A-Z0-9]{16}", key) else "ASIA…"
    first = _hit("session-token-missing", Status.FAIL,
                 f"The credentials shown set temporary key {shown} (ASIA: issued by STS) and its secret but no "
                 "session token: AWS accepts a temporary key only with the token of the same STS answer",
                 ["Set AWS_SESSION_TOKEN (aws_session_token in the credentials file) from the same STS answer as the "
                  "key pair, or let the agent assume the role itself (role_arn, IRSA, instance profile)",
                  _SETTLE_CREDS], decided_by=f"the temporary key {shown} set without a session token")
    return behind(first, hits)


# An ARN whose resource part holds another ARN (`…:deliverystream/arn:aws:firehose:…:deliverystream/name`): the SDK
# builds a resource's ARN from the name it is given (Firehose DeliveryStreamName, a log group name, a stream name),
# and was given a whole ARN as the name. No resource of that name can exist (ARN format, IAM user guide "IAM ARNs":
# the resource id takes no "arn:" prefix), so no policy for it helps; the configured target is what is wrong.
_NESTED_ARN_RE = lazy(r"\barn:aws[\w-]*:[\w-]+:[\w-]*:[\w*-]*:[^\s\"'<>,]*?[:/]arn:aws[\w-]*:[^\s\"'<>,]+")
_DENIAL_READINGS = frozenset({"permission-missing", "explicit-deny"})


def _nested_arn(t: str, hits: list[Hit]) -> list[Hit]:
    m = _NESTED_ARN_RE.search(t) if t.count("arn:aws") >= 2 else None
    if m is None or not any(h.cause in _DENIAL_READINGS or h.cause == "target-not-found" for h in hits):
        return hits
    arn = m.group(0)
    inner = arn.find("arn:", 4)
    first = _hit("target-not-found", Status.FAIL,
                 f"The resource {arn[:inner]}… holds a whole ARN where its name goes ({arn[inner:inner + 40]}…): the "
                 "agent was given the target's full ARN where it takes the name, and built a resource that cannot "
                 "exist — no permission for it helps",
                 ["Configure the target by its name (the part after the last '/'), not its ARN — or use the "
                  "setting that takes an ARN, if the agent has one"], resource=arn, decided_by="an ARN inside an ARN")
    return behind(first, hits)


# An ARN one of whose parts is what a program prints for a value never set: JavaScript's `undefined` / `null` /
# `NaN` / `[object Object]`, Python's `None`, Go's `<nil>` (fmt's %v of a nil pointer or interface) and Ruby's `nil`,
# an unexpanded `${VAR}` (shell, Terraform, CloudFormation Fn::Sub) or `{{…}}` template. The SDK builds the resource's
# ARN from the name it is given (the denial message quotes it: IAM user guide "Troubleshoot access denied error
# messages", "on resource: R"), so the name the agent was configured with, or computed, was empty: no resource of that
# name exists, and no policy for it makes the call work.
_UNSET_ARN_RE = lazy(r"\barn:aws[\w-]*:[^\s\"'<>,]*?[:/](undefined|null|None|nil|<nil>|NaN|\[object Object\]|"
                     r"\$\{[^}\s]*\}|\{\{[^}]*\}\})(?=[:/\s\"'<>,`)\]]|$)")


def _unset_name_in_arn(t: str, hits: list[Hit]) -> list[Hit]:
    m = _UNSET_ARN_RE.search(t) if "arn:" in t else None
    if m is None or not any(h.cause in _DENIAL_READINGS or h.cause == "target-not-found" for h in hits):
        return hits
    arn, unset = m.group(0), m.group(1)
    first = _hit("target-not-found", Status.FAIL,
                 f"The resource AWS names, {arn}, holds '{unset}' where a name goes: the agent built it from a "
                 "setting or variable that was never set, so it names a resource that cannot exist — no permission "
                 "for it helps",
                 ["Set the resource's name in the agent's configuration (or the variable or output it is read from) "
                  "and check it reaches the code that makes the call"], resource=arn,
                 decided_by=f"'{unset}' in the resource ARN")
    return behind(first, hits)


# S3's NoSuchKey ("The specified key does not exist.", 404: Amazon S3 API reference "Error responses") is an answer
# to a read the caller was allowed to make, in a bucket that exists: only the object is missing (a read before the
# first write, a wrong key or prefix). S3 answers a caller without s3:ListBucket 403 AccessDenied instead. So it is
# no missing target, no signing or credential problem: the bucket-level codes (NoSuchBucket) stay target-not-found.
_NO_KEY_RE = lazy(r"NoSuchKey|specified\s+key\s+does\s+not\s+exist", re.I)
_OTHER_NOT_FOUND_RE = lazy(r"NoSuchBucket|bucket\s+does\s+not\s+exist|ResourceNotFound|not\s+found|"
                                 r"log\s+(?:group|stream)\s+does\s+not\s+exist", re.I)


def _missing_object(t: str, hits: list[Hit]) -> None:
    if ("Key" not in t and "key" not in t) or not _NO_KEY_RE.search(t) or _OTHER_NOT_FOUND_RE.search(t):
        return
    for h in hits:
        if h.cause == "target-not-found" and h.status == Status.FAIL:
            h.status = Status.WARN
            h.message = ("S3 answered NoSuchKey: the bucket exists and the caller may read it — only the object is "
                         "missing (read before its first write, or a wrong key or prefix); no signing or credential "
                         "problem. Only if the agent should find it there: " + h.message)
            h.extra["missing_object"] = True


# AWS's answer to a signature outside its time window quotes the request's own signing time ("Signature expired:
# 20230804T000000Z is now earlier than …", "Signature not yet current: … is still later than …": S3 and the other
# services' RequestExpired / InvalidSignatureException wording). A time of day of exactly 00:00:00 is a timestamp the
# client built from a date (a date-only value, a day truncated in the client's code), not a clock that drifts — the
# host's clock may be right, and setting it changes nothing.
_QUOTED_SIGNING_TIME_RE = lazy(r"Signature\s+(?:expired|not\s+yet\s+current):\s*(\d{8})T000000Z\s+is\s+", re.I)


def _date_built_time(t: str, hits: list[Hit]) -> None:
    m = _QUOTED_SIGNING_TIME_RE.search(t) if "T000000Z" in t else None
    if m is None:
        return
    for h in hits:
        if h.cause == "clock-skew" and h.status == Status.FAIL:
            h.status = Status.WARN
            h.message = (f"The request was signed at exactly midnight ({m.group(1)}T000000Z): a signing time the "
                         "client built from a date, not a drifting clock — the code (or the value it is given) must "
                         "sign with the current UTC date and time of day. Only if the host's clock is wrong too: "
                         + h.message)
            h.fix.insert(0, "Sign with the current time: pass a full timestamp (date and time of day, UTC) to the "
                            "signer, or let the SDK take the time itself")
            h.extra["date_built_time"] = f"{m.group(1)}T000000Z"


# A Python traceback quotes, under each `File "…", line N, in f` frame, that line of the source; the exception is
# its last line (Python library reference, "traceback"). `raise NoCredentialsError()` in a frame is code, not what was
# raised, and a Python error about the code itself (`NameError: name 'NoCredentialsError' is not defined`: a missing
# import; AttributeError, ImportError …) names the AWS error only as a name in that code. Where every AWS word of a
# text stands in such lines, no reading of them is AWS's or the credential chain's verdict.
# The source line is indented deeper than its frame's line (a frozen program's traceback has no source lines: the
# next line is then another frame, or the exception, at the frame's depth or less).
_FRAME_RE = lazy(r"^([ \t]*)File \"[^\"\n]+\", line \d+, in [^\n]*\n\1[ \t]+(?!File \")[^\n]*$", re.M)
_RAISE_RE = lazy(r"[ \t]+raise\s+[\w.]+\(?")
_CODE_ERROR_RE = lazy(r"^[ \t]*((?:[A-Za-z_]\w*\.)*(?:NameError|UnboundLocalError|AttributeError|ImportError|"
                            r"ModuleNotFoundError|SyntaxError|TypeError)):[^\n]*$", re.M)


def _quoted_source_line(text: str, hits: list[Hit]) -> None:
    if not any(h.status == Status.FAIL for h in hits) or ("File \"" not in text and "Error:" not in text):
        return
    found = list(_FRAME_RE.finditer(text)) if "File \"" in text else []
    frames = [(f.start(), f.end()) for f in found]
    raised = _CODE_ERROR_RE.search(text)
    spans = frames + ([(raised.start(), raised.end())] if raised else [])
    if not spans:
        return
    words = [m.start() for _, m in table().occurrences(text)]
    if not words or not all(any(a <= w < b for a, b in spans) for w in words):
        return
    if raised is None and _RAISE_RE.match(found[-1].group(0).rsplit("\n", 1)[-1]) and any(
            w >= found[-1].start() for w in words):
        # A traceback cut after its last frame's `raise X(…)` (or whose exception line decode reads as the next
        # record) most likely raised X: of the four texts of corpus batches 1-7 whose last frame raises an AWS
        # error's name, three raised it (a ProfileNotFound cut short, a ProxyConnectionError and an SSLError on the
        # next line) and one a NameError, which only its own line shows.
        return
    if raised:
        said = " ".join(raised.group(0).split())[:160]
        why = (f"The exception raised is `{said}`: a Python error in the code, which names the AWS error only as a "
               "name in that code — not an answer of AWS or of the credential chain")
        fix = ("Fix the code the traceback ends in (a missing import or mismatched versions: upgrade or pin the "
               "library together with its dependencies, e.g. botocore with awscrt)")
    else:
        why = ("The AWS error's name stands here only in a line of source the traceback quotes (code, not what "
               "was raised): what was raised is the traceback's last line")
        fix = ("Read the traceback's last line (the exception and its message) for what was raised — paste it too "
               "if it was cut off")
    for h in hits:
        if h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["demoted"] = True
    hits[0].message = f"{why} — this reading is only a guess: {hits[0].message}"
    hits[0].fix.insert(0, fix)
    hits[0].extra["code_error"] = raised.group(1) if raised else "source line"


# An endpoint set by hand (boto3's endpoint_url, the CLI's --endpoint-url, AWS_ENDPOINT_URL, an agent's `endpoint =`)
# to a host that is not AWS's: the signature mismatch is that server's verdict, and S3-compatible servers differ from
# AWS in the signature versions, headers and path styles they accept (AWS CLI user guide "endpoint_url"; AWS SDKs and
# Tools reference guide "Service-specific endpoints"). A mismatch AWS itself answered keeps AWS's readings.
_ENDPOINT_SET_RE = lazy(
    r"(?:--endpoint(?:-url)?[= ]|\b(?:endpoint_url|endpointUrl|endpoint_override|endpointOverride|BaseEndpoint|"
    # PHP's array and Ruby's hash give the option with `=>` (aws-sdk-php's client option 'endpoint' => '…').
    r"AWS_ENDPOINT_URL(?:_S3)?|(?:AWS_)?S3_ENDPOINT|s3_endpoint|s3\.endpoint|host_base|endpoint)[\"']?\s*(?:=>|[=:])\s*"
    # Java 2.x endpointOverride(URI.create("…")), Java 1.x new EndpointConfiguration("…", region), Go aws.String("…").
    r"|\b(?:endpointOverride|EndpointConfiguration)\(\s*(?:new\s+)?(?:URI\.create\(\s*)?"
    r"|\bBaseEndpoint\s*[=:]\s*aws\.String\(\s*"
    # The MinIO client's alias of a server: `mc alias set ALIAS URL …` (before 2020 `mc config host add ALIAS URL …`).
    r"|\bmc(?:\.exe)?\s+(?:alias\s+set|config\s+host\s+add)\s+[\w.-]+\s+)[\"']?([^\s\"',)}]+)")
_BARE_ENDPOINT_RE = lazy(r"endpoint[\"']?\s*[=:]", re.I)
# A value that sets no endpoint.
_NO_ENDPOINT = frozenset({"null", "none", "nil", "default", "auto", "true", "false", "undefined", "''", '""'})
_AWS_ENDPOINT_RE = lazy(r"(?:^|[/.@])(?:[\w-]+\.)*(?:amazonaws\.com(?:\.cn)?|api\.aws|on\.aws)(?::\d+)?(?:/|$)",
                              re.I)
_MISMATCH_READINGS = frozenset({"secret-key-mismatch", "canonicalization-mismatch", "request-modified-after-signing"})


# An address a server listens on, not one a client sends to.
_LISTEN_RE = lazy(r"(?:\w+://)?(?:0\.0\.0\.0|\[::\]|::|:)\b")


def _sets_endpoint(m: re.Match[str]) -> bool:
    """The setting names a server: a URL or host, or (where code sets it: boto3's endpoint_url=url) a variable — a
    bare word in a log's `endpoint: x` is none."""
    value = m.group(1)
    if "://" in value or "." in value or value.startswith("localhost"):
        return True
    return value.isidentifier() and value.lower() not in _NO_ENDPOINT and not _BARE_ENDPOINT_RE.match(m.group(0))


def _custom_endpoint(e: AwsError, hits: list[Hit]) -> None:
    first = first_fail(hits)
    if first is None or first.cause not in _MISMATCH_READINGS or "candidates" not in first.extra or (
            e.host and _AWS_ENDPOINT_RE.search(f"//{e.host}")):
        return
    seen = _with_context(e)
    found = list(_ENDPOINT_SET_RE.finditer(seen)) if "ndpoint" in seen or "NDPOINT" in seen or "host_base" in seen \
        or "mc " in seen else []
    # A config may set several endpoints (an OTel Collector's receiver listens on `endpoint: 0.0.0.0:4317`, its
    # exporter sends to AWS): one of AWS's among them says the request may well have gone to AWS.
    if any(_AWS_ENDPOINT_RE.search(f.group(1)) for f in found):
        return
    m = next((f for f in found if not _LISTEN_RE.match(f.group(1)) and _sets_endpoint(f)), None)
    if m is None or recognise(e.text, e.host, e.context) is not None:
        return
    value = m.group(1)
    url = "://" in value or "." in value or value.startswith("localhost")
    said = f"the endpoint is set to {value[:80]}" if url else f"a custom endpoint is set ({m.group(0)[:80].strip()})"
    for h in hits:
        if h.status == Status.FAIL:
            h.status = Status.WARN
            h.extra["demoted"] = True
    first.message = (f"{said[0].upper()}{said[1:]}, not AWS's: the mismatch is that server's verdict, and S3-compatible "
                     "servers differ from AWS in the signature versions, headers and addressing they accept — this "
                     f"AWS reading is only a guess: {first.message}")
    first.fix.insert(0, "Check the client against that server's own requirements (its keys, the signature version and "
                        "addressing style it accepts, e.g. botocore Config(signature_version='s3v4', "
                        "s3={'addressing_style': 'path'})); sigdoctor's causes are about AWS")
    first.extra["backend"] = value[:80] if url else "a custom endpoint"


# An S3 URI is s3://BUCKET/KEY: its first part is the bucket's name (AWS CLI user guide "Use high-level (s3)
# commands": s3://bucket-name/prefix; Hadoop's s3a:// the same), never the endpoint — the client finds the endpoint from
# its region. An S3 endpoint host written there (s3://s3.eu-west-2.amazonaws.com/bucket/key) asks for a bucket of
# that name, which is someone else's or none, so S3 refuses (403: a bucket of another account, or a HEAD's bare
# answer) or says NoSuchBucket — no permission of the caller's can fix it.
_ENDPOINT_BUCKET_RE = lazy(r"\bs3[an]?://(s3[\w.-]*\.amazonaws\.com(?:\.cn)?)(?=[/\s\"'`]|$)", re.I)
_BUCKET_READINGS = frozenset({"permission-missing", "explicit-deny", "target-not-found", "credentials-expired"})


def _endpoint_as_bucket(e: AwsError, hits: list[Hit]) -> list[Hit]:
    seen = _with_context(e)
    m = _ENDPOINT_BUCKET_RE.search(seen) if "://s3" in seen.lower() else None
    lead = first_fail(hits) or (hits[0] if hits else None)
    if m is None or lead is None or lead.cause not in _BUCKET_READINGS:
        return hits
    host = m.group(1)
    first = _hit("target-not-found", Status.FAIL,
                 f"The S3 URI names the endpoint {host} where the bucket's name goes (s3://BUCKET/KEY): the client "
                 "asked for a bucket called that, someone else's or none — no permission of the caller's can fix it",
                 [f"Write the URI as s3://BUCKET/KEY with the bucket's own name (drop {host}/), and give the region "
                  "with --region or AWS_REGION", "Check the bucket: `aws s3api head-bucket --bucket BUCKET`"],
                 bucket=host, decided_by=f"the endpoint {host} written as the bucket of an S3 URI")
    return behind(first, hits)


# API Gateway answers `{"message":"Missing Authentication Token"}` (403, x-amzn-ErrorType MissingAuthenticationToken
# Exception) both to an unsigned request for a method that uses IAM authorization and to a resource, method or stage
# the API does not have (AWS re:Post knowledge center, https://repost.aws/knowledge-center/api-gateway-authentication-
# token-errors; an API's methods take no IAM authorization unless set to AWS_IAM: API Gateway developer guide,
# "Control access to an API with IAM permissions"). Two
# texts lean to the unknown route: an execute-api URL with nothing after its stage (the root resource, which most
# APIs give no method), and a plain GET from a browser or curl — which never signs — to an API Gateway URL, where no
# signing and no IAM authorization is in sight (an API left at its default authorization would have answered it).
# The text still cannot decide: both readings stay warnings, the unknown route first.
_MISSING_TOKEN_RE = lazy(r"Missing\s*Authentication\s*Token", re.I)
_EXECUTE_API_URL_RE = lazy(r"https?://[a-z0-9]{10}\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?"
                                 r"(/[^\s\"'`<>)\]]*)?", re.I)
_STAGE_ONLY_RE = lazy(r"/?[^/?#]*/?(?:[?#].*)?")
_PLAIN_CLIENT_RE = lazy(r"(?:^|[\s`$>])curl\s|\b(?:in|from|with|into)\s+(?:the\s+|a\s+|my\s+)?(?:web\s+)?browser\b",
                              re.I | re.M)
_API_GATEWAY_NAMED_RE = lazy(r"\bAPI\s*Gateway\b|\bInvoke\s+URL\b", re.I)
# Signing in sight: curl's own SigV4 (--aws-sigv4), a signed request's headers or query, a signing client or proxy,
# or the method's IAM authorization named.
_SIGNING_SEEN_RE = lazy(r"--aws-sigv4|\bAuthorization\s*:|X-Amz-(?:Date|Security-Token|Signature|Credential)|"
                              r"\bawscurl\b|\bsigv4\b|\bAWS4-HMAC-SHA256\b|\bAWS_IAM\b|\bIAM\s+(?:auth\w*|authori[sz]ation)|"
                              r"\bauth(?:orization)?\s+(?:is\s+)?(?:on|set|enabled)?\s*(?:with|to)\s+IAM\b|"
                              r"\bauthorizationType\b", re.I)


def _unknown_route(e: AwsError, hits: list[Hit]) -> list[Hit]:
    unsigned = first_fail(hits, cause="request-not-signed")
    if unsigned is None or not _MISSING_TOKEN_RE.search(e.flat):
        return hits
    seen = _with_context(e)
    if _SIGNING_SEEN_RE.search(seen):
        return hits
    url = _EXECUTE_API_URL_RE.search(seen)
    if url is not None and _STAGE_ONLY_RE.fullmatch(url.group(1) or ""):
        why = f"the URL {url.group(0)[:120]} has no resource path after its stage (the API's root resource)"
    elif (plain := _PLAIN_CLIENT_RE.search(seen)) and (url is not None or _API_GATEWAY_NAMED_RE.search(seen)):
        client = "curl" if "curl" in plain.group(0).lower() else "a browser"
        why = (f"{client}, which does not sign, sent a plain request to " + (url.group(0)[:120] if url else
               "the API Gateway URL") + " with no IAM authorization in sight")
    else:
        return hits
    first = _hit("target-not-found", Status.WARN,
                 f"Most likely the API has no such route: {why}; API Gateway answers a resource, method or stage it "
                 "does not have with this same Missing Authentication Token",
                 ["Call a resource path and method the API defines, under its deployed stage: `aws apigateway "
                  "get-resources --rest-api-id ID` (REST) or `aws apigatewayv2 get-routes --api-id ID` (HTTP), "
                  "`aws apigateway get-stages --rest-api-id ID`",
                  "Settle it: a path the API defines answers differently (200, or 403 with another message) — "
                  "only if that method uses AWS_IAM authorization must the request be SigV4-signed"],
                 unknown_route=why)
    out = [first]
    rank = 1
    for h in hits:
        if h.cause == first.cause:
            continue
        if h.status == Status.FAIL:
            h.status = Status.WARN
        if h.status == Status.WARN:
            h.extra["candidate_rank"] = rank
            rank += 1
        if h is unsigned:
            h.message = f"Or the route exists and its method uses IAM authorization (AWS_IAM): {h.message}"
        out.append(h)
    return out
