"""Which credentials aws-sdk-go-v2 `config.LoadDefaultConfig` picks, and why — a pure-Python copy of its switch.

Verified against the real SDK (Debian's config 1.17.x) by tests/gosdk. config/resolve_credentials.go switches once:
  programmatic profile → the profile;  env keys → EnvConfigCredentials;  AWS_WEB_IDENTITY_TOKEN_FILE → web identity;
  else the profile: source_profile / static keys / credential_source / web_identity_token_file / sso / process, then
  the container (FULL_URI before RELATIVE_URI), then IMDS.
Both shared files are always read (config: `[profile x]`, credentials: `[x]`); a missing profile is ignored, but a
profile with only half of a key pair makes LoadDefaultConfig fail. Before config 1.25 (credentials 1.16) the
container provider insists on a loopback host (EKS Pod Identity is refused) and reads no token file.
"""

from __future__ import annotations

from dataclasses import field

from sigdoctor.gosdk.common import (
    ASSUME_ROLE,
    EC2_ROLE,
    ENDPOINT,
    ENV,
    PROCESS,
    SHARED,
    SSO,
    WEB_IDENTITY,
    ConfigError,
    GoInput,
    Prediction,
    Sections,
    default_file,
    load_ini,
    loopback_problem,
    network,
    token_file_problem,
    version_at_least,
    version_caveat,
)
from sigdoctor.records import datarecord

NAME = "aws-sdk-go-v2"
# github.com/aws/aws-sdk-go-v2/config v1.25.0 added EKS Pod Identity (loopback-only before).
POD_IDENTITY_VERSION = (1, 25, 0)
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
_SSO_KEYS = ("sso_account_id", "sso_region", "sso_role_name", "sso_start_url")
_STRINGS = (
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "mfa_serial",
    "sso_session",
    *_SSO_KEYS,
)


class _NotExists(Exception):
    pass


@datarecord
class _Section:
    values: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # key → the file it came from
    errors: list[str] = field(default_factory=list)


def _partial(name: str, sec: dict[str, str]) -> list[str]:
    if ("aws_access_key_id" in sec) != ("aws_secret_access_key" in sec):
        return [f"partial credentials found for profile {name}"]
    return []


def _merge(dst: dict[str, _Section], name: str, sec: dict[str, str], path: str) -> None:
    target = dst.get(name)
    if target is None:
        dst[name] = _Section(dict(sec), {k: path for k in sec}, _partial(name, sec))
        return
    target.errors = _partial(name, sec)
    if "aws_access_key_id" in sec and "aws_secret_access_key" in sec:
        for k in ("aws_access_key_id", "aws_secret_access_key"):
            target.values[k], target.origin[k] = sec[k], path
        if "aws_session_token" in sec:
            target.values["aws_session_token"] = sec["aws_session_token"]
    for k in _STRINGS:
        if k in sec:
            target.values[k], target.origin[k] = sec[k], path


@datarecord
class _Shared:
    profile: str
    v: dict[str, str] = field(default_factory=dict)
    keys_file: str | None = None
    source: _Shared | None = None

    def s(self, key: str) -> str:
        return self.v.get(key, "")

    @property
    def sso(self) -> bool:
        return any(self.s(k) for k in _SSO_KEYS)

    def has_credentials(self) -> bool:
        kinds = ("source_profile", "credential_source", "credential_process", "web_identity_token_file")
        return any(self.s(k) for k in kinds) or self.sso or bool(self.keys_file)


def _load(name: str, sections: dict[str, _Section], seen: set[str]) -> _Shared:
    sec = sections.get(name)
    if sec is None:
        raise _NotExists(name)
    if sec.errors:
        raise ConfigError(f"error fetching config from profile, {name}, Error using profile: {sec.errors[-1]}")
    cfg = _Shared(name, dict(sec.values))
    if cfg.s("aws_access_key_id") and cfg.s("aws_secret_access_key"):
        cfg.keys_file = sec.origin.get("aws_access_key_id")
    if name in seen:
        for k in ("role_arn", "mfa_serial", "source_profile"):
            cfg.v.pop(k, None)
    else:
        kind = next((k for k in ("source_profile", "credential_source", "web_identity_token_file") if cfg.s(k)), None)
        if kind and not cfg.s("role_arn"):
            raise ConfigError(f"credential type {kind} requires role_arn, profile {name}")
    if seen and cfg.keys_file:
        return cfg  # a source profile with keys: done
    seen.add(name)
    kinds = ("source_profile", "credential_source", "credential_process", "web_identity_token_file")
    if sum(1 for k in kinds if cfg.s(k)) > 1:
        raise ConfigError("only one credential type may be specified per profile")
    src_name = cfg.s("source_profile")
    if src_name:
        for k in ("credential_source", "credential_process", "web_identity_token_file", *_SSO_KEYS):
            cfg.v.pop(k, None)
        cfg.keys_file = None
        problem = f"failed to load assume role {cfg.s('role_arn')}, source profile {src_name} has no credentials"
        try:
            src = _load(src_name, sections, seen)
        except _NotExists:
            raise ConfigError(problem) from None
        if not src.has_credentials():
            raise ConfigError(problem)
        cfg.source = src
    return cfg


def predict(g: GoInput) -> Prediction:
    try:
        return _Model(g).resolve()
    except ConfigError as e:
        return Prediction(None, f"config.LoadDefaultConfig fails: {e}")


class _Model:
    def __init__(self, g: GoInput) -> None:
        self.g = g
        # Unknown version (no build info): assume a current SDK; the build-info check flags old ones.
        self.new = g.version is None or version_at_least(g.version, POD_IDENTITY_VERSION)
        self.key = g.first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
        self.secret = g.first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
        self.profile = g.profile or g.first("AWS_PROFILE", "AWS_DEFAULT_PROFILE") or "default"
        self.config_file = default_file(g, "AWS_CONFIG_FILE", "config")
        self.creds_file = default_file(g, "AWS_SHARED_CREDENTIALS_FILE", "credentials")

    def _sections(self) -> dict[str, _Section]:
        merged: dict[str, _Section] = {}
        config: Sections = load_ini(self.g, self.config_file) or {}
        for name, sec in config.items():
            if name.startswith("profile "):
                merged.pop(name[len("profile ") :], None)
                _merge(merged, name[len("profile ") :], sec, self.config_file)
            elif name == "default" or name.startswith("sso-session "):
                _merge(merged, name, sec, self.config_file)
            # other section names are dropped: a config-file profile needs the `profile ` prefix
        creds: Sections = load_ini(self.g, self.creds_file) or {}
        for name, sec in creds.items():
            if not name.startswith("profile "):
                _merge(merged, name, sec, self.creds_file)
        return merged

    def resolve(self) -> Prediction:
        try:
            shared = _load(self.profile, self._sections(), set())
        except _NotExists:
            shared = _Shared(self.profile)  # loadSharedConfigIgnoreNotExist
        if self.g.profile:
            return self._from_profile(shared)
        if self.key and self.secret:
            return Prediction(ENV, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set: environment keys win")
        token_file = self.g.get("AWS_WEB_IDENTITY_TOKEN_FILE")
        if token_file:
            return self._web_identity(token_file, self.g.get("AWS_ROLE_ARN"), "AWS_WEB_IDENTITY_TOKEN_FILE")
        return self._from_profile(shared)

    def _web_identity(self, path: str, role_arn: str, origin: str) -> Prediction:
        if not role_arn:
            raise ConfigError(f"role ARN is not set ({origin} is set)")
        problem = token_file_problem(self.g, path)
        if problem:
            return Prediction(None, f"{origin}: web identity picked, but {problem}")
        return Prediction(WEB_IDENTITY, f"{origin} names {path}; AssumeRoleWithWebIdentity for {role_arn}")

    def _where(self, cfg: _Shared) -> str:
        return f"profile {cfg.profile!r} in {self.config_file} / {self.creds_file}"

    def _from_profile(self, cfg: _Shared) -> Prediction:
        if cfg.source is not None:
            base = self._from_profile(cfg.source)
        elif cfg.keys_file:
            base = Prediction(f"{SHARED}: {cfg.keys_file}", f"static keys of {self._where(cfg)}")
        elif cfg.s("credential_source"):
            base = self._from_source(cfg)
        elif cfg.s("web_identity_token_file"):
            return self._web_identity(cfg.s("web_identity_token_file"), cfg.s("role_arn"), self._where(cfg))
        elif cfg.sso:
            if not (cfg.s("sso_region") and cfg.s("sso_start_url")) and not cfg.s("sso_session"):
                raise ConfigError(
                    f"profile {cfg.profile!r} is configured to use SSO but is missing sso_region/start_url"
                )
            base = Prediction(SSO, f"SSO settings of {self._where(cfg)}")
        elif cfg.s("credential_process"):
            base = Prediction(PROCESS, f"credential_process of {self._where(cfg)}")
        else:
            base = self._container_or_imds(
                f"no environment keys, no AWS_WEB_IDENTITY_TOKEN_FILE, nothing usable in {self._where(cfg)}"
            )
        if not cfg.s("role_arn"):
            return base
        if cfg.s("mfa_serial"):
            raise ConfigError("assume role with MFA enabled, but AssumeRoleTokenProvider session option not set")
        if base.source is None:
            return Prediction(None, f"{self._where(cfg)} assumes {cfg.s('role_arn')}, but its base fails: {base.why}")
        return Prediction(ASSUME_ROLE, f"{self._where(cfg)}: AssumeRole {cfg.s('role_arn')} with {base.source}")

    def _from_source(self, cfg: _Shared) -> Prediction:
        src = cfg.s("credential_source")
        why = f"credential_source {src} of {self._where(cfg)}"
        if src == "Ec2InstanceMetadata":
            return self._imds(why)
        if src == "Environment":
            if self.key and self.secret:
                return Prediction(ENV, why)
            return Prediction(None, f"{why}, but the environment has no keys")
        if src == "EcsContainer":
            if not self.g.get(RELATIVE):
                raise ConfigError(f"EcsContainer was specified as the credential_source, but '{RELATIVE}' was not set")
            return network(self.g, "container", ENDPOINT, f"{why}; ECS container credentials ({RELATIVE})")
        raise ConfigError("credential_source values must be EcsContainer, Ec2InstanceMetadata, or Environment")

    def _container_or_imds(self, why: str) -> Prediction:
        full = self.g.get(FULL)
        if full:
            problem = loopback_problem(full, allow_pod_identity=self.new)
            if problem:
                hint = "" if self.new else " (EKS Pod Identity needs aws-sdk-go-v2/config >= 1.25.0)"
                raise ConfigError(f"{FULL}={full}: {problem}{hint}")
            token_file = self.g.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            if token_file and not self.new and not self.g.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"):
                return Prediction(
                    None,
                    f"{why}; {FULL}={full}, but this aws-sdk-go-v2 ignores AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "
                    "it sends no token and the endpoint refuses it",
                )
            if token_file and self.new:
                problem = token_file_problem(self.g, token_file)
                if problem:
                    return Prediction(None, f"{why}; {FULL}={full}, but {problem}")
            caveat = version_caveat(self.g, full, "aws-sdk-go-v2/config 1.25.0")
            return network(self.g, "container", ENDPOINT, f"{why}; container credentials from {FULL}={full}{caveat}")
        if self.g.get(RELATIVE):
            return network(self.g, "container", ENDPOINT, f"{why}; ECS container credentials ({RELATIVE})")
        return self._imds(f"{why}: falls back to the instance profile (IMDS)")

    def _imds(self, why: str) -> Prediction:
        if self.g.get("AWS_EC2_METADATA_DISABLED").lower() == "true":
            return Prediction(None, f"{why}; IMDS is disabled (AWS_EC2_METADATA_DISABLED)")
        return network(self.g, "imds", EC2_ROLE, why)
