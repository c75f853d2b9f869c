"""A small IAM policy evaluator for the fake AWS endpoint (tests/fakes/aws_api.py).

Enough of IAM's logic to be a real oracle for sigdoctor's permission checks: explicit deny > allow > implicit deny,
`*` / `?` wildcards (actions case-insensitive, resources case-sensitive), Action/NotAction, Resource/NotResource,
a few condition operators (with the keys they lack reported as missing context, as SimulatePrincipalPolicy does),
permissions boundaries and organization SCPs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"


@dataclass(frozen=True)
class Policy:
    """A named policy document. `type` is SimulatePrincipalPolicy's SourcePolicyType (role, user, user-managed,
    aws-managed, none…)."""

    id: str
    document: dict[str, Any]
    type: str = "user-managed"


@dataclass
class Evaluation:
    decision: str
    matched: list[tuple[Policy, int]] = field(default_factory=list)  # (policy, statement index)
    missing_context: list[str] = field(default_factory=list)
    allowed_by_boundary: bool | None = None
    allowed_by_organizations: bool | None = None


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{rx}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _glob(pattern, ignore_case).match(value) is not None


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(doc.get("Statement")) if isinstance(s, dict)]


def _action_ok(st: dict[str, Any], action: str) -> bool:
    if "NotAction" in st:
        return not any(matches(p, action, ignore_case=True) for p in _as_list(st["NotAction"]))
    return any(matches(p, action, ignore_case=True) for p in _as_list(st.get("Action")))


def _resource_ok(st: dict[str, Any], resource: str) -> bool:
    if "NotResource" in st:
        return not any(matches(p, resource) for p in _as_list(st["NotResource"]))
    return any(matches(p, resource) for p in _as_list(st.get("Resource", "*")))


def _condition_ok(st: dict[str, Any], context: dict[str, list[str]], missing: list[str]) -> bool:
    """All condition blocks must hold. A key the context lacks makes a positive operator false (and is reported),
    a negated one true — IAM's rule."""
    ctx = {k.lower(): v for k, v in context.items()}
    for op, block in (st.get("Condition") or {}).items():
        base = op.removesuffix("IfExists")
        for key, wanted in block.items():
            have = ctx.get(key.lower())
            if have is None:
                if key not in missing:
                    missing.append(key)
                if op.endswith("IfExists") or "Not" in base:
                    continue
                return False
            if not _operator(base, [str(w) for w in _as_list(wanted)], have):
                return False
    return True


def _operator(op: str, wanted: list[str], have: list[str]) -> bool:
    if op in ("StringEquals", "ArnEquals"):
        return any(h == w for h in have for w in wanted)
    if op == "StringEqualsIgnoreCase":
        return any(h.lower() == w.lower() for h in have for w in wanted)
    if op in ("StringLike", "ArnLike"):
        return any(matches(w, h) for h in have for w in wanted)
    if op in ("StringNotEquals", "ArnNotEquals"):
        return all(h != w for h in have for w in wanted)
    if op in ("StringNotLike", "ArnNotLike"):
        return not any(matches(w, h) for h in have for w in wanted)
    if op == "Bool":
        return any(h.lower() == w.lower() for h in have for w in wanted)
    raise ValueError(f"condition operator {op!r} is not supported by the fake evaluator")


def _scan(policies: list[Policy], action: str, resource: str, context: dict[str, list[str]],
          missing: list[str]) -> tuple[list[tuple[Policy, int]], list[tuple[Policy, int]]]:
    """(allowing statements, denying statements) of `policies` for this request."""
    allows: list[tuple[Policy, int]] = []
    denies: list[tuple[Policy, int]] = []
    for p in policies:
        for i, st in enumerate(_statements(p.document)):
            if not (_action_ok(st, action) and _resource_ok(st, resource)):
                continue
            if not _condition_ok(st, context, missing):
                continue
            (denies if st.get("Effect") == "Deny" else allows).append((p, i))
    return allows, denies


def evaluate(identity: list[Policy], action: str, resource: str, context: dict[str, list[str]] | None = None, *,
             boundary: Policy | None = None, scps: list[Policy] | None = None) -> Evaluation:
    """IAM's decision for one action on one resource by a principal with these identity policies."""
    context = context or {}
    missing: list[str] = []
    allows, denies = _scan(identity, action, resource, context, missing)
    b_allows: list[tuple[Policy, int]] = []
    b_denies: list[tuple[Policy, int]] = []
    if boundary is not None:
        b_allows, b_denies = _scan([boundary], action, resource, context, missing)
    o_allows: list[tuple[Policy, int]] = []
    o_denies: list[tuple[Policy, int]] = []
    if scps:
        o_allows, o_denies = _scan(scps, action, resource, context, missing)
    ev = Evaluation(IMPLICIT_DENY, missing_context=missing)
    if boundary is not None:
        ev.allowed_by_boundary = bool(b_allows) and not b_denies
    if scps:
        ev.allowed_by_organizations = bool(o_allows) and not o_denies
    all_denies = denies + b_denies + o_denies
    if all_denies:
        ev.decision, ev.matched = EXPLICIT_DENY, all_denies
    elif allows and ev.allowed_by_boundary is not False and ev.allowed_by_organizations is not False:
        ev.decision, ev.matched = ALLOWED, allows
    return ev


def trust_allows(trust: dict[str, Any], principal_arn: str, account: str, action: str = "sts:AssumeRole") -> bool:
    """Whether a role's trust policy lets `principal_arn` (an IAM user/role ARN) assume it."""
    allowed = False
    for st in _statements(trust):
        if not _action_ok(st, action):
            continue
        principals = st.get("Principal", {})
        names = ["*"] if principals == "*" else _as_list(principals.get("AWS") if isinstance(principals, dict) else [])
        hit = any(n in ("*", principal_arn, account, f"arn:aws:iam::{account}:root") for n in names)
        if hit and st.get("Effect") == "Deny":
            return False
        allowed = allowed or (hit and st.get("Effect") == "Allow")
    return allowed
