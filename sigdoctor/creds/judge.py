"""From the facts to findings: each function answers one finding id of the credentials probe."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    ProfileNotFound,
    SSOError,
)

from sigdoctor.creds import container as cont
from sigdoctor.creds.model import ROLE_METHODS, STATIC_METHODS
from sigdoctor.creds.process import ProcessOutputTooLarge, ProcessTimeout
from sigdoctor.creds.sources import Facts, error_text
from sigdoctor.model import Finding, SourceState, Status
from sigdoctor.redact import mask_key_id

P = "credentials."
PROFILE_METHODS = ("assume-role", "sso", "custom-process", "login", "shared-credentials-file", "config-file")


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _ts(value: Any) -> float | None:
    """Epoch seconds of a datetime or an ISO-8601 string, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def winner_key(f: Facts) -> str | None:
    return mask_key_id(f.peek.access_key) if f.peek.access_key else None


def winner_expiry(f: Facts) -> float | None:
    if f.winner == "iam-role" and f.imds_probe.expiration:
        # botocore quietly extends expired IMDS credentials (static stability); the real expiry is the service's.
        return _ts(f.imds_probe.expiration)
    return _ts(f.peek.expiry)


# --- files -----------------------------------------------------------------------------------------------------


def files(f: Facts) -> Finding:
    fl = f.files
    notes: list[str] = []
    if fl.home_from != "HOME":
        notes.append(f"HOME is unset: botocore falls back to the passwd home {fl.home}")
    for af in (fl.config, fl.credentials):
        if af.error and af.exists:
            notes.append(f"{af.path} {af.error}")
    misnamed = fl.misnamed_config_sections()
    if misnamed:
        notes.append(
            f"{fl.config.path} has section(s) {', '.join(repr(s) for s in misnamed)} without the 'profile ' prefix:"
            " botocore ignores them"
        )
    both = (f.env_vars.get("AWS_PROFILE"), f.env_vars.get("AWS_DEFAULT_PROFILE"))
    if all(both) and both[0] != both[1] and fl.profile_source != "--profile":
        notes.append(
            f"AWS_PROFILE={both[0]} and AWS_DEFAULT_PROFILE={both[1]} differ: botocore uses {both[1]}, "
            f"the Go SDKs use {both[0]}"
        )
    read = [af.path for af in (fl.config, fl.credentials) if af.exists]
    msg = f"profile {fl.profile!r} ({fl.profile_source}); " + (
        "read " + ", ".join(read) if read else "no config or credentials file found"
    )
    if notes:
        msg += "; " + "; ".join(notes)
    evidence: dict[str, Any] = {
        "files": [af.as_dict() for af in (fl.config, fl.credentials)],
        "profile": fl.profile,
        "profile_source": fl.profile_source,
        "home": fl.home,
        "home_from": fl.home_from,
    }
    if notes:
        evidence["notes"] = notes
    return Finding(P + "files", Status.WARN if notes else Status.PASS, msg, evidence)


# --- winner / no credentials -----------------------------------------------------------------------------------


def winner(f: Facts) -> list[Finding]:
    if f.winner is None:
        reasons = {m: f.details[m] for m in f.order if f.states.get(m) is not SourceState.ABSENT}
        if f.run.error is not None and f.run.error_method is None:
            reasons["(before the chain)"] = error_text(f.run.error, f.redactor)
        short = "; ".join(f"{m}: {r}" for m, r in reasons.items()) or "no source is configured at all"
        if f.run.offline_stop:
            msg = f"undetermined with --offline: the chain reached {f.run.offline_stop}, which needs the network"
            return [Finding(P + "winner", Status.SKIP, msg, {"offline_stop": f.run.offline_stop})]
        all_reasons = {m: f.details[m] for m in f.order}
        return [
            Finding(P + "winner", Status.FAIL, f"no source yields credentials — {short}", {"sources": all_reasons}),
            Finding(
                P + "no-credentials",
                Status.FAIL,
                "botocore's default chain finds no credentials" + (f" ({short})" if reasons else ""),
                {"sources": all_reasons, "stopped_by": error_text(f.run.error, f.redactor) if f.run.error else None},
            ),
        ]
    key = winner_key(f)
    expiry = winner_expiry(f)
    bits = [f"{f.winner} wins"]
    if key:
        bits.append(f"({key})")
    if expiry is not None:
        bits.append(f"expires {iso(expiry)}")
    evidence: dict[str, Any] = {
        "method": f.winner,
        "access_key_id": key,
        "expiry": iso(expiry) if expiry is not None else None,
        "location": f.diags[f.winner].location if f.winner in f.diags else "",
        "detail": f.details.get(f.winner, ""),
    }
    status = Status.PASS
    if f.run.refresh_error is not None:
        # Causes come from the specific findings (rejected, trust denied, ...); this only keeps `pass` honest.
        evidence["refresh_error"] = error_text(f.run.refresh_error, f.redactor)
        bits.append("but fetching them failed: " + evidence["refresh_error"])
        status = Status.WARN
    return [Finding(P + "winner", status, " ".join(bits), evidence)]


# --- env ---------------------------------------------------------------------------------------------------------


def env_incomplete(f: Facts) -> list[Finding]:
    if not f.env.problems or f.run.env_removed:
        return []
    problems = [{"var": v, "issue": i} for v, i in f.env.problems]
    fix = []
    for v, issue in f.env.problems:
        if "contains" in issue:
            fix.append(
                f"re-create {v} without the stray characters (check the secret/manifest/.env file it comes from)"
            )
        elif "not set" in issue or "empty" in issue:
            fix.append(f"set {v}, or unset both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to use a role instead")
    msg = "; ".join(f"{v} {i}" for v, i in f.env.problems)
    return [Finding(P + "env-credentials-incomplete", Status.FAIL, msg, {"problems": problems, "fix": fix})]


def _static_location(f: Facts, method: str) -> str:
    if method == "env":
        return "the environment"
    return f.diags[method].location if method in f.diags else method


def session_token_missing(f: Facts) -> list[Finding]:
    if f.winner not in STATIC_METHODS or not f.peek.access_key:
        return []
    if not f.peek.access_key.strip().startswith("ASIA") or f.peek.token:
        return []
    key = mask_key_id(f.peek.access_key)
    where = _static_location(f, f.winner)
    var = "AWS_SESSION_TOKEN" if f.winner == "env" else "aws_session_token"
    return [
        Finding(
            P + "session-token-missing",
            Status.FAIL,
            f"{key} from {where} is a temporary (ASIA…) key but no {var} is set",
            {
                "access_key_id": key,
                "source": f.winner,
                "location": where,
                "fix": [f"set {var} next to the key (temporary keys are useless without their session token)"],
            },
        )
    ]


def long_lived(f: Facts) -> list[Finding]:
    if f.winner is None or not f.peek.access_key or not f.peek.access_key.strip().startswith("AKIA"):
        return []
    key = mask_key_id(f.peek.access_key)
    return [
        Finding(
            P + "long-lived-keys",
            Status.WARN,
            f"{f.winner} provides a long-lived IAM user key {key}",
            {"access_key_id": key, "source": f.winner, "location": _static_location(f, f.winner)},
        )
    ]


def expired(f: Facts) -> list[Finding]:
    if f.winner is None:
        return []
    exp = winner_expiry(f)
    still = isinstance(f.run.refresh_error, RuntimeError) and "expired" in str(f.run.refresh_error)
    if (exp is None or exp > f.now) and not still:
        return []
    ev: dict[str, Any] = {"source": f.winner, "expiry": iso(exp) if exp else None, "now": iso(f.now)}
    when = f"at {iso(exp)}" if exp else ""
    fix = {
        "env": "AWS_CREDENTIAL_EXPIRATION is in the past: refresh the session keys the agent is started with",
        "iam-role": "the instance metadata service serves expired credentials: check the instance role still exists",
        "container-role": "the container credential endpoint serves expired credentials: restart the agent / agent pod",
        "custom-process": "the credential_process returns expired credentials",
    }.get(f.winner or "")
    if fix:
        ev["fix"] = [fix]
    return [Finding(P + "credentials-expired", Status.FAIL, f"{f.winner} credentials expired {when}".strip(), ev)]


# --- role shadowed by static keys -----------------------------------------------------------------------------


def _role_sources(f: Facts) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if f.web.env_role_present:
        found.append(("assume-role-with-web-identity", f"the pod's IRSA role ({f.web.role_arn or 'AWS_ROLE_ARN'})"))
    elif f.web.source.configured and f.winner in STATIC_METHODS and not f.reached("assume-role-with-web-identity"):
        found.append(("assume-role-with-web-identity", f"the web identity role ({f.web.role_arn})"))
    if f.container.configured:
        found.append(("container-role", f"the {f.container.kind} credentials ({f.container.uri_from})"))
    if f.imds_probe.roles:
        found.append(("iam-role", f"the instance profile role {f.imds_probe.roles[0]}"))
    return found


def env_shadows_role(f: Facts) -> list[Finding]:
    if f.winner not in STATIC_METHODS:
        return []
    roles = [r for r in _role_sources(f) if r[0] in ROLE_METHODS]
    if not roles:
        return []
    what = " and ".join(desc for _, desc in roles)
    where = _static_location(f, f.winner)
    key = winner_key(f)
    if f.winner == "env":
        fix = [
            "unset AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the agent's environment; "
            f"{what} will then be used"
        ]
    elif f.winner in ("shared-credentials-file", "config-file"):
        fix = [
            f"remove aws_access_key_id / aws_secret_access_key from {where} (or stop mounting that file into the "
            f"agent); {what} will then be used"
        ]
    else:
        fix = [f"remove the keys in {where}; {what} will then be used"]
    return [
        Finding(
            P + "env-shadows-role",
            Status.FAIL,
            f"static keys {key or ''} from {where} win over {what}".replace("  ", " "),
            {
                "winner": f.winner,
                "access_key_id": key,
                "location": where,
                "shadowed": [m for m, _ in roles],
                "fix": fix,
            },
        )
    ]


# --- profiles ------------------------------------------------------------------------------------------------


def profile_invalid(f: Facts) -> list[Finding]:
    fl = f.files
    run = f.run
    problems: list[str] = []
    fix: list[str] = []
    ev: dict[str, Any] = {
        "profile": fl.profile,
        "profile_source": fl.profile_source,
        "files_read": [af.path for af in (fl.config, fl.credentials) if af.exists],
        "profiles": fl.profile_names(),
    }
    status = Status.FAIL
    if fl.profile_source != "default" and not fl.profile_exists():
        problems.append(
            f"profile {fl.profile!r} (from {fl.profile_source}) does not exist in {fl.config.path} or "
            f"{fl.credentials.path}"
        )
        misnamed = [s for s in fl.misnamed_config_sections() if s == fl.profile]
        if misnamed:
            fix.append(f"rename the section [{fl.profile}] in {fl.config.path} to [profile {fl.profile}]")
        known = sorted(set(fl.merged_profiles()))
        fix.append(
            f"pick an existing profile ({', '.join(known) or 'none defined'}) or point AWS_CONFIG_FILE / "
            "AWS_SHARED_CREDENTIALS_FILE at the files that define it"
        )
    elif isinstance(run.error, ProfileNotFound):
        problems.append(error_text(run.error, f.redactor))
    if run.error is not None and run.error_method in PROFILE_METHODS:
        if run.error_method == "custom-process":
            problems.append(_process_problem(f))
            ev["exit_code"] = run.process_exit
            fix.append("run the credential_process command by hand as the agent's user and fix what it prints")
        else:
            problems.append(f"{run.error_method}: {error_text(run.error, f.redactor)}")
    elif run.error is not None and run.error_method is None and not isinstance(run.error, ProfileNotFound):
        problems.append(f"the configuration cannot be loaded: {error_text(run.error, f.redactor)}")
    sso = f.diags.get("sso")
    sso_problem = sso.facts.get("problem") if sso else None
    if sso_problem and f.winner == "sso":
        problems.append(str(sso_problem))
        fix.append(f"aws sso login --profile {fl.profile} (as the agent's user, so the token cache is in its HOME)")
    elif f.winner == "sso" and isinstance(run.refresh_error, SSOError):
        problems.append(error_text(run.refresh_error, f.redactor))
        fix.append(f"aws sso login --profile {fl.profile}")
    ar = f.diags.get("assume-role")
    ar_problem = ar.facts.get("problem") if ar else None
    if ar_problem and not problems and f.states.get("assume-role") in (SourceState.FAILED, SourceState.SHADOWED):
        problems.append(str(ar_problem))
        status = Status.FAIL if f.reached("assume-role") else Status.WARN
    if not problems:
        return []
    if fix:
        ev["fix"] = fix
    ev["problems"] = problems
    return [Finding(P + "profile-invalid", status, "; ".join(problems), ev)]


def _process_problem(f: Facts) -> str:
    e = f.run.error
    program = (
        f.diags["custom-process"].facts.get("program", "credential_process") if "custom-process" in f.diags else ""
    )
    if isinstance(e, ProcessTimeout):
        return f"credential_process {program} timed out: it {e}"
    if isinstance(e, ProcessOutputTooLarge):
        return f"credential_process {program} {e}"
    stderr = ""
    if isinstance(e, CredentialRetrievalError):
        stderr = str(e.kwargs.get("error_msg", ""))
    first = next((line for line in stderr.splitlines() if line.strip()), "")
    code = f.run.process_exit
    if code not in (None, 0):
        return f"credential_process {program} exited with code {code}" + (
            f": {f.redactor.text(first)[:200]}" if first else ""
        )
    return f"credential_process {program} failed: " + (
        f.redactor.text(first)[:200] if first else error_text(e, f.redactor) if e else ""
    )


# --- web identity ------------------------------------------------------------------------------------------------


def _relevance(f: Facts, method: str) -> Status:
    """A broken source botocore reaches is a failure; one shadowed by an earlier winner only a warning."""
    return Status.FAIL if f.reached(method) else Status.WARN


def web_identity(f: Facts) -> list[Finding]:
    w = f.web
    out: list[Finding] = []
    m = "assume-role-with-web-identity"
    if not w.source.configured:
        return out
    base = {"token_file": w.token_file, "token_file_from": w.token_file_from, "role_arn": w.role_arn}
    if w.token_problem:
        out.append(
            Finding(
                P + "web-identity-token-unreadable",
                _relevance(f, m),
                f"web identity token {w.token_problem}",
                {
                    **base,
                    "problem": w.token_problem,
                    "uid": os.getuid(),
                    "fix": [
                        "check the projected service account token volume is mounted in this container "
                        "(eks.amazonaws.com/serviceaccount) and readable by the agent's user (fsGroup)"
                    ],
                },
            )
        )
    if w.claims or w.claims_error:
        out.append(_claims(f))
    if w.role_arn_problem:
        out.append(
            Finding(
                P + "web-identity-rejected",
                _relevance(f, m),
                f"web identity role: {w.role_arn_problem}",
                {
                    **base,
                    "problem": w.role_arn_problem,
                    "fix": [
                        "set AWS_ROLE_ARN (eks.amazonaws.com/role-arn annotation) to arn:aws:iam::<account>:role/<name>"
                    ],
                },
            )
        )
    if f.winner == m and isinstance(f.run.refresh_error, ClientError):
        out.extend(_sts_rejection(f, "AssumeRoleWithWebIdentity", w.role_arn))
    return out


def _claims(f: Facts) -> Finding:
    w = f.web
    if w.claims_error:
        return Finding(
            P + "web-identity-claims",
            Status.WARN,
            f"web identity token: {w.claims_error}",
            {"token_file": w.token_file, "error": w.claims_error},
        )
    ev: dict[str, Any] = {k: w.claims.get(k) for k in ("iss", "sub", "aud")}
    for k in ("exp", "iat"):
        v = w.claims.get(k)
        ev[k] = iso(float(v)) if isinstance(v, int | float) else v
    ev["now"] = iso(f.now)
    exp = w.claims.get("exp")
    past = isinstance(exp, int | float) and exp < f.now
    msg = f"token for {ev['sub']} from {ev['iss']} (aud {ev['aud']}), exp {ev['exp']}"
    if past:
        msg = f"web identity token expired at {ev['exp']} (now {ev['now']}): " + msg
        ev["fix"] = ["the kubelet refreshes projected tokens: check the token volume is projected, not copied"]
    return Finding(P + "web-identity-claims", Status.WARN if past else Status.PASS, msg, ev)


def _sts_rejection(f: Facts, operation: str, role_arn: str | None) -> list[Finding]:
    e = f.run.refresh_error
    assert isinstance(e, ClientError)
    code = str(e.response.get("Error", {}).get("Code", ""))
    message = f.redactor.text(str(e.response.get("Error", {}).get("Message", "")))[:300]
    ev: dict[str, Any] = {"operation": operation, "role_arn": role_arn, "code": code, "message": message}
    if operation == "AssumeRoleWithWebIdentity":
        ev.update({"iss": f.web.claims.get("iss"), "sub": f.web.claims.get("sub"), "aud": f.web.claims.get("aud")})
    if code == "AccessDenied":
        ev["fix"] = _trust_fix(f, operation, role_arn)
        return [
            Finding(
                P + "role-trust-denied", Status.FAIL, f"STS {operation} on {role_arn}: AccessDenied — {message}", ev
            )
        ]
    if operation == "AssumeRoleWithWebIdentity":
        ev["fix"] = _web_identity_fix(f, code, message)
        return [Finding(P + "web-identity-rejected", Status.FAIL, f"STS {operation}: {code} — {message}", ev)]
    return []


def _trust_fix(f: Facts, operation: str, role_arn: str | None) -> list[str]:
    if operation == "AssumeRoleWithWebIdentity":
        iss = str(f.web.claims.get("iss", "<issuer>"))
        host = urlsplit(iss).netloc + urlsplit(iss).path if "://" in iss else iss
        sub = f.web.claims.get("sub", "<sub>")
        return [
            f"the trust policy of {role_arn} must allow sts:AssumeRoleWithWebIdentity for the federated principal "
            f'oidc-provider/{host} with condition "{host}:sub": "{sub}" (and "{host}:aud": "sts.amazonaws.com")'
        ]
    return [f"add the source principal to the trust policy of {role_arn} (Action sts:AssumeRole)"]


def _web_identity_fix(f: Facts, code: str, message: str) -> list[str]:
    iss = f.web.claims.get("iss", "<issuer>")
    if "OpenIDConnect provider" in message or (code == "InvalidIdentityToken" and "provider" in message.lower()):
        return [
            f"create the IAM OIDC identity provider for {iss} in the role's account "
            "(eksctl utils associate-iam-oidc-provider --cluster <name> --approve)"
        ]
    if "audience" in message.lower():
        return [
            f"the token's aud ({f.web.claims.get('aud')}) must be a client id of the OIDC provider "
            "(sts.amazonaws.com for IRSA)"
        ]
    if code in ("ExpiredTokenException", "ExpiredToken"):
        return ["the web identity token is expired: check the projected token volume is refreshed by the kubelet"]
    return []


def assume_role_rejection(f: Facts) -> list[Finding]:
    if f.winner == "assume-role" and isinstance(f.run.refresh_error, ClientError):
        ar = f.diags.get("assume-role")
        return _sts_rejection(f, "AssumeRole", str(ar.facts.get("role_arn")) if ar else None)
    return []


# --- container -------------------------------------------------------------------------------------------------


def container(f: Facts) -> list[Finding]:
    c, r = f.container, f.container_fetch
    if not c.configured:
        return []
    chain_error = f.run.error if f.run.error_method == "container-role" else None
    problem = c.uri_problem or c.token_problem or (r.error if r.checked and not r.ok else None)
    if not problem and chain_error is None:
        return []
    if not problem and chain_error is not None:
        problem = error_text(chain_error, f.redactor)
    host = urlsplit(c.uri or "").hostname or ""
    fix: list[str] = []
    if c.uri_problem:
        fix.append(
            "use an https URL, a loopback address, 169.254.170.2 or 169.254.170.23 in "
            "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        )
    elif c.token_problem or r.error_kind == "auth":
        fix.append(
            "mount the Pod Identity token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) into this container and "
            "make it readable by the agent's user"
        )
    elif host in cont.POD_IDENTITY_HOSTS and r.error_kind in ("refused", "timeout", "unreachable"):
        fix.append(
            "the EKS Pod Identity Agent does not answer on this node: "
            "kubectl -n kube-system get daemonset eks-pod-identity-agent"
        )
    elif host == cont.ECS_HOST and r.error_kind in ("refused", "timeout", "unreachable"):
        fix.append(
            "the ECS agent's credential endpoint does not answer: the task needs a task role and the "
            "awsvpc/bridge network must reach 169.254.170.2"
        )
    ev: dict[str, Any] = {
        "uri": c.uri,
        "uri_from": c.uri_from,
        "kind": c.kind,
        "token_from": c.token_from,
        "error_kind": r.error_kind or ("refused-uri" if c.uri_problem else "token" if c.token_problem else None),
        "http_status": r.status,
        "elapsed_ms": r.elapsed_ms,
        "problem": problem,
    }
    if fix:
        ev["fix"] = fix
    return [
        Finding(
            P + "container-credentials-failed",
            _relevance(f, "container-role"),
            f"{c.kind} credentials ({c.uri}): {problem}",
            ev,
        )
    ]


# --- IMDS --------------------------------------------------------------------------------------------------------


def _imds_needed(f: Facts) -> bool:
    """IMDS matters when botocore uses it, or nothing won and no earlier source stopped the chain first."""
    if f.winner is not None:
        return f.winner == "iam-role"
    return f.run.error_method in (None, "iam-role", "assume-role")


def imds(f: Facts, container_hints: Callable[[], list[str]]) -> list[Finding]:
    cfg, p = f.imds, f.imds_probe
    if cfg.disabled or not p.checked:
        return []
    out: list[Finding] = []
    ev: dict[str, Any] = {"endpoint": cfg.base_url, "endpoint_from": cfg.endpoint_from}
    needed = _imds_needed(f)
    if p.tcp != "open":
        if cfg.expected_why and needed:
            out.append(
                Finding(
                    P + "imds-unreachable",
                    Status.FAIL,
                    f"no instance metadata service answers at {cfg.base_url}: {p.tcp_error}",
                    {**ev, "error": p.tcp_error, "expected_because": cfg.expected_why},
                )
            )
        return out
    token_failed = p.put != "token"
    hop = p.put == "timeout" or (token_failed and cfg.v1_disabled)
    if hop and (needed or p.via == "IMDSv1"):
        hints = container_hints()
        status = Status.WARN if p.via == "IMDSv1" else Status.FAIL
        why = (
            f"the IMDSv2 token PUT timed out after {p.put_ms} ms while {cfg.base_url} accepts TCP"
            if p.put == "timeout"
            else f"the IMDSv2 token PUT failed ({p.put})"
        )
        if cfg.v1_disabled:
            why += f" and IMDSv1 is disabled ({cfg.v1_disabled_from})"
        out.append(
            Finding(
                P + "imds-hop-limit",
                status,
                why,
                {
                    **ev,
                    "put_outcome": p.put,
                    "put_ms": p.put_ms,
                    "v1_get": p.get_v1,
                    "v1_disabled": cfg.v1_disabled,
                    "in_container": bool(hints),
                    "container_hints": hints,
                    "fix": [
                        "aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2 "
                        "--http-tokens required --http-endpoint enabled (or run the agent with hostNetwork)"
                    ],
                },
            )
        )
    # Only a 404 (or an empty list) says "no role": a 401/403 means the request was refused (no IMDSv2 token).
    if needed and p.roles_status in (200, 404) and not p.roles and not (cfg.v1_disabled and token_failed):
        out.append(
            Finding(
                P + "imds-no-role",
                Status.FAIL,
                f"the instance metadata service answers but lists no IAM role (HTTP {p.roles_status})",
                {
                    **ev,
                    "roles_status": p.roles_status,
                    "fix": [
                        "attach an instance profile: aws ec2 associate-iam-instance-profile "
                        "--instance-id <id> --iam-instance-profile Name=<profile>"
                    ],
                },
            )
        )
    if f.winner == "iam-role" and p.via == "IMDSv1":
        out.append(
            Finding(
                P + "imdsv1-in-use",
                Status.WARN,
                f"credentials for role {p.roles[0] if p.roles else '?'} came over IMDSv1 (token PUT: {p.put})",
                {**ev, "put_outcome": p.put, "put_ms": p.put_ms},
            )
        )
    return out
