"""The `permissions` probe: does IAM allow every action each target needs, on its resource, for this principal?

First choice is `iam:SimulatePrincipalPolicy` for the caller's policy source (the role behind an assumed-role
session; `--principal-arn` for someone else's), which names the deciding statements, permissions boundary and SCP.
Callers often may not simulate: then the report says so, gives the administrator the exact commands for the same
check, and falls back to each target's harmless live request (AMP: an empty remote write), which proves
authorization for this caller without storing anything.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sigdoctor.context import Context
from sigdoctor.endpoints import region_of
from sigdoctor.iam import live
from sigdoctor.iam.calls import IAM_REGION, Frozen, call, client, frozen
from sigdoctor.iam.commands import admin_commands
from sigdoctor.iam.principal import PolicySource, policy_source
from sigdoctor.iam.simulate import ALLOWED, EXPLICIT_DENY, Check, Decision, SimulateError, simulate
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.probes.base import Probe
from sigdoctor.sts.caller import chain_credentials, signing_credentials
from sigdoctor.targets import Target, TargetError, parse_target

EMITS = tuple("permissions." + n for n in (
    "principal", "allowed", "permission-missing", "explicit-deny", "simulate-denied", "simulate-failed",
    "live-allowed", "target-not-found", "live-rejected", "live-failed", "live-unavailable", "target-unrecognised",
    "not-checked",
))


class _Run:
    """One run of the probe: what it found so far."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.findings: list[Finding] = []
        self.results: list[dict[str, Any]] = []

    def add(self, name: str, status: Status, message: str, **evidence: Any) -> None:
        self.findings.append(Finding(f"permissions.{name}", status, message,
                                     {k: v for k, v in evidence.items() if v is not None}))


def _targets(ctx: Context, run: _Run) -> list[Target]:
    region = region_of(ctx)
    out = []
    for text in ctx.targets:
        try:
            t = parse_target(text, region=region)
        except TargetError as e:
            run.add("target-unrecognised", Status.SKIP, f"{text}: {e}; its permissions are not checked", target=text)
            continue
        if not t.recognised or not t.actions:
            run.add("target-unrecognised", Status.SKIP,
                    f"{text}: {'; '.join(t.notes) or 'unrecognised target'}; its permissions are not checked",
                    target=text)
            continue
        out.append(t)
    return out


def _identity(ctx: Context, creds: Frozen) -> tuple[str | None, str | None, PolicySource | None, str]:
    """(caller ARN, account, policy source if the identity probe resolved it, why unknown) of the credentials the
    agent really signs with: the --role-arn session when the identity probe assumed it."""
    answer = ctx.state.identity.get()
    shared = answer.caller if answer else None
    if isinstance(shared, dict):
        assumed = shared.get("assumed")
        eff = assumed if isinstance(assumed, dict) and assumed.get("arn") else shared
        if not eff.get("arn"):
            return None, None, None, "STS did not confirm the credentials (see the identity probe)"
        arn, resolved = str(eff["arn"]), eff.get("policy_source_arn")
        source = None
        if resolved:
            source = replace(policy_source(str(resolved)), caller_arn=arn)
            if eff.get("policy_source_path_known") is False and source.kind == "role":
                source = replace(source, path_known=False)
        return arn, eff.get("account"), source, ""
    # The identity probe has not run (or left nothing): ask STS ourselves — GetCallerIdentity is allow-listed.
    sts = client(ctx, "sts", creds, region_of(ctx))
    r = call(ctx, sts, "sts", "GetCallerIdentity", sts.get_caller_identity)
    if not r.ok or r.response is None:
        return None, None, None, f"STS GetCallerIdentity failed: {r.code}: {r.message}"
    return str(r.response["Arn"]), str(r.response["Account"]), None, ""


def _source(ctx: Context, caller: str | None, resolved: PolicySource | None) -> PolicySource | None:
    if ctx.principal_arn:
        return policy_source(ctx.principal_arn)
    if resolved is not None:
        return resolved
    return policy_source(caller) if caller else None


def _resolve_path(ctx: Context, api: Any, source: PolicySource) -> tuple[PolicySource, str | None]:
    """The role's path via iam:GetRole (a session ARN has none); the path-less ARN, said so, when GetRole fails.
    Asked once per run and client: the warm-up's head start and the probe share the answer."""
    if source.path_known or source.kind != "role" or not source.name:
        return source, None
    name = source.name
    with ctx.step("IAM to answer GetRole"):  # a head start in flight is what the probe waits for
        r = ctx.once(f"iam:GetRole:{id(api)}:{name}",
                     lambda: call(ctx, api, "iam", "GetRole", api.get_role, RoleName=name))
    if r.ok and r.response is not None:
        return source.with_path(str(r.response["Role"].get("Path") or "/")), None
    return source, f"role path unknown (iam:GetRole: {r.code}); simulating {source.arn}, which assumes path /"


def _checks(targets: list[Target], account: str | None) -> list[Check]:
    return [Check(t.input, a, res, t.region) for t in targets for a, res in t.permissions(account)]


def _simulation(ctx: Context, api: Any, source: PolicySource, checks: list[Check]) -> list[Decision]:
    """`simulate`, once per run, client, principal and checks: the warm-up's head start and the probe share it."""
    def make() -> list[Decision] | SimulateError:
        try:
            return simulate(ctx, api, source, checks)
        except SimulateError as e:
            return e

    with ctx.step("IAM to answer SimulatePrincipalPolicy"):
        outcome = ctx.once(f"iam:simulate:{id(api)}:{source.arn}:{checks!r}", make)
    if isinstance(outcome, SimulateError):
        raise outcome
    return outcome


def _statement(actions: list[str], resource: str) -> str:
    return json.dumps({"Effect": "Allow", "Action": actions, "Resource": resource})


def _judge(run: _Run, source: PolicySource, decisions: list[Decision], verify: list[str]) -> None:
    missing_by_resource: dict[str, list[str]] = {}
    for d in decisions:
        if d.decision not in (ALLOWED, EXPLICIT_DENY):
            missing_by_resource.setdefault(d.check.resource, []).append(d.check.action)
    for d in decisions:
        c = d.check
        run.results.append(d.as_dict())
        policies = ", ".join(f"{m['policy']} ({m['type']})" for m in d.matched)
        common: dict[str, Any] = dict(
            target=c.target, action=c.action, resource=c.resource, principal=source.arn, decision=d.decision,
            matched_statements=d.matched or None, missing_context=d.missing_context or None,
            permissions_boundary_allows=d.boundary_allowed, organizations_allow=d.organizations_allowed)
        context_note = (f"; the decision depends on context keys sigdoctor could not supply: "
                        f"{', '.join(d.missing_context)}" if d.missing_context else "")
        # Without those keys the simulated deny may not be the agent's: a problem to look at, not a verdict.
        severity = Status.WARN if d.missing_context else Status.FAIL
        if d.decision == ALLOWED:
            run.add("allowed", Status.PASS, f"{c.action} on {c.resource}: allowed"
                    + (f" by {policies}" if policies else "") + context_note, **common)
        elif d.decision == EXPLICIT_DENY:
            where = _deny_location(d)
            fix = [f"An explicit Deny for {c.action} on {c.resource} {where}: remove or narrow that statement, or "
                   f"meet its condition; adding Allow statements cannot override it"]
            run.add("explicit-deny", severity, f"{c.action} on {c.resource}: explicitly denied {where} for "
                    f"{source.arn}{context_note}", fix=fix, **common)
        else:
            actions = missing_by_resource.get(c.resource, [c.action])
            if d.boundary_allowed is False and d.organizations_allowed is not False:
                why = "the role's permissions boundary does not allow it"
                fix = [f"Allow {c.action} on {c.resource} in the permissions boundary of {source.arn} as well "
                       "(a boundary caps what identity policies can grant)"]
            elif d.organizations_allowed is False:
                why = "no service control policy of the organization allows it"
                fix = [f"Ask the organization's administrators: an SCP does not allow {c.action} for this account"]
            else:
                why = "no policy allows it (implicit deny)"
                fix = [f"Add this statement to a policy attached to {source.arn}: {_statement(actions, c.resource)}"]
            run.add("permission-missing", severity, f"{c.action} on {c.resource}: {why} for {source.arn}"
                    + context_note, fix=fix + verify[1:2], **common)


def _deny_location(d: Decision) -> str:
    if d.matched:
        return "in " + ", ".join(f"policy {m['policy']} ({m['type']}" + (f", line {m['line']}" if m.get("line")
                                                                           else "") + ")" for m in d.matched)
    if d.organizations_allowed is False:
        return "by a service control policy"
    if d.boundary_allowed is False:
        return "by the permissions boundary"
    return "by a policy IAM did not name"


def _live(run: _Run, ctx: Context, targets: list[Target], creds: Frozen, account: str | None) -> int:
    """The harmless live request of each target; returns how many targets it could check."""
    checked = 0
    for t in targets:
        kind = t.harmless.get("kind")
        if not live.implemented(kind):
            run.add("live-unavailable", Status.SKIP,
                    f"{t.input}: no harmless live request is implemented for {t.kind} ({kind}); its permissions "
                    f"({', '.join(t.actions)}) are not checked", target=t.input, request=kind,
                    would_be=t.harmless.get("description"))
            continue
        checked += 1
        r = live.run(ctx, t, creds, account)
        run.results.append(r.as_dict())
        ev: dict[str, Any] = dict(target=t.input, action=r.action, resource=r.resource, request=r.kind,
                                  http_status=r.status, error_code=r.code, aws_message=r.message or None)
        answer = " ".join(x for x in (f"HTTP {r.status}" if r.status else "", r.code or "") if x) + (
            f": {r.message}" if r.message else "")
        if r.outcome == live.ALLOWED:
            run.add("live-allowed", Status.PASS, f"{r.action} on {r.resource}: allowed — {t.harmless.get('description')}"
                    f" ({answer})", **ev)
        elif r.outcome in (live.DENIED, live.EXPLICIT_DENY):
            name = "explicit-deny" if r.outcome == live.EXPLICIT_DENY else "permission-missing"
            fix = [f"Allow {r.action} on {r.resource} for the caller: {_statement([r.action], r.resource)}"] \
                if name == "permission-missing" else None
            run.add(name, Status.FAIL, f"{r.action} on {r.resource}: denied by AWS to the live request ({answer})",
                    fix=fix, **ev)
        elif r.outcome == live.NOT_FOUND:
            run.add("target-not-found", Status.FAIL,
                    f"{t.input}: {r.resource} does not exist in account {account or '?'}, region {t.region} "
                    f"({answer})", account=account, region=t.region, **ev)
        elif r.outcome == live.REJECTED:
            run.add("live-rejected", Status.WARN,
                    f"{t.input}: the live request was rejected before authorization ({answer}); the identity and "
                    "signature probes look at why", **ev)
        else:
            run.add("live-failed", Status.WARN, f"{t.input}: the live request failed ({answer})", **ev)
    return checked


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    if ctx.offline:
        return Outcome(Status.SKIP, "offline: no IAM simulation or live request sent")
    if not ctx.targets:
        return Outcome(Status.SKIP, "no --target given: no actions to check")
    creds_obj = signing_credentials(ctx)
    if creds_obj is None:
        return Outcome(Status.SKIP, "no credentials to check permissions with")
    r = _Run(ctx)
    targets = _targets(ctx, r)
    if not targets:
        return Outcome(Status.SKIP, "no target sigdoctor knows the permissions of", tuple(r.findings))
    try:
        creds = frozen(ctx, creds_obj)
    except Exception as e:  # a refreshable source that fails to refresh: the credentials probe says why
        return Outcome(Status.SKIP, f"the credentials could not be read: {ctx.redactor.text(str(e))}",
                       tuple(r.findings))
    caller, account, resolved, why = _identity(ctx, creds)
    source = _source(ctx, caller, resolved)
    if source is None:
        return Outcome(Status.SKIP, f"the caller's identity is unknown ({why})", tuple(r.findings))
    account = account or source.account
    checks = _checks(targets, account)
    data: dict[str, Any] = {"principal": source.arn or source.caller_arn, "caller": caller, "method": "none",
                            "results": r.results, "admin_command": None}

    if source.arn is None:
        r.add("not-checked", Status.SKIP, f"{source.caller_arn} is {source.why_not}: not simulated",
              principal=source.caller_arn)
        method = "live" if not ctx.principal_arn and _live(r, ctx, targets, creds, account) else "none"
    else:
        api = client(ctx, "iam", creds, IAM_REGION.get(source.partition, region_of(ctx)))
        source, path_note = _resolve_path(ctx, api, source)
        commands = admin_commands(source, checks, [t.input for t in targets], ctx.region)
        r.add("principal", Status.PASS, f"checking {source.arn}" + (f" (caller {caller})" if caller and
                                                                    caller != source.arn else "")
              + (f"; {path_note}" if path_note else ""), principal=source.arn, caller=caller,
              path_known=source.path_known)
        data["principal"] = source.arn
        try:
            decisions = _simulation(ctx, api, source, checks)
            method = "simulate"
            _judge(r, source, decisions, commands)
        except SimulateError as e:
            method = "none"
            data["admin_command"] = commands
            name, status = ("simulate-denied", Status.WARN) if e.denied else ("simulate-failed", Status.WARN)
            verb = "may not" if e.denied else "could not"
            path = "" if source.path_known else " (its path is unknown: if the role has one, put it in the ARN)"
            r.add(name, status, f"the caller {verb} simulate IAM policies for {source.arn} ({e.code} on "
                  f"iam:SimulatePrincipalPolicy); an administrator can run the same check{path}: "
                  + " — or: ".join(commands), principal=source.arn, error_code=e.code, aws_message=e.message,
                  admin_command=commands)
            if ctx.principal_arn:
                r.add("not-checked", Status.SKIP, f"--principal-arn {ctx.principal_arn}: a live request would test "
                      "the caller, not that principal; not sent", principal=ctx.principal_arn)
            elif _live(r, ctx, targets, creds, account):
                method = "live"
    data["method"] = method
    statuses: list[Status] = [f.status for f in r.findings if f.status in (Status.FAIL, Status.WARN)]
    passed = any(f.status is Status.PASS and f.id != "permissions.principal" for f in r.findings)
    status = worst(statuses) if statuses else (Status.PASS if passed else Status.SKIP)
    return Outcome(status, _summary(r, method, source), tuple(r.findings), {"permissions": data})


def _summary(r: _Run, method: str, source: PolicySource) -> str:
    count = {n: sum(f.id == f"permissions.{n}" for f in r.findings)
             for n in ("allowed", "live-allowed", "permission-missing", "explicit-deny", "target-not-found")}
    bad = [f"{count[n]} {n.replace('-', ' ')}" for n in ("permission-missing", "explicit-deny", "target-not-found")
           if count[n]]
    who = source.arn or source.caller_arn
    if method == "simulate":
        return f"IAM simulation for {who}: {count['allowed']} allowed" + (", " + ", ".join(bad) if bad else "")
    if method == "live":
        return (f"may not simulate for {who}; harmless live requests: {count['live-allowed']} allowed"
                + (", " + ", ".join(bad) if bad else ""))
    if any(f.id == "permissions.simulate-denied" for f in r.findings):
        return f"may not simulate IAM policies for {who}, and no live request could stand in"
    return f"permissions of {who} not checked"


def warm_up(ctx: Context) -> None:
    """Build the IAM client while the identity probe waits for STS: with the base credentials (the ones `run` uses
    unless --role-arn swaps them) for the partition of the run's region (the caller's ARN confirms it later).
    Started with the run: it first waits for the chain's answer."""
    if ctx.offline or not ctx.targets or ctx.role_arn:
        return
    ctx.state.chain.wait(max(0.0, ctx.remaining()))
    creds_obj = chain_credentials(ctx)
    if creds_obj is None:
        return
    from sigdoctor.sts.caller import base_client
    from sigdoctor.targets import partition_for_region

    # The STS client first (built by whoever asks first): the identity probe needs it now, and the GIL is one.
    base_client(ctx)
    region = region_of(ctx)
    part = partition_for_region(region)
    creds = frozen(ctx, creds_obj)
    api = client(ctx, "iam", creds, IAM_REGION.get(part.name if part else "aws", region))
    _head_start(ctx, api)


def _head_start(ctx: Context, api: Any) -> None:
    """Ask IAM now what `run` will ask once STS has named the caller, when the chain already says who that will be:
    a web identity session is the role in AWS_ROLE_ARN (how botocore and the Go SDKs read it), so GetRole and the
    simulation for that role go out while STS answers the identity probe instead of after it — on an EKS pod, two
    IAM round trips off the run. `run` takes the answers only if it asks exactly the same (`_resolve_path`,
    `_simulation`: same client, role, principal and checks); otherwise it asks for its own."""
    answer = ctx.state.chain.get()
    role_arn = ctx.env.get("AWS_ROLE_ARN", "")
    if ctx.principal_arn or answer is None or answer.winner != "assume-role-with-web-identity" or not role_arn:
        return
    named = policy_source(role_arn)
    if named.kind != "role" or not named.name or named.arn is None:
        return
    # What the identity probe's answer gives for that session: the role's name, its path unknown.
    guess = PolicySource(named.arn, f"arn:{named.partition}:iam::{named.account}:role/{named.name}",
                         named.partition, named.account, "role", named.name, path_known=False)
    targets = _targets(ctx, _Run(ctx))
    if not targets:
        return
    source, _ = _resolve_path(ctx, api, guess)
    with contextlib.suppress(SimulateError):  # `run` meets the same answer and reports it
        _simulation(ctx, api, source, _checks(targets, source.account))


PROBE = Probe(
    id="permissions",
    title="Permissions: does IAM allow what each target needs",
    run=run,
    requires=("credentials",),
    timeout=15.0,
    emits=EMITS,
    warm_up=warm_up,
    warm_up_at_start=True,
)
