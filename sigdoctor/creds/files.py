"""The shared config and credentials files botocore reads, and which profile it selects.

Paths are resolved the way botocore resolves them (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/…),
but from the diagnosed environment, and opened through `ctx.path` so another process's root can be swapped in.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import field
from pathlib import Path
from typing import Any

import botocore.configloader
from botocore.exceptions import ConfigNotFound, ConfigParseError

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.records import datarecord

# Any botocore session of this process (the chain's, the probes', `sign`'s) skips a config file that is not a regular
# file of a sane size instead of parsing gigabytes.
boundedio.bound_botocore_config()


@datarecord(frozen=True)
class AwsFile:
    kind: str  # "config" | "credentials"
    path: str  # as the diagnosed process names it
    real: Path  # where we open it
    origin: str  # the env var that named it, or "default"
    exists: bool
    readable: bool
    error: str | None = None
    # Section names as written: for the config file `profile x`, `default`, `sso-session y`, ...
    sections: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "exists": self.exists, "from": self.origin}
        if self.exists and not self.readable:
            out["readable"] = False
        if self.error and self.exists:
            out["error"] = self.error
        return out


@datarecord
class AwsFiles:
    config: AwsFile
    credentials: AwsFile
    home: str | None
    home_from: str  # "HOME" | "passwd"
    profile: str
    profile_source: str  # "--profile" | "AWS_DEFAULT_PROFILE" | "AWS_PROFILE" | "default"
    # botocore.configloader.load_config shape of the config file: {"profiles": {...}, "sso_sessions": {...}}
    config_data: dict[str, Any] = field(default_factory=dict)
    # raw sections of the credentials file
    cred_data: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def explicit_profile(self) -> bool:
        """botocore drops the env provider only for a profile set on the session itself (`--profile`)."""
        return self.profile_source == "--profile"

    def config_profile(self, name: str) -> dict[str, Any]:
        profiles: dict[str, dict[str, Any]] = self.config_data.get("profiles", {})
        return profiles.get(name, {})

    def merged_profiles(self) -> dict[str, dict[str, Any]]:
        """Profiles as botocore's `session.full_config` sees them: config file, then credentials file on top."""
        merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self.config_data.get("profiles", {}).items()}
        for name, values in self.cred_data.items():
            merged.setdefault(name, {}).update(values)
        return merged

    def profile_exists(self) -> bool:
        return self.profile in self.merged_profiles()

    def profile_names(self) -> dict[str, list[str]]:
        return {
            self.config.path: sorted(self.config_data.get("profiles", {})),
            self.credentials.path: sorted(self.cred_data),
        }

    def misnamed_config_sections(self) -> list[str]:
        """Config sections that look like profiles but lack the `profile ` prefix (botocore ignores them)."""
        known = ("profile ", "sso-session ", "services ", "plugins", "preview", "default")
        return [s for s in self.config.sections if not s.startswith(known) and s.strip() == s]


def _home(ctx: Context) -> tuple[str | None, str]:
    if ctx.home:
        return ctx.home, "HOME"
    if ctx.agent is not None:
        # --pid: the agent's user, looked up in the agent's own /etc/passwd (never ours).
        return ctx.agent.home, "passwd"
    # botocore expands "~" with os.path.expanduser, which falls back to the passwd entry when HOME is unset.
    try:
        return pwd.getpwuid(os.getuid()).pw_dir, "passwd"
    except KeyError:
        return None, "passwd"


def _expand(path: str, home: str | None) -> str:
    if path.startswith("~") and home:
        return home.rstrip("/") + path[1:]
    return path


def select_profile(ctx: Context) -> tuple[str, str]:
    if ctx.profile:
        return ctx.profile, "--profile"
    # botocore's config chain lists AWS_DEFAULT_PROFILE before AWS_PROFILE.
    for var in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if ctx.env.get(var):
            return ctx.env[var], var
    return "default", "default"


def _locate(ctx: Context, kind: str, var: str, default: str, home: str | None) -> tuple[str, Path, str]:
    named = ctx.env.get(var)
    path = _expand(named if named else default, home)
    return path, ctx.path(path), var if named else "default"


def _probe_file(kind: str, path: str, real: Path, origin: str) -> tuple[AwsFile, dict[str, dict[str, Any]]]:
    if not real.is_file():
        # /dev/null (the usual way to switch a file off) exists but is nothing botocore reads.
        note = "is not a regular file" if real.exists() else None
        return AwsFile(kind, path, real, origin, exists=False, readable=False, error=note), {}
    readable = os.access(real, os.R_OK)
    if not readable:
        return AwsFile(kind, path, real, origin, True, False, error=f"not readable by uid {os.getuid()}"), {}
    try:
        boundedio.check_regular(real, boundedio.CONFIG_LIMIT)
    except OSError as e:
        # botocore would parse it all (minutes, gigabytes): it is given nothing instead, and the report says why.
        return AwsFile(kind, path, Path(os.devnull), origin, True, True, error=f"{e.strerror}: not read"), {}
    try:
        raw: dict[str, dict[str, Any]] = botocore.configloader.raw_config_parse(str(real))
    except ConfigNotFound:
        return AwsFile(kind, path, real, origin, exists=False, readable=False), {}
    except ConfigParseError as e:
        return AwsFile(kind, path, real, origin, True, True, error=f"cannot be parsed: {e}"), {}
    return AwsFile(kind, path, real, origin, True, True, sections=tuple(raw)), raw


def load(ctx: Context) -> AwsFiles:
    home, home_from = _home(ctx)
    profile, profile_source = select_profile(ctx)
    cpath, creal, corigin = _locate(ctx, "config", "AWS_CONFIG_FILE", "~/.aws/config", home)
    kpath, kreal, korigin = _locate(ctx, "credentials", "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", home)
    config, config_raw = _probe_file("config", cpath, creal, corigin)
    creds, cred_raw = _probe_file("credentials", kpath, kreal, korigin)
    config_data: dict[str, Any] = botocore.configloader.build_profile_map(config_raw) if config_raw else {}
    config_data.setdefault("profiles", {})
    return AwsFiles(
        config=config,
        credentials=creds,
        home=home,
        home_from=home_from,
        profile=profile,
        profile_source=profile_source,
        config_data=config_data,
        cred_data=cred_raw,
    )
