"""The `identity` probe: does STS accept the winning credentials (GetCallerIdentity on the endpoint the agent's SDK
would use), who are they, and does the `--role-arn` assumption work the way the agent's `sigv4.role_arn` makes it.

An STS error becomes the finding of the cause the evidence points to (sigdoctor/awserrors/sts.py); a connection
failure is left to the dns and connectivity probes. The probe starts as soon as botocore's chain names its winner
(`ctx.state.chain`), while the credentials probe still surveys the other sources. Later probes sign with
`ctx.state.identity.credentials` (the assumed role's when --role-arn is given) and read the caller from its `caller`
(whose `assumed` entry, also its `effective`, is who those credentials are).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sigdoctor import incomplete
from sigdoctor.context import Context, set_current_probe
from sigdoctor.creds.chain import peek
from sigdoctor.endpoints import region_of, resolve_region
from sigdoctor.hostport import of_url
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.probes.base import Probe
from sigdoctor.redact import mask_key_id
from sigdoctor.runstate import IdentityAnswer
from sigdoctor.sts import arns, caller, regions
from sigdoctor.targets import TargetError, parse_target

P = "identity."
# Finding names that are catalog causes (their cause files list `identity.<name>` in `when`).
CAUSE_FINDINGS = (
    "access-key-invalid",
    "session-token-missing",
    "sts-opt-in-region",
    "credentials-expired",
    "secret-key-mismatch",
    "clock-skew",
    "region-mismatch",
    "web-identity-rejected",
    "role-trust-denied",
    "sts-global-endpoint",
    "request-modified-after-signing",
    "canonicalization-mismatch",
)
EMITS = tuple(P + n for n in (
    "caller", "role-assumed", "role-assumption", "account-mismatch", "unreachable", "sts-error", "role-arn-invalid",
    "region-invalid", "profile-region-invalid", *CAUSE_FINDINGS,
))


def _identity_dict(p: arns.Principal | None, endpoint: str, user_id: str | None = None) -> dict[str, Any]:
    return {
        "account": p.account if p else None,
        "arn": p.arn if p else None,
        "principal_type": p.principal_type if p else None,
        "role_name": p.role_name if p else None,
        "session_name": p.session_name if p else None,
        "policy_source_arn": p.policy_source_arn if p else None,
        "policy_source_path_known": p.path_known if p else None,
        "user_id": user_id,
        "sts_endpoint": endpoint,
    }


def _principal(call: caller.StsCall) -> tuple[arns.Principal | None, str | None]:
    if not call.response:
        return None, None
    arn = str(call.response.get("Arn") or "")
    return arns.parse_principal(arn), call.response.get("UserId")


def _describe(p: arns.Principal) -> str:
    text = f"{p.arn} ({arns.principal_label(p)}"
    if p.role_name:
        text += f" {p.role_name}"
    if p.session_name:
        text += f", session {p.session_name}"
    return text + f", account {p.account})"


def _error_finding(ctx: Context, call: caller.StsCall, *, key: str | None, has_token: bool,
                   base_arn: str | None = None, role_arn: str | None = None, self_role: str | None = None) -> Finding:
    """The finding for a failed STS call: an error answer's cause, or unreachable / other."""
    ev: dict[str, Any] = {"operation": call.operation, "endpoint": call.endpoint}
    if call.unreachable:
        ev["error"] = call.unreachable
        return Finding(P + "unreachable", Status.WARN,
                       f"STS at {call.endpoint} did not answer {call.operation} ({call.unreachable}); the dns and "
                       "connectivity probes tell why", ev)
    if call.other:
        ev["error"] = call.other
        return Finding(P + "sts-error", Status.FAIL, f"{call.operation} could not be sent: {call.other}", ev)
    # The error tables are read for an error answer only (a healthy run has none).
    from sigdoctor.awserrors import sts as errors
    from sigdoctor.awserrors.signed import canonical_of_sent

    failed = call.failed_operation or call.operation
    evidence = errors.Evidence(
        operation=failed, code=call.code or "", message=call.message or "", access_key_id=key, has_token=has_token,
        region=region_of(ctx), endpoint=call.endpoint, endpoint_global=regions.is_global_sts(call.endpoint),
        clock_offset_s=call.clock_offset_s, base_arn=base_arn, role_arn=role_arn, role_assumes_itself=self_role,
        signed_canonical=canonical_of_sent(call.sent_request),
    )
    verdict = errors.classify(evidence)
    ev.update({"failed_operation": failed, "code": call.code, "message": (call.message or "")[:400],
               "http_status": call.http_status, "access_key_id": key, "session_token_sent": has_token,
               "region": evidence.region})
    if call.clock_offset_s is not None:
        ev["server_clock_offset_s"] = round(call.clock_offset_s)
    if role_arn:
        ev["role_arn"] = role_arn
    if base_arn:
        ev["base_arn"] = base_arn
    if verdict.fix:
        ev["fix"] = verdict.fix
    ev.update(verdict.extra)
    return Finding(P + verdict.name, verdict.status, verdict.message, ev)


def _global_endpoint(endpoint: str, ctx: Context) -> Finding:
    setting = ctx.env.get("AWS_STS_REGIONAL_ENDPOINTS")
    why = ("AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL" if any(ctx.env.get(v) for v in ("AWS_ENDPOINT_URL_STS",
                                                                                     "AWS_ENDPOINT_URL"))
           else f"AWS_STS_REGIONAL_ENDPOINTS={setting}" if setting else "sts_regional_endpoints in the profile")
    return Finding(P + "sts-global-endpoint", Status.WARN,
                   f"STS is reached at the legacy global endpoint {endpoint} ({why}), not the regional one",
                   {"endpoint": endpoint, "selected_by": why,
                    "fix": [f"Use regional STS: AWS_STS_REGIONAL_ENDPOINTS=regional and AWS_REGION={region_of(ctx)}"]})


def _targets(ctx: Context) -> list[Any]:
    out = []
    for text in ctx.targets:
        try:
            out.append(parse_target(text, region=ctx.region))
        except TargetError:
            continue  # the target is reported by the probes that use it
    return out


def _account_mismatch(ctx: Context, account: str | None, arn: str | None) -> list[Finding]:
    if not account:
        return []
    found = []
    for t in _targets(ctx):
        if t.account and t.account != account:
            found.append(Finding(
                P + "account-mismatch", Status.WARN,
                f"target {t.input} is in account {t.account}, but the agent signs as {arn} in account {account}: "
                f"check the target ARN/URL is the intended one, or that the agent uses the role in {t.account} "
                "(cross-account writes need a role there, e.g. sigv4.role_arn / --role-arn, and a resource policy "
                "where the service supports one)",
                {"target": t.input, "target_account": t.account, "caller_account": account, "caller_arn": arn}))
    return found


def _opt_in_risk(ctx: Context, endpoint: str, issued_by: str) -> list[Finding]:
    """Session credentials issued by the global endpoint, sent to a target in an opt-in region: predicted failure."""
    if not regions.is_global_sts(endpoint):
        return []
    out = []
    for t in _targets(ctx):
        if regions.is_opt_in(t.region):
            out.append(Finding(
                P + "sts-opt-in-region", Status.WARN,
                f"{issued_by} comes from the global STS endpoint {endpoint}; its session token is not valid in the "
                f"opt-in region {t.region} of target {t.input} (unless the account issues v2 global tokens)",
                {"endpoint": endpoint, "target": t.input, "target_region": t.region,
                 "fix": [f"Use the regional STS endpoint: AWS_STS_REGIONAL_ENDPOINTS=regional, AWS_REGION={t.region}",
                         "Or: aws iam set-security-token-service-preferences --global-endpoint-token-version "
                         "v2Token"]}))
    return out


def _assume(ctx: Context, creds: Any, base: arns.Principal | None, findings: list[Finding],
            effective: list[Any]) -> dict[str, Any] | None:
    role_arn = str(ctx.role_arn)
    parsed = arns.parse_role_arn(role_arn)
    if parsed is None:
        findings.append(Finding(P + "role-arn-invalid", Status.FAIL,
                                f"--role-arn {role_arn!r} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
                                {"role_arn": role_arn, "fix": ["Use the role's ARN as `aws iam get-role` shows it"]}))
        return None
    self_role = parsed.name if base and arns.assumes_itself(base, parsed) else None
    from sigdoctor.sts import assume  # with --role-arn only

    result = assume.assume_role(ctx, creds, role_arn)
    if result.keys is None:
        p = peek(creds)
        findings.append(_error_finding(ctx, result.call, key=mask_key_id(p.access_key) if p.access_key else None,
                                       has_token=bool(p.token), base_arn=base.arn if base else None,
                                       role_arn=role_arn, self_role=self_role))
        return None
    ak, sk, tok = result.keys
    check = caller.get_caller_identity(ctx, keys=(ak, sk, tok))
    assumed, user_id = _principal(check)
    info: dict[str, Any] = {
        "role_arn": role_arn, **_identity_dict(assumed, check.endpoint, user_id),
        "session_name": assumed.session_name if assumed else result.session_name,
        "assume_endpoint": result.call.endpoint, "access_key_id": mask_key_id(ak),
        "expiration": result.expiration.isoformat() if result.expiration else None,
    }
    if assumed is None:
        findings.append(_error_finding(ctx, check, key=mask_key_id(ak), has_token=bool(tok), role_arn=role_arn))
        return info
    effective.append(result.credentials())
    msg = f"assumed {role_arn} as {_describe(assumed)}"
    if self_role:
        msg += f" (the base credentials already are role {self_role}, and its trust policy lets it assume itself)"
    findings.append(Finding(P + "role-assumed", Status.PASS, msg,
                            {k: info[k] for k in ("role_arn", "arn", "account", "session_name", "assume_endpoint",
                                                  "access_key_id", "expiration")}))
    findings += _opt_in_risk(ctx, result.call.endpoint, f"the session of {role_arn}")
    return info


def _caller_identity_unless_dead(ctx: Context, creds: Any) -> caller.StsCall:
    """GetCallerIdentity — unless the connectivity probe, running beside us, finds STS's front end dead first: then
    waiting out our own timeout on the same silence would only spend the deadline. Without proxy settings only
    (connectivity follows Go's proxy rules, botocore Python's: with a proxy their paths may differ)."""
    if any(k.lower().endswith("_proxy") for k in ctx.env):
        return caller.get_caller_identity(ctx, creds)
    endpoint = str(caller.base_client(ctx).meta.endpoint_url)
    name = of_url(endpoint, 443)
    out: list[caller.StsCall] = []
    done = threading.Event()

    def call() -> None:
        set_current_probe("identity")
        try:
            out.append(caller.get_caller_identity(ctx, creds))
        finally:
            done.set()

    threading.Thread(target=call, name="identity-sts", daemon=True).start()
    while not done.wait(0.05):
        dead = (ctx.state.dead_endpoints.wait(0) or {}).get(name)
        if dead and not done.is_set():
            gave_up = caller.StsCall("GetCallerIdentity", endpoint)
            gave_up.unreachable = f"the connectivity probe found {name} dead in this run ({dead})"
            return gave_up
    return out[0]


def _invalid_region(ctx: Context) -> Outcome | None:
    """The agent's SDK refuses to build any client for a region that is no host label: nothing to ask STS, and the
    value itself is the finding (its cause: the profile to fix, or the variable that sets the signing region)."""
    region = resolve_region(ctx)
    if region.invalid is None:
        return None
    name = "profile-region-invalid" if region.invalid_cause == "profile-invalid" else "region-invalid"
    fix = (["Set `region = ` in that profile to the region of the agent's endpoints, e.g. us-east-1"]
           if region.source == "profile" else
           [f"Set {region.source} to the region of the agent's endpoints, e.g. {region.source}=us-east-1 (no spaces "
            "or quotes around it)"])
    finding = Finding(P + name, Status.FAIL, region.invalid,
                      {"source": region.source, "reason": region.invalid, "fix": fix})
    return Outcome(Status.SKIP, f"STS not contacted: {region.invalid}", (finding,))


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    bad_region = _invalid_region(ctx)
    if bad_region is not None:
        return bad_region
    if ctx.offline:
        return Outcome(Status.SKIP, "offline: STS not contacted")
    # The chain's answer, not the whole credentials probe: the survey of the other sources goes on beside us.
    # Until the run's deadline: the credentials probe settles the chain (or is cut, which settles it too) before
    # that, so whether identity checks the credentials never depends on which of the two stops waiting first.
    wait_s = ctx.remaining()
    answer = ctx.state.chain.wait(wait_s)
    if not ctx.state.chain.settled:
        what = "the credential chain named no winner before the deadline"
        return Outcome(Status.SKIP, f"{what}: nothing to check",
                       (incomplete.gave_up("identity", what, wait_s, ctx.deadline_s),))
    creds = answer.credentials if answer else None
    if creds is None:
        return Outcome(Status.SKIP, "no credentials to check")
    # Credentials later probes sign with: the base ones once STS accepts them, the assumed role's with --role-arn.
    effective_creds: list[Any] = []
    findings: list[Finding] = []
    p = peek(creds)
    key = mask_key_id(p.access_key) if p.access_key else None

    base_call = _caller_identity_unless_dead(ctx, creds)
    endpoint = base_call.endpoint
    if regions.is_global_sts(endpoint):
        findings.append(_global_endpoint(endpoint, ctx))
    base, user_id = _principal(base_call)
    identity = _identity_dict(base, endpoint, user_id)
    identity["assumed"] = None
    if base is None:
        # A deferred source refreshes inside the call: its key and token are known only afterwards.
        p = peek(creds)
        key = mask_key_id(p.access_key) if p.access_key else key
        findings.append(_error_finding(ctx, base_call, key=key, has_token=bool(p.token)))
        identity["error"] = {k: getattr(base_call, k) for k in ("operation", "code", "message", "unreachable")}
    else:
        findings.append(Finding(P + "caller", Status.PASS, f"STS accepts the credentials: {_describe(base)}",
                                {**{k: v for k, v in identity.items() if k != "assumed"}, "access_key_id": key,
                                 **({"note": base.note} if base.note else {})}))
        effective_creds.append(creds)
        winner = answer.winner if answer else None
        if winner in ("assume-role", "assume-role-with-web-identity") and not ctx.role_arn:
            findings += _opt_in_risk(ctx, endpoint, f"the {winner} session")

    if ctx.role_arn:
        if base is None:
            findings.append(Finding(P + "role-assumption", Status.SKIP,
                                    f"--role-arn {ctx.role_arn}: not attempted, STS rejected the base credentials",
                                    {"role_arn": ctx.role_arn}))
        else:
            effective_creds.clear()
            identity["assumed"] = _assume(ctx, creds, base, findings, effective_creds)

    effective = identity["assumed"] if identity["assumed"] and identity["assumed"].get("account") else identity
    findings += _account_mismatch(ctx, effective.get("account"), effective.get("arn"))

    # The principal later probes act as: the assumed role's session when --role-arn worked, else the caller.
    ctx.state.identity.set(IdentityAnswer(caller=identity, effective=effective if effective.get("account") else None,
                                          credentials=effective_creds[-1] if effective_creds else None))
    statuses: list[Status] = [f.status for f in findings if f.status in (Status.FAIL, Status.WARN)]
    status = worst(statuses) if statuses else Status.PASS
    return Outcome(status, _summary(base, identity, findings), tuple(ctx.redactor.obj(findings)),
                   ctx.redactor.obj({"identity": identity}))


def _summary(base: arns.Principal | None, identity: dict[str, Any], findings: list[Finding]) -> str:
    problems = [f for f in findings if f.status in (Status.FAIL, Status.WARN)]
    if base is None:
        first = problems[0] if problems else None
        return f"STS did not confirm the credentials: {first.message if first else 'no answer'}"
    text = f"{arns.principal_label(base)} {base.arn} (account {base.account})"
    assumed = identity.get("assumed")
    if assumed and assumed.get("arn"):
        text += f"; assumed {assumed['role_arn']}"
    failed = [f.id.removeprefix(P) for f in problems]
    if failed:
        text += f"; problems: {', '.join(failed)}"
    return text


PROBE = Probe(
    id="identity",
    title="Identity: does STS accept the credentials",
    run=run,
    # Waiting for the chain's winner (the credentials probe's 15 s at most) plus its own STS calls.
    timeout=27.0,
    emits=EMITS,
)
