"""The `assume-role-with-web-identity` source: IRSA / OIDC token file plus role ARN, from env vars or the profile."""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import field
from typing import Any

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.creds import jwt
from sigdoctor.creds.files import AwsFiles
from sigdoctor.creds.model import SourceDiag
from sigdoctor.records import datarecord

TOKEN_FILE_VAR = "AWS_WEB_IDENTITY_TOKEN_FILE"
ROLE_ARN_VAR = "AWS_ROLE_ARN"
SESSION_NAME_VAR = "AWS_ROLE_SESSION_NAME"
_ENV_FOR = {"web_identity_token_file": TOKEN_FILE_VAR, "role_arn": ROLE_ARN_VAR, "role_session_name": SESSION_NAME_VAR}

ROLE_ARN_RE = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")


def role_arn_problem(arn: str) -> str | None:
    """Why a role ARN is malformed, or None. Names the part that is wrong; ARNs are not secrets."""
    if ROLE_ARN_RE.match(arn):
        return None
    if arn != arn.strip():
        return "has leading or trailing whitespace"
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "is not an ARN (expected arn:<partition>:iam::<12-digit account>:role/<name>)"
    if not re.fullmatch(r"aws(?:-[a-z]+)*", parts[1]):
        return f"has an unknown partition {parts[1]!r}"
    if parts[2] != "iam":
        return f"names service {parts[2]!r}, not iam"
    if not re.fullmatch(r"\d{12}", parts[4]):
        return f"has account {parts[4]!r}, not 12 digits"
    if not parts[5].startswith("role/"):
        return f"names a {parts[5].split('/')[0]!r}, not a role/ (a user or instance-profile ARN?)"
    return "has characters a role name cannot contain"


@datarecord
class WebIdentityDiag:
    source: SourceDiag
    token_file: str | None = None
    token_file_from: str | None = None
    role_arn: str | None = None
    role_arn_from: str | None = None
    token_problem: str | None = None
    role_arn_problem: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    claims_error: str | None = None
    # Both env vars present: the pod was given an IRSA role, whatever the profile says.
    env_role_present: bool = False


def _setting(ctx: Context, files: AwsFiles, key: str, env_enabled: bool) -> tuple[str | None, str | None]:
    # Per key, exactly like botocore: the env var (unless --profile disabled env vars), else the profile.
    var = _ENV_FOR[key]
    if env_enabled and var in ctx.env:
        return ctx.env[var], var
    value = files.merged_profiles().get(files.profile, {}).get(key)
    if value is not None:
        return str(value), f"profile {files.profile} {key}"
    return None, None


def read_token(ctx: Context, path: str) -> tuple[str | None, str | None]:
    """The token's text, or why it cannot be used (missing, unreadable with our uid, empty)."""
    real = ctx.path(path)
    try:
        text = boundedio.read_text(real, boundedio.TOKEN_LIMIT, errors="replace")
    except boundedio.ReadRefused as e:
        return None, f"{path} {e.strerror}"
    except FileNotFoundError:
        return None, f"{path} does not exist"
    except PermissionError:
        try:
            st = real.stat()
            owner = f" (owner uid {st.st_uid}, mode {stat.filemode(st.st_mode)})"
        except OSError:
            owner = ""
        return None, f"{path} is not readable by uid {os.getuid()}{owner}"
    except IsADirectoryError:
        return None, f"{path} is a directory"
    except OSError as e:
        return None, f"{path} cannot be read: {e.strerror}"
    ctx.redactor.add_secret(text)
    if not text.strip():
        return None, f"{path} is empty"
    return text, None


def botocore_loader(ctx: Context, path: str) -> Callable[[], str]:
    """botocore's token loader, bounded: a FIFO, a device or a huge file is refused instead of blocking or
    filling memory, and the token is registered with the redactor before botocore can log it."""

    def load() -> str:
        token = boundedio.read_text(ctx.path(path), boundedio.TOKEN_LIMIT, errors="replace")
        ctx.redactor.add_secret(token)
        return token

    return load


def diagnose(ctx: Context, files: AwsFiles) -> WebIdentityDiag:
    env_enabled = not files.explicit_profile
    token_file, token_from = _setting(ctx, files, "web_identity_token_file", env_enabled)
    role_arn, role_from = _setting(ctx, files, "role_arn", env_enabled)
    env_role = bool(ctx.env.get(TOKEN_FILE_VAR) and ctx.env.get(ROLE_ARN_VAR))
    if not token_file:
        detail = f"{TOKEN_FILE_VAR} not set and profile {files.profile} has no web_identity_token_file"
        if not env_enabled and ctx.env.get(TOKEN_FILE_VAR):
            detail = f"{TOKEN_FILE_VAR} is set but ignored: --profile disables env vars for web identity"
        return WebIdentityDiag(SourceDiag(False, detail, usable=False), env_role_present=env_role)

    diag = WebIdentityDiag(
        SourceDiag(True, "", location=f"{token_file} ({token_from})"),
        token_file=token_file,
        token_file_from=token_from,
        role_arn=role_arn,
        role_arn_from=role_from,
        env_role_present=env_role,
    )
    token, diag.token_problem = read_token(ctx, token_file)
    if token is not None:
        try:
            diag.claims = jwt.claims(token)
        except jwt.NotAJwt as e:
            diag.claims_error = str(e)
    if not role_arn:
        diag.role_arn_problem = f"{ROLE_ARN_VAR} not set and profile has no role_arn"
    else:
        problem = role_arn_problem(role_arn)
        if problem:
            diag.role_arn_problem = f"{ROLE_ARN_VAR if role_from == ROLE_ARN_VAR else 'role_arn'} {problem}"

    parts = [f"token {token_file} ({token_from})"]
    parts.append(diag.token_problem or _claims_summary(diag.claims, diag.claims_error))
    parts.append(f"role {role_arn} ({role_from})" if role_arn else "no role ARN")
    if diag.role_arn_problem:
        parts.append(diag.role_arn_problem)
    diag.source.detail = "; ".join(p for p in parts if p)
    diag.source.usable = False if (diag.token_problem or diag.role_arn_problem) else None
    return diag


def _claims_summary(claims: dict[str, Any], error: str | None) -> str:
    if error:
        return error
    bits = [f"{k}={claims[k]}" for k in ("iss", "sub", "aud") if k in claims]
    exp = claims.get("exp")
    if isinstance(exp, int | float):
        bits.append("exp=" + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp)))
    return ", ".join(bits)
