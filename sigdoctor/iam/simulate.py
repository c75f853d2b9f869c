"""`iam:SimulatePrincipalPolicy` for every (action, resource) a target needs, with the request context IAM would see
from the agent (region, principal, TLS), parsed into one decision per action and resource."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from sigdoctor.context import Context
from sigdoctor.iam.calls import call
from sigdoctor.iam.principal import PolicySource
from sigdoctor.records import datarecord

ALLOWED, IMPLICIT_DENY, EXPLICIT_DENY = "allowed", "implicitDeny", "explicitDeny"
_MAX_PAGES = 5


@datarecord(frozen=True)
class Check:
    target: str
    action: str
    resource: str
    region: str | None


@datarecord
class Decision:
    check: Check
    decision: str
    matched: list[dict[str, Any]] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)
    boundary_allowed: bool | None = None
    organizations_allowed: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.check.target, "action": self.check.action, "resource": self.check.resource,
                "decision": self.decision, "matched_statements": self.matched,
                "missing_context": self.missing_context, "permissions_boundary_allows": self.boundary_allowed,
                "organizations_allow": self.organizations_allowed}


class SimulateError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message

    @property
    def denied(self) -> bool:
        return self.code in ("AccessDenied", "AccessDeniedException")


def context_entries(region: str | None) -> list[dict[str, Any]]:
    """What IAM would know about the agent's real request that policies commonly test: the region it writes to, and
    TLS. Keys a policy's conditions need but that are not here come back as MissingContextValues."""
    entries: list[tuple[str, str, str]] = []
    if region:
        entries.append(("aws:RequestedRegion", region, "string"))
    entries.append(("aws:SecureTransport", "true", "boolean"))
    return [{"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": t} for k, v, t in entries]


def groups(checks: list[Check]) -> list[tuple[str, str | None, list[Check]]]:
    """Checks sharing resource and region go in one call (IAM evaluates every action × every resource given)."""
    out: dict[tuple[str, str | None], list[Check]] = {}
    for c in checks:
        out.setdefault((c.resource, c.region), []).append(c)
    return [(r, reg, cs) for (r, reg), cs in out.items()]


def simulate(ctx: Context, api: Any, source: PolicySource, checks: list[Check]) -> list[Decision]:
    """One decision per check, in order. Raises SimulateError on the first failed call (AccessDenied included)."""
    assert source.arn is not None
    decisions: dict[Check, Decision] = {}
    for resource, region, group in groups(checks):
        by_action = {c.action: c for c in group}
        kw: dict[str, Any] = {"PolicySourceArn": source.arn, "ActionNames": list(by_action),
                              "ResourceArns": [resource], "ContextEntries": context_entries(region)}
        for _ in range(_MAX_PAGES):
            r = call(ctx, api, "iam", "SimulatePrincipalPolicy", api.simulate_principal_policy, **kw)
            if not r.ok or r.response is None:
                raise SimulateError(r.code or "Unknown", r.message)
            for item in r.response.get("EvaluationResults", []):
                check = by_action.get(item.get("EvalActionName", ""))
                if check is not None:
                    decisions[check] = parse_result(check, item)
            if not r.response.get("IsTruncated"):
                break
            kw["Marker"] = r.response.get("Marker")
    return [decisions.get(c) or Decision(c, IMPLICIT_DENY) for c in checks]


def parse_result(check: Check, item: dict[str, Any]) -> Decision:
    """An EvaluationResults member; the resource-specific result wins when IAM gives one for our resource."""
    spec = next((r for r in item.get("ResourceSpecificResults") or []
                 if r.get("EvalResourceName") == check.resource), None)
    decision = str((spec or {}).get("EvalResourceDecision") or item.get("EvalDecision") or IMPLICIT_DENY)
    matched = (spec or {}).get("MatchedStatements") or item.get("MatchedStatements") or []
    missing = (spec or {}).get("MissingContextValues") or item.get("MissingContextValues") or []
    pb = (spec or {}).get("PermissionsBoundaryDecisionDetail") or item.get("PermissionsBoundaryDecisionDetail") or {}
    org = item.get("OrganizationsDecisionDetail") or {}
    return Decision(
        check, decision,
        [{"policy": str(m.get("SourcePolicyId") or "?"), "type": str(m.get("SourcePolicyType") or "?"),
          **({"line": m["StartPosition"]["Line"]} if m.get("StartPosition", {}).get("Line") else {})}
         for m in matched],
        [str(k) for k in missing],
        pb.get("AllowedByPermissionsBoundary"),
        org.get("AllowedByOrganizations"),
    )
