"""Which credentials aws-sdk-go (v1) `session.NewSession` picks, and why — a pure-Python copy of its switch.

Verified against the real SDK (Debian's 1.44.133) by tests/gosdk. Unlike botocore, v1 does not walk a list: it
switches once on the configuration (aws/session/credentials.go `resolveCredentials`):
  programmatic profile → the profile;  env keys → EnvConfigCredentials;  AWS_WEB_IDENTITY_TOKEN_FILE → web identity;
  else the profile (source_profile / static keys / credential_source / web_identity_token_file / sso / process),
  and only when the profile has nothing: the remote provider — container (FULL_URI before RELATIVE_URI) or IMDS.
~/.aws/config is read only with AWS_SDK_LOAD_CONFIG (or SharedConfigEnable in code); without it role_arn,
source_profile, credential_source and sso are ignored even in the credentials file. Before 1.47.11 the container
provider insists on a loopback host (so EKS Pod Identity's 169.254.170.23 is refused) and does not read
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
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
    go_bool,
    load_ini,
    loopback_problem,
    network,
    token_file_problem,
    version_at_least,
    version_caveat,
)
from sigdoctor.records import datarecord

NAME = "aws-sdk-go"
POD_IDENTITY_VERSION = (1, 47, 11)
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"


class _NotExists(Exception):
    pass


@datarecord
class _Shared:
    profile: str
    role_arn: str = ""
    source_profile_name: str = ""
    credential_source: str = ""
    credential_process: str = ""
    web_identity_token_file: str = ""
    mfa_serial: str = ""
    sso: dict[str, str] = field(default_factory=dict)
    keys_file: str | None = None
    source: _Shared | None = None

    def has_credentials(self) -> bool:
        return bool(
            self.source_profile_name
            or self.credential_source
            or self.credential_process
            or self.web_identity_token_file
            or self.sso
            or self.keys_file
        )


_EXOPTS = {"role_arn": "role_arn", "source_profile": "source_profile_name", "credential_source": "credential_source"}
_ALWAYS = {"credential_process": "credential_process", "web_identity_token_file": "web_identity_token_file"}
_SSO_KEYS = ("sso_account_id", "sso_region", "sso_role_name", "sso_start_url")


def _apply(cfg: _Shared, sec: dict[str, str], path: str, exopts: bool) -> None:
    if exopts:
        for key, attr in _EXOPTS.items():
            if key in sec:
                setattr(cfg, attr, sec[key])
        if "mfa_serial" in sec:
            cfg.mfa_serial = sec["mfa_serial"]
        for key in _SSO_KEYS:
            if key in sec:
                cfg.sso[key] = sec[key]
        cfg.sso = {k: v for k, v in cfg.sso.items() if v}
    for key, attr in _ALWAYS.items():
        if key in sec:
            setattr(cfg, attr, sec[key])
    if sec.get("aws_access_key_id") and sec.get("aws_secret_access_key"):
        cfg.keys_file = path


def _load(name: str, files: list[tuple[str, Sections]], exopts: bool, seen: set[str]) -> _Shared:
    cfg = _Shared(name)
    skipped = 0
    for path, sections in files:
        # v1 accepts both spellings in both files.
        sec = sections.get(name, sections.get(f"profile {name}"))
        if sec is None:
            skipped += 1
            continue
        _apply(cfg, sec, path, exopts)
    if files and skipped == len(files):
        raise _NotExists(name)
    if name in seen:
        cfg.role_arn = cfg.mfa_serial = cfg.source_profile_name = ""
    else:
        kind = next(
            (
                k
                for k, v in (
                    ("source_profile", cfg.source_profile_name),
                    ("credential_source", cfg.credential_source),
                    ("web_identity_token_file", cfg.web_identity_token_file),
                )
                if v
            ),
            None,
        )
        if kind and not cfg.role_arn:
            raise ConfigError(f"CredentialRequiresARNError: credential type {kind} requires role_arn, profile {name}")
    seen.add(name)
    kinds = [cfg.source_profile_name, cfg.credential_source, cfg.credential_process, cfg.web_identity_token_file]
    if sum(1 for k in kinds if k) > 1:
        raise ConfigError(
            "only one credential type may be specified per profile (source profile, credential source, "
            "credential process, web identity token, or sso)"
        )
    if cfg.source_profile_name:
        cfg.credential_source = cfg.credential_process = cfg.web_identity_token_file = ""
        cfg.keys_file, cfg.sso = None, {}
        problem = (
            f"SharedConfigAssumeRoleError: failed to load assume role for {cfg.role_arn}, "
            f"source profile {cfg.source_profile_name} has no shared credentials"
        )
        try:
            src = _load(cfg.source_profile_name, files, exopts, seen)
        except _NotExists:
            raise ConfigError(problem) from None
        if not src.has_credentials():
            raise ConfigError(problem)
        cfg.source = src
    return cfg


def predict(g: GoInput, shared_config: bool | None = None) -> Prediction:
    """`shared_config`: None = NewSession (AWS_SDK_LOAD_CONFIG decides), True = SharedConfigEnable, False = Disable."""
    enable = go_bool(g.get("AWS_SDK_LOAD_CONFIG")) if shared_config is None else shared_config
    try:
        return _Model(g, enable).resolve()
    except ConfigError as e:
        return Prediction(None, f"session.NewSession fails: {e}")


class _Model:
    def __init__(self, g: GoInput, enable: bool) -> None:
        self.g = g
        self.enable = enable
        # Unknown version (no build info): assume a current SDK; the build-info check flags old ones.
        self.new = g.version is None or version_at_least(g.version, POD_IDENTITY_VERSION)
        self.key = g.first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
        self.secret = g.first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
        env_profile = g.first("AWS_PROFILE", "AWS_DEFAULT_PROFILE") if enable else g.get("AWS_PROFILE")
        self.profile = g.profile or env_profile
        self.config_file = default_file(g, "AWS_CONFIG_FILE", "config")
        self.creds_file = default_file(g, "AWS_SHARED_CREDENTIALS_FILE", "credentials")

    @property
    def env_keys(self) -> bool:
        return bool(self.key and self.secret)

    def _files(self) -> list[tuple[str, Sections]]:
        paths = [self.config_file, self.creds_file] if self.enable else [self.creds_file]
        out = []
        for p in paths:
            sections = load_ini(self.g, p)
            if sections is not None:  # unreadable files are skipped silently, like the SDK does
                out.append((p, sections))
        return out

    def _shared(self) -> _Shared:
        name = self.profile or "default"
        try:
            return _load(name, self._files(), self.enable, set())
        except _NotExists:
            return _Shared(name)
        except ConfigError:
            if not self.profile and not self.enable and self.env_keys:
                return _Shared(name)  # aws-sdk-go#2455: env keys make a broken credentials file irrelevant
            raise

    def resolve(self) -> Prediction:
        shared = self._shared()
        if self.g.profile:
            return self._from_profile(shared)
        if self.env_keys:
            return Prediction(ENV, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set: environment keys win")
        token_file = self.g.get("AWS_WEB_IDENTITY_TOKEN_FILE")
        if token_file:
            return self._web_identity(token_file, self.g.get("AWS_ROLE_ARN"), "AWS_WEB_IDENTITY_TOKEN_FILE")
        return self._from_profile(shared)

    def _web_identity(self, path: str, role_arn: str, origin: str) -> Prediction:
        if not role_arn:
            raise ConfigError(f"WebIdentityErr: role ARN is not set ({origin} is set, AWS_ROLE_ARN is not)")
        problem = token_file_problem(self.g, path)
        if problem:
            return Prediction(None, f"{origin}: web identity picked, but {problem} (WebIdentityErr)")
        return Prediction(WEB_IDENTITY, f"{origin} names {path}; AssumeRoleWithWebIdentity for {role_arn}")

    def _where(self, cfg: _Shared) -> str:
        files = f"{self.creds_file}" + (f" and {self.config_file}" if self.enable else "")
        return f"profile {cfg.profile!r} in {files}"

    def _from_profile(self, cfg: _Shared) -> Prediction:
        if cfg.source is not None:
            base = self._from_profile(cfg.source)
        elif cfg.keys_file:
            base = Prediction(f"{SHARED}: {cfg.keys_file}", f"static keys of {self._where(cfg)}")
        elif cfg.credential_source:
            base = self._from_source(cfg)
        elif cfg.web_identity_token_file:
            return self._web_identity(cfg.web_identity_token_file, cfg.role_arn, f"{self._where(cfg)}")
        elif cfg.sso:
            missing = [k for k in _SSO_KEYS if k not in cfg.sso]
            if missing:
                raise ConfigError(
                    f"profile {cfg.profile!r} is configured to use SSO but is missing {', '.join(missing)}"
                )
            base = Prediction(SSO, f"SSO settings of {self._where(cfg)}")
        elif cfg.credential_process:
            base = Prediction(PROCESS, f"credential_process of {self._where(cfg)}")
        else:
            base = self._remote(self._nothing_else(cfg))
        if not cfg.role_arn:
            return base
        if cfg.mfa_serial:
            raise ConfigError("AssumeRoleTokenProviderNotSetError: assume role with MFA enabled")
        if base.source is None:
            return Prediction(
                None, f"{self._where(cfg)} assumes {cfg.role_arn}, but its base credentials fail: {base.why}"
            )
        return Prediction(ASSUME_ROLE, f"{self._where(cfg)}: AssumeRole {cfg.role_arn} with {base.source}")

    def _nothing_else(self, cfg: _Shared) -> str:
        why = "no environment keys, no AWS_WEB_IDENTITY_TOKEN_FILE"
        why += f", nothing usable in {self._where(cfg)}"
        if not self.enable and self.g.read(self.config_file) is not None:
            why += f" ({self.config_file} is not read without AWS_SDK_LOAD_CONFIG=1)"
        return why

    def _from_source(self, cfg: _Shared) -> Prediction:
        src = cfg.credential_source
        if src == "Ec2InstanceMetadata":
            return self._remote(f"credential_source {src} of {self._where(cfg)}")
        if src == "Environment":
            if self.env_keys:
                return Prediction(ENV, f"credential_source Environment of {self._where(cfg)}")
            return Prediction(None, "credential_source Environment, but the environment has no keys")
        if src == "EcsContainer":
            if not self.g.get(RELATIVE):
                raise ConfigError(f"EcsContainer was specified as the credential_source, but '{RELATIVE}' was not set")
            return self._remote(f"credential_source {src} of {self._where(cfg)}")
        raise ConfigError("credential source values must be EcsContainer, Ec2InstanceMetadata, or Environment")

    def _remote(self, why: str) -> Prediction:
        """defaults.RemoteCredProvider: FULL_URI, then RELATIVE_URI, then IMDS."""
        full = self.g.get(FULL)
        if full:
            problem = loopback_problem(full, allow_pod_identity=self.new)
            if problem:
                hint = "" if self.new else " (EKS Pod Identity needs aws-sdk-go >= 1.47.11)"
                return Prediction(None, f"{why}; the container provider refuses {FULL}={full}: {problem}{hint}")
            token_problem = self._token_problem()
            if token_problem:
                return Prediction(None, f"{why}; {FULL}={full}, but {token_problem}")
            caveat = version_caveat(self.g, full, "aws-sdk-go 1.47.11")
            return network(self.g, "container", ENDPOINT, f"{why}; container credentials from {FULL}={full}{caveat}")
        rel = self.g.get(RELATIVE)
        if rel:
            return network(self.g, "container", ENDPOINT, f"{why}; ECS container credentials ({RELATIVE})")
        if self.g.get("AWS_EC2_METADATA_DISABLED").lower() == "true":
            return Prediction(None, f"{why}; IMDS is disabled (AWS_EC2_METADATA_DISABLED): NoCredentialProviders")
        return network(self.g, "imds", EC2_ROLE, f"{why}: falls back to the instance profile (IMDS)")

    def _token_problem(self) -> str | None:
        token_file = self.g.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        if not token_file or (self.g.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") and not self.new):
            return None
        if not self.new:
            return (
                "this aws-sdk-go ignores AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (supported from 1.47.11): "
                "it sends no token and the endpoint refuses it"
            )
        problem = token_file_problem(self.g, token_file)
        return problem
