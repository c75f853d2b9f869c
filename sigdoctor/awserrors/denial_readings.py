"""Denial readings: AccessDenied answers (identity or trust policy, explicit deny) and the STS calls behind them."""

from __future__ import annotations

import re

from sigdoctor.awserrors.clues import behind
from sigdoctor.awserrors.hit import UNDECIDED, Hit, cue_text, first_fail
from sigdoctor.awserrors.parse import AwsError
from sigdoctor.awserrors.table import Match
from sigdoctor.model import Status

# Actions a role's trust policy (not the caller's identity policy) must allow: AssumeRole*, and the session tags
# and source identity passed with it (IAM user guide id_session-tags.html "Required permissions to add session
# tags": sts:TagSession in the trust policy; id_credentials_temp_control-access_monitor.html: sts:SetSourceIdentity).
_TRUST_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity")
# Datadog's AWS integration words AWS's denial "Datadog is not authorized to perform action sts:AssumeRole" (docs
# "Error: Datadog is not authorized to perform sts:AssumeRole": the integration role's trust policy).
ACTION_RE = re.compile(r"[Nn]ot authorized to perform(?: action)?:? ([a-z0-9-]+:[A-Za-z0-9*]+)")
_RESOURCE_RE = re.compile(r"on resource:? (arn:[^\s\"'<>,]+|\"?[^\s\"']+\"?)")
_PRINCIPAL_RE = re.compile(r"User: (arn:[^\s\"'<>]+) is not authorized")
EXPLICIT_RE = re.compile(r"with an explicit deny(?: in an? ([a-z -]+?policy|permissions boundary))?")

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
# A tool's or a person's own words that the denial is STS's ("Access Denied for STS", "STS returned AccessDenied"):
# the same answer, STS named in other words — and no word of which AssumeRole call it was.
_STS_IN_WORDS_RE = re.compile(r"\bAccess\s?Denied\b[^.\n]{0,20}?\b(?:for|from|by|calling|with)\s+(?:the\s+)?(?:AWS\s+)?"
                            r"STS\b|\bSTS\b[^.\n]{0,30}?\b(?:returned|returns|answered|answers|says|said|gives|gave|"
                            r"responded\s+with|fails?\s+with|failed\s+with|error:?)\s+(?:an?\s+)?(?:403\s+)?"
                            r"Access\s?Denied\b")
# The action a role's trust policy decides, named in the record beside a denial that does not quote AWS's "not
# authorized to perform" sentence (a tool's own wording of the refused AssumeRole: "AccessDenied when calling
# sts:AssumeRoleWithWebIdentity", "access denied (sts:AssumeRole)").
_TRUST_ACTION_NAMED_RE = re.compile(r"(?<![\w/.:-])(sts:(?:AssumeRole(?:WithWebIdentity|WithSAML)?|TagSession|"
                                    r"SetSourceIdentity))\b(?!\s*\\?[\"']?\s*[:,\]])")

# The SDK names the STS call that failed, AssumeRoleWithWebIdentity, but its answer is cut from the text: the SDK makes
# that call only once it has read the token file, so the token is readable and the chain is not empty; STS (or the
# way to it) refused. Of the 25 texts of corpus batches 1-5 where AssumeRoleWithWebIdentity failed, 18 were the
# role's trust policy (the service account's sub / aud conditions), 6 STS rejecting the token itself (no OIDC
# provider, audience, expiry), 1 an unreadable token file: the readings are ranked in that order.
STS_WI_CALL_RE = re.compile(r"operation\s+error\s+STS:\s*AssumeRoleWithWebIdentity|when\s+calling\s+the\s+"
                            r"AssumeRoleWithWebIdentity\s+operation|AssumeRoleWithWebIdentityCommand")
# The call ran out of time rather than being answered (Go v2: "request canceled, context deadline exceeded", or its
# retry quota spent on failed attempts): there is no answer of STS's to be cut, checks/errors/agents8.toml reads it.
STS_WI_TIMED_OUT_RE = re.compile(r"context\s+deadline\s+exceeded|retry\s+quota\s+exceeded")


def web_identity_call_hits() -> list[Hit]:
    return two_readings(
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


def two_readings(decide: str, first: tuple[str, str, list[str]], second: tuple[str, str, list[str]], *, lead: str,
                 or_: str = "Or: ", second_rank: bool = True) -> list[Hit]:
    """Two readings the text cannot decide between: the likelier as the error, with both as its candidates and the
    command that settles it, the other as a warning."""
    hit = Hit(first[0], Status.FAIL, lead + first[1], [*first[2], f"Settle it: `{decide}`"])
    hit.extra["candidates"] = [{"cause": c, "why": why, "decide": decide} for c, why, _ in (first, second)]
    return [hit, Hit(second[0], Status.WARN, or_ + second[1], [*second[2], f"Settle it: `{decide}`"],
                     {"candidate_rank": 1} if second_rank else {})]


# GetCallerIdentity needs no permission, and no policy can deny it ("No permissions are required to perform this
# operation. If an administrator attaches a policy to your identity that explicitly denies access to the
# sts:GetCallerIdentity action, you can still perform this operation": STS API reference, GetCallerIdentity). So a
# denial of it — a bare 403, or an agent's "access denied" around it (aws-iam-authenticator's server verifies a
# token by sending its presigned GetCallerIdentity: pkg/token/token.go Verify, "sts getCallerIdentity failed: error
# from AWS (expected 200, got %d)") — is STS refusing the caller's credentials or signature, never a policy. The
# readings are ranked by the GetCallerIdentity 403s of corpus batches 1-9 whose code the text shows (18):
# InvalidClientTokenId 12 (a key STS does not know 9, a session token missing 2, a region STS is off in 1),
# ExpiredToken 4, SignatureDoesNotMatch 2; then a signed header changed in transit (the authenticator signs
# x-k8s-aws-id and Host) and the signing clock.
_CALLER_IDENTITY_RE = re.compile(r"sts\s+getCallerIdentity\s+failed|operation\s+error\s+STS:\s*GetCallerIdentity\b|"
                                 r"calling\s+the\s+GetCallerIdentity\s+operation|\bsts:GetCallerIdentity\b", re.I)
_CALLER_IDENTITY_DECIDE = ("sigdoctor run --only credentials --only identity with the credentials that signed the call "
                           "(it sends GetCallerIdentity and reads STS's own code)")
_CALLER_IDENTITY_READINGS = (
    ("access-key-invalid", "STS does not know the access key that signed it (InvalidClientTokenId: a deleted or "
                           "mistyped key, another partition's)"),
    ("credentials-expired", "the signing credentials (a session, an SSO or assumed-role token) expired "
                            "(ExpiredToken)"),
    ("secret-key-mismatch", "the secret key does not belong to the access key (SignatureDoesNotMatch)"),
    ("session-token-missing", "a temporary (ASIA) key signed without its session token"),
    ("request-modified-after-signing", "a signed header (aws-iam-authenticator's x-k8s-aws-id, Host) was changed or "
                                       "dropped between the signer and STS — a proxy, or a token made for another "
                                       "cluster"),
    ("clock-skew", "the signer's clock is off, so STS finds the signature outside its time window"),
)


def caller_identity_hits(said: str) -> list[Hit]:
    """STS refused GetCallerIdentity: the readings of a refused caller, none a permission, each a warning."""
    cands = [{"cause": c, "why": why, "decide": _CALLER_IDENTITY_DECIDE} for c, why in _CALLER_IDENTITY_READINGS]
    out = []
    for i, (cause, why) in enumerate(_CALLER_IDENTITY_READINGS):
        lead = (f"STS refused GetCallerIdentity ({said}), which needs no permission and which no policy can deny: STS "
                "did not accept the caller's credentials or signature; the text cannot decide. Most likely"
                if i == 0 else "Or")
        out.append(Hit(cause, Status.WARN, f"{lead} {cause}: {why}", [f"Settle it: `{_CALLER_IDENTITY_DECIDE}`"],
                       {"candidates": cands, "decided_by": "GetCallerIdentity needs no permission"} if i == 0
                       else {"candidate_rank": i}))
    return out


# A role's session asking for the same role: since 2022 a role no longer trusts itself implicitly — assuming itself
# needs its trust policy to name the role's own ARN like any other principal (AWS Security Blog, "Announcing an
# update to IAM role trust policy behavior", September 2022; IAM user guide "Role chaining"). It is almost always a
# tool that already runs as the role (IRSA, an instance profile, an earlier AssumeRole) and is configured to assume
# it once more.
_SESSION_ROLE_RE = re.compile(r"^arn:aws[\w-]*:sts::(\d{12}):assumed-role/([\w+=,.@-]+)/")
_ROLE_ARN_RE = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


def _self_assumed(principal: str, resource: str) -> str | None:
    """The role's name when the caller's session is of the role it asks to assume."""
    who, role = _SESSION_ROLE_RE.match(principal), _ROLE_ARN_RE.match(resource)
    return who.group(2) if who and role and who.groups() == role.groups() else None


def _self_assume_hit(act: str, role: str, extra: dict[str, str]) -> Hit:
    return Hit("role-trust-denied", Status.FAIL,
               f"{act} was denied: role {role} tried to assume itself — the caller is already a session of {role}. "
               "A role does not trust itself implicitly (since 2022): its trust policy must name its own ARN, and a "
               "tool that already runs as the role (IRSA, an instance profile) was most likely told to assume it "
               "once more",
               ["Drop the role ARN from the tool's assume-role setting (role_arn, --role, the plugin's "
                "credentials config): it already runs as that role",
                f"Or, if assuming it again is intended, add {extra.get('resource', 'the role')} as a Principal in its "
                "own trust policy (`aws iam get-role --role-name ROLE --query Role.AssumeRolePolicyDocument`)"],
               {**extra, "self_assume": role, "decided_by": "the same role on both sides of the AssumeRole denial"})


# A tool's own sentence for a refused call (checks/errors/denials10.toml) names the action its own way ("User not has
# permission sqs:ReceiveMessage", "API: sqs:CreateQueue Access to the resource … is denied"): the IAM action name
# (service prefix, colon, the API's CamelCase name — IAM user guide "IAM JSON policy elements: Action") is read
# wherever it stands in the record. Not after a letter, slash, dot or colon: an ARN's `arn:aws:iam` or a URL's scheme.
_NAMED_ACTION_RE = re.compile(r"(?<![\w/.:-])([a-z][a-z0-9-]{1,40}:[A-Z][a-z][A-Za-z0-9]*)\b")
# Lambda names the API and the service apart ("The provided execution role does not have permissions to call
# CreateNetworkInterface on EC2"): the IAM action is the service's prefix and the API's name.
_API_ON_SERVICE_RE = re.compile(r"\bto\s+call\s+([A-Z][A-Za-z0-9]+)\s+on\s+([A-Z][A-Za-z0-9]{1,20})\b")
_OWN_WORDS_FILE = "denials10.toml"

# aws-iam-authenticator's server logs each token it refuses as msg="access denied" (logrus, text or JSON formatter)
# with the reason in `error` (pkg/server/server.go authenticateEndpoint): a token it cannot parse ("input token was
# not properly formatted: …", pkg/token/token.go FormatError), STS refusing the presigned GetCallerIdentity ("sts
# getCallerIdentity failed: …", read above as a refused caller), or an identity no mapping names ("identity is not
# mapped", the aws-auth ConfigMap / access entries). The webhook refusing a token is no IAM denial of an action: it
# is never a missing permission.
_AUTHENTICATOR_REFUSAL_RE = re.compile(r"\bmsg=\\*\"?access denied\b|\"msg\\*\"\s*:\s*\\*\"access denied\\*\"")


# kiam's server fetches a pod's credentials by assuming the role the pod is annotated with, with its own (the server's)
# credentials, and logs the failure with the pod's fields (uswitch/kiam v4.2 pkg/server/server.go GetPodCredentials:
# logger.WithField("pod.iam.requestedRole", req.Role).Errorf("error retrieving credentials: %s", err) after
# credentialsProvider.CredentialsForRole, which is pkg/aws/sts/gateway.go's svc.AssumeRoleWithContext); its agent
# relays the same failure to the pod as "error fetching credentials: rpc error: … desc = <the server's error>"
# (pkg/aws/metadata/handler_credentials.go) on the pod's `…/meta-data/iam/security-credentials/ROLE`. An
# AccessDenied there is STS refusing that AssumeRole: the pod role's trust policy does not admit the server's role
# (or the server's role may not call sts:AssumeRole on it) — never the pod's own permissions, which no call used yet.
_KIAM_ASSUME_DENIED_RE = re.compile(
    r"error\s+retrieving\s+credentials:\s*AccessDenied\b[^{}]{0,400}?pod\.iam\.requestedRole\W{1,6}([\w+=,.@/-]*)|"
    r"error\s+fetching\s+credentials:\s*rpc\s+error:[^\n]{0,80}?desc\s*=\s*AccessDenied\b[^{}]{0,400}?"
    r"meta-data/iam/security-credentials/([\w+=,.@-]*)")


def _kiam_assume_denied(m: re.Match[str]) -> list[Hit]:
    role = m.group(1) or m.group(2) or "the pod's role"
    decide = ("aws iam get-role --role-name POD_ROLE --query Role.AssumeRolePolicyDocument (it must name the kiam "
              "server's role); aws iam simulate-principal-policy --policy-source-arn SERVER_ROLE_ARN --action-names "
              "sts:AssumeRole --resource-arns POD_ROLE_ARN")
    return two_readings(
        decide,
        ("role-trust-denied", f"the trust policy of {role} does not admit the kiam server's role",
         ["Add the kiam server's role as a Principal (Action sts:AssumeRole) in the pod role's trust policy"]),
        ("permission-missing", "the kiam server's role has no policy allowing sts:AssumeRole on that role",
         ["Allow sts:AssumeRole on the pod roles (their ARNs or a prefix) in the kiam server role's policy"]),
        lead=f"kiam's server assumes the pod's role ({role}) with its own credentials, and STS refused that "
             "AssumeRole (AccessDenied). Most likely: ")


def _trust_action(action: str, t: str) -> bool:
    """`action` is one a role's trust policy decides — or the start of one, cut off in the paste (`sts:Ass`), where the
    text names the AssumeRole* call that was refused: the cut name can only be that call's action. A cut name alone
    is not enough, `sts:Assum` is also the start of sts:AssumeRoot, which the caller's own policy decides."""
    a = action.lower()
    if a.startswith(_TRUST_ACTIONS):
        return True
    return len(a) > len("sts:") and any(x.startswith(a) for x in _TRUST_ACTIONS) and bool(_STS_DENIED_RE.search(t))


def denied_hits(e: AwsError, found: Match) -> list[Hit]:
    t = e.flat
    if "g credentials: " in t and (kiam := _KIAM_ASSUME_DENIED_RE.search(t)) is not None:
        return _kiam_assume_denied(kiam)
    action_m = ACTION_RE.search(t)
    action = action_m.group(1) if action_m else None
    if (action is None or action.lower() == "sts:getcalleridentity") and (ci := _CALLER_IDENTITY_RE.search(t)):
        return caller_identity_hits(" ".join(ci.group(0).split()))
    if action is None and _AUTHENTICATOR_REFUSAL_RE.search(t):
        return []
    if action is None and "sts:" in t and (trust := _TRUST_ACTION_NAMED_RE.search(t)) is not None:
        action = trust.group(1)
    if action is None and any(x.file == _OWN_WORDS_FILE for x in found.entries):
        if named := _NAMED_ACTION_RE.search(t):
            action = named.group(1)
        elif api := _API_ON_SERVICE_RE.search(t):
            action = f"{api.group(2).lower()}:{api.group(1)}"
    res_m = _RESOURCE_RE.search(t)
    resource = res_m.group(1).strip('"') if res_m else None
    who_m = _PRINCIPAL_RE.search(t)
    principal = who_m.group(1) if who_m else None
    explicit = EXPLICIT_RE.search(t)
    extra = {k: v for k, v in (("action", action), ("resource", resource), ("principal", principal)) if v}
    what = f"{action or 'the action'}" + (f" on {resource}" if resource else "")
    who = principal or "the caller"
    if (action and _trust_action(action, t)) or (
            action is None and "AssumeRoleWithWebIdentity" in t and "Not authorized" in t) or (
            action is None and _STS_DENIED_RE.search(t)):
        act = action or "sts:AssumeRoleWithWebIdentity"
    elif action is None and "STS" in t and _STS_IN_WORDS_RE.search(t):
        act = "sts:AssumeRole*"  # which one the words do not say
    else:
        act = ""
    if act:
        if principal and resource and (self_assumed := _self_assumed(principal, resource)):
            return [_self_assume_hit(act, self_assumed, {**extra, "action": act})]
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
    if action is None:
        # A bare denial ("Access Denied", an SDK's AccessDenied with no message of AWS's naming the action): the
        # caller, the action and the policy type are all unsaid, so a missing permission is only the usual reading —
        # an identity other than the one meant (an SDK that fell back to the node's role), an anonymous request S3
        # refuses, an explicit deny and a non-AWS server answer the same. Over corpus batches 1-12 its error named the
        # label 76 % of the time, batch 13 (blind) 47 %; where the text names the action (AWS's "is not authorized to
        # perform …", or a tool's own words for it, denials10.toml) 90 % / 80 % (bench/severity.py). `sigdoctor run
        # --only permissions` decides.
        extra[UNDECIDED] = ("the denial names no action, caller or policy: a missing permission, another identity "
                            "than the one meant, an unsigned request and an explicit deny all get this answer")
    return [Hit("permission-missing", Status.FAIL, f"{who} is not allowed {what} (no policy allows it)", fix, extra)]


# The caller AWS names is an EC2 instance's role session (`assumed-role/ROLE/i-…`: EC2 names the session of an
# instance profile's role after the instance id — IAM user guide, "IAM roles for Amazon EC2"), while the text shows
# the pod was given its own role (IRSA's eks.amazonaws.com/role-arn, AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE, EKS
# Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI): the SDK skipped the pod's source and fell back to the node's
# instance metadata — an SDK release that predates that source, or a container the webhook never gave its variables
# (EKS user guide, "Use IRSA with the AWS SDK": supported SDK versions; "the pod uses the node's role").
_NODE_SESSION_RE = re.compile(r"assumed-role/[\w+=,.@-]+/i-[0-9a-f]{8,17}\b")
_POD_ROLE_RE = re.compile(r"\bIRSA\b|eks\.amazonaws\.com/role-arn|\bAWS_ROLE_ARN\b|\bAWS_WEB_IDENTITY_TOKEN_FILE\b|"
                          r"\bAWS_CONTAINER_CREDENTIALS_FULL_URI\b|pod[ -]?identit(?:y|ies)", re.I)


def node_role_first(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A denial of the node's instance role where the pod has its own: the SDK that fell back reads first, the
    missing permission (and any other error reading) stays behind it as a ranked warning."""
    first = first_fail(hits)
    who = _PRINCIPAL_RE.search(e.flat) if first is not None and first.cause == "permission-missing" else None
    if who is None or not _NODE_SESSION_RE.search(who.group(1)) or not _POD_ROLE_RE.search(cue_text(e)):
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


# A metadata-credentials proxy (kube2iam, kiam) answers a pod's request for `…/meta-data/iam/security-credentials/ROLE`
# by assuming ROLE itself, through the SDK's default chain (kube2iam iam/iam.go AssumeRole: sts.New(session.NewSession())
# — environment keys, then the shared files, then the node's instance role), meant to be the node's role. AWS names
# the caller it saw: an IAM user there (`arn:aws:iam::ACCOUNT:user/NAME`, a long-term access key's principal; a role
# shows as `assumed-role/…`) means static keys in the proxy's environment or files won the chain over the node role.
_IAM_USER_RE = re.compile(r"^arn:aws[\w-]*:iam::[^:]*:user/")
_ROLE_PROXY_RE = re.compile(r"meta-data/iam/security-credentials/[\w+=,.@-]+|\bkube2iam\b|\bkiam\b", re.I)


def user_behind_role_proxy(e: AwsError, hits: list[Hit]) -> list[Hit]:
    """A denial of AssumeRole to an IAM user, answered where a metadata proxy assumes roles with the node's role: the
    static keys that shadow the role read first; the trust policy (literally what AWS refused) stays behind it."""
    first = first_fail(hits)
    who = _PRINCIPAL_RE.search(e.flat) if first is not None and first.cause == "role-trust-denied" else None
    if who is None or not _IAM_USER_RE.search(who.group(1)):
        return hits
    proxy = _ROLE_PROXY_RE.search(cue_text(e))
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
