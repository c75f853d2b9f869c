"""Profile-based sources: assume-role, sso, login, credential_process, static keys in the shared files, and the
legacy boto2 / EC2-CLI files. All local: nothing here touches the network or runs a process."""

from __future__ import annotations

import hashlib
import json
import shlex
from datetime import UTC, datetime
from typing import Any

import botocore.configloader
from botocore.exceptions import ConfigNotFound, ConfigParseError

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.creds.files import AwsFiles
from sigdoctor.creds.model import SourceDiag, absent
from sigdoctor.redact import mask_key_id

CANONICAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


def _keys_detail(values: dict[str, Any], ctx: Context) -> tuple[str, bool, str | None, bool]:
    """(detail, usable, access key id, has token) of static keys in one INI section."""
    key = values.get("aws_access_key_id")
    secret = values.get("aws_secret_access_key")
    token = values.get("aws_session_token") or values.get("aws_security_token")
    ctx.redactor.add_secret(str(secret) if secret else None)
    ctx.redactor.add_secret(str(token) if token else None)
    parts = [f"aws_access_key_id={mask_key_id(str(key))}" if key else "no aws_access_key_id"]
    parts.append("aws_secret_access_key set" if secret else "aws_secret_access_key MISSING")
    if token:
        parts.append("aws_session_token set")
    return ", ".join(parts), bool(key and secret), str(key) if key else None, bool(token)


def static_keys(ctx: Context, files: AwsFiles, kind: str) -> SourceDiag:
    """`shared-credentials-file` (kind=credentials) or `config-file` (kind=config) for the selected profile."""
    f = files.credentials if kind == "credentials" else files.config
    section = files.cred_data.get(files.profile) if kind == "credentials" else files.config_profile(files.profile)
    loc = f"{f.path} [{files.profile}]"
    if not f.exists:
        return absent(f"{f.path} {f.error or 'does not exist'}", f.path)
    if f.error:
        return SourceDiag(True, f"{f.path} {f.error}", f.path, usable=False)
    if not section:
        return absent(f"no profile {files.profile!r} in {f.path}", f.path)
    if "aws_access_key_id" not in section:
        return absent(f"profile {files.profile!r} in {f.path} has no aws_access_key_id", loc)
    detail, usable, key, has_token = _keys_detail(section, ctx)
    return SourceDiag(True, detail, loc, usable=usable, facts={"key_id": key, "has_token": has_token})


def _profile(files: AwsFiles, name: str) -> dict[str, Any]:
    return files.merged_profiles().get(name, {})


def assume_role_problem(files: AwsFiles, name: str) -> str | None:
    """What botocore's AssumeRoleProvider would refuse in the role chain starting at profile `name`."""
    # Merged once: a role chain may be thousands of profiles deep (each step rebuilding it was quadratic).
    merged = files.merged_profiles()
    visited = [name]
    seen = {name}
    current = name
    while True:
        prof = merged.get(current, {})
        src, cred_src = prof.get("source_profile"), prof.get("credential_source")
        if src and cred_src:
            return f"profile {current!r} has both source_profile and credential_source"
        if not src and not cred_src:
            return f"profile {current!r} has role_arn but neither source_profile nor credential_source"
        if cred_src:
            if cred_src not in CANONICAL_SOURCES:
                return f"credential_source {cred_src!r} in profile {current!r} is not one of {', '.join(CANONICAL_SOURCES)}"
            return None
        if src not in merged:
            return f"source_profile {src!r} referenced by profile {current!r} does not exist"
        nxt = merged.get(str(src), {})
        has_static = "aws_access_key_id" in nxt or "aws_secret_access_key" in nxt
        if src in seen:
            if src == current and has_static:
                return None
            return f"source_profile loop: {' -> '.join([*visited, str(src)])}"
        visited.append(str(src))
        seen.add(str(src))
        if has_static or "role_arn" not in nxt:
            return None
        current = str(src)


def assume_role(files: AwsFiles) -> SourceDiag:
    prof = _profile(files, files.profile)
    if "role_arn" not in prof:
        return absent(f"profile {files.profile!r} has no role_arn")
    if "web_identity_token_file" in prof:
        return absent(f"profile {files.profile!r} uses web_identity_token_file (the web identity source)")
    via = (
        f"source_profile {prof['source_profile']}"
        if "source_profile" in prof
        else f"credential_source {prof.get('credential_source')}"
    )
    problem = assume_role_problem(files, files.profile)
    detail = f"role {prof['role_arn']} via {via}" + (f"; {problem}" if problem else "")
    return SourceDiag(
        True,
        detail,
        f"profile {files.profile}",
        usable=False if problem else None,
        facts={"role_arn": prof["role_arn"], "problem": problem},
    )


def sso_cache_dir(files: AwsFiles) -> str | None:
    return f"{files.home.rstrip('/')}/.aws/sso/cache" if files.home else None


def sso(ctx: Context, files: AwsFiles) -> SourceDiag:
    prof = _profile(files, files.profile)
    if "sso_role_name" not in prof and "sso_account_id" not in prof:
        return absent(f"profile {files.profile!r} has no sso_account_id / sso_role_name")
    cfg = dict(prof)
    session_name = prof.get("sso_session")
    if session_name:
        sessions: dict[str, Any] = files.config_data.get("sso_sessions", {})
        if session_name not in sessions:
            return SourceDiag(
                True,
                f"sso_session {session_name!r} does not exist",
                usable=False,
                facts={"problem": f"sso-session {session_name!r} is not defined"},
            )
        cfg.update(sessions[session_name])
    missing = [k for k in ("sso_start_url", "sso_region", "sso_role_name", "sso_account_id") if k not in cfg]
    if missing:
        problem = f"profile {files.profile!r} is missing {', '.join(missing)}"
        return SourceDiag(True, problem, usable=False, facts={"problem": problem})
    key_src = str(session_name or cfg["sso_start_url"])
    cache = sso_cache_dir(files)
    detail = f"account {cfg['sso_account_id']} role {cfg['sso_role_name']} ({cfg['sso_start_url']})"
    if not cache:
        return SourceDiag(True, detail + "; no home directory for the token cache", usable=None)
    path = f"{cache}/{hashlib.sha1(key_src.encode()).hexdigest()}.json"
    token_problem = _sso_token_problem(ctx, path, key_src)
    return SourceDiag(
        True,
        detail + (f"; {token_problem}" if token_problem else f"; token cache {path} valid"),
        path,
        usable=False if token_problem else None,
        facts={"problem": token_problem, "cache": path},
    )


def _sso_token_problem(ctx: Context, path: str, name: str) -> str | None:
    try:
        token = json.loads(boundedio.read_text(ctx.path(path), boundedio.SMALL_LIMIT))
    except FileNotFoundError:
        return f"no cached SSO token for {name} ({path}): run `aws sso login`"
    except (OSError, ValueError) as e:
        return f"the SSO token cache {path} cannot be read ({type(e).__name__})"
    if not isinstance(token, dict) or "accessToken" not in token or "expiresAt" not in token:
        return f"the SSO token cache {path} is invalid"
    ctx.redactor.add_secret(str(token.get("accessToken")))
    ctx.redactor.add_secret(str(token.get("refreshToken") or ""))
    try:
        expires = datetime.fromisoformat(str(token["expiresAt"]).replace("Z", "+00:00"))
    except ValueError:
        return f"the SSO token cache {path} has an unreadable expiresAt"
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if expires.timestamp() <= ctx.now() and not token.get("refreshToken"):
        return f"the cached SSO token expired at {token['expiresAt']}: run `aws sso login`"
    return None


def login(files: AwsFiles) -> SourceDiag:
    prof = _profile(files, files.profile)
    if "login_session" not in prof:
        return absent(f"profile {files.profile!r} has no login_session")
    return SourceDiag(True, f"login session {prof['login_session']}", f"profile {files.profile}", usable=None)


def process(ctx: Context, files: AwsFiles) -> SourceDiag:
    prof = _profile(files, files.profile)
    cmd = prof.get("credential_process")
    if cmd is None:
        return absent(f"profile {files.profile!r} has no credential_process")
    try:
        argv = shlex.split(str(cmd))
        program = argv[0]
    except (ValueError, IndexError):
        argv, program = [], "(unparsable command line)"
    # Only the program is shown, and the arguments are treated as secrets: they may be tokens, and the process
    # may echo them in the error we quote.
    for arg in argv[1:]:
        if len(arg) >= 8 and not arg.startswith("-"):
            ctx.redactor.add_secret(arg)
    return SourceDiag(
        True, f"credential_process runs {program}", f"profile {files.profile}", usable=None, facts={"program": program}
    )


def ec2_credentials_file(ctx: Context) -> SourceDiag:
    path = ctx.env.get("AWS_CREDENTIAL_FILE")
    if path is None:
        return absent("AWS_CREDENTIAL_FILE not set")
    try:
        text = boundedio.read_text(ctx.path(path), boundedio.SMALL_LIMIT, errors="replace")
    except OSError as e:
        return SourceDiag(True, f"AWS_CREDENTIAL_FILE={path} cannot be read ({e.strerror})", path, usable=False)
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    values = {k.strip(): v.strip() for k, v in values.items()}
    ctx.redactor.add_secret(values.get("AWSSecretKey"))
    if "AWSAccessKeyId" not in values:
        return absent(f"AWS_CREDENTIAL_FILE={path} has no AWSAccessKeyId", path)
    return SourceDiag(
        True,
        f"AWSAccessKeyId={mask_key_id(values['AWSAccessKeyId'])}",
        path,
        usable="AWSSecretKey" in values,
        facts={"key_id": values["AWSAccessKeyId"]},
    )


def boto_config(ctx: Context, files: AwsFiles) -> SourceDiag:
    named = ctx.env.get("BOTO_CONFIG")
    candidates = [named] if named is not None else ["/etc/boto.cfg", f"{files.home or '~'}/.boto"]
    for path in candidates:
        try:
            parsed = botocore.configloader.raw_config_parse(str(ctx.path(path)))
        except ConfigNotFound:
            continue
        except ConfigParseError:
            return SourceDiag(True, f"{path} cannot be parsed", path, usable=False)
        section = parsed.get("Credentials", {})
        if "aws_access_key_id" in section:
            detail, usable, key, _ = _keys_detail(section, ctx)
            return SourceDiag(True, detail, path, usable=usable, facts={"key_id": key})
    return absent("no [Credentials] keys in " + " or ".join(candidates))
