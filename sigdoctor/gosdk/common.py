"""What both Go SDK models share: their inputs, their answer, and the pieces of Go behaviour they both copy.

The models are pure functions of an environment and the files it names: no network, no process. Where the answer
depends on whether an endpoint answers (IMDS, the container endpoint), the caller says so through `reachable`
(None = unknown: the model then names the source the SDK would pick).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import field
from urllib.parse import urlsplit

from sigdoctor.records import datarecord

# The source names as the SDKs report them (v1 Value.ProviderName, v2 Credentials.Source); shared-file keys add
# ": <file>".
ENV = "EnvConfigCredentials"
SHARED = "SharedConfigCredentials"
WEB_IDENTITY = "WebIdentityCredentials"
ASSUME_ROLE = "AssumeRoleProvider"
PROCESS = "ProcessProvider"
SSO = "SSOProvider"
ENDPOINT = "CredentialsEndpointProvider"
EC2_ROLE = "EC2RoleProvider"

# botocore method → the Go source of the same kind (for "do they agree?").
BOTOCORE_KIND = {
    "env": ENV,
    "assume-role-with-web-identity": WEB_IDENTITY,
    "assume-role": ASSUME_ROLE,
    "shared-credentials-file": SHARED,
    "config-file": SHARED,
    "custom-process": PROCESS,
    "sso": SSO,
    "container-role": ENDPOINT,
    "iam-role": EC2_ROLE,
}

ECS_HOST = "169.254.170.2"
POD_IDENTITY_HOSTS = ("169.254.170.23", "fd00:ec2::23")


@datarecord
class GoInput:
    env: Mapping[str, str]
    # The content of a file as the agent names it; None when it does not exist or cannot be read.
    read: Callable[[str], str | None]
    # $HOME, else the user's passwd entry (both SDKs fall back to it on Linux).
    home: str | None = None
    # A profile set in code (e.g. `sigv4.profile` of the agent's config), not through AWS_PROFILE.
    profile: str | None = None
    # "imds" / "container" → True (answers with credentials), False (does not), None (unknown).
    reachable: Mapping[str, bool | None] = field(default_factory=dict)
    # The SDK module version linked into the agent ("v1.44.133"), when known (build info).
    version: str | None = None

    def get(self, name: str) -> str:
        return self.env.get(name, "")

    def first(self, *names: str) -> str:
        return next((self.env[n] for n in names if self.env.get(n)), "")


@datarecord(frozen=True)
class Prediction:
    source: str | None  # as the SDK reports it, or None when it ends without credentials
    why: str

    @property
    def kind(self) -> str | None:
        return kind_of(self.source)

    def as_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "why": self.why}


def kind_of(source: str | None) -> str | None:
    if source is None:
        return None
    return SHARED if source.startswith(SHARED) else source


class ConfigError(Exception):
    """The SDK refuses the configuration itself (NewSession / LoadDefaultConfig fails)."""


def go_bool(value: str) -> bool:
    """strconv.ParseBool; anything it rejects is false."""
    return value in ("1", "t", "T", "TRUE", "true", "True")


def version_at_least(version: str | None, wanted: tuple[int, ...]) -> bool:
    if not version:
        return False
    nums = [int(x) for x in re.findall(r"\d+", version.split("-")[0])[:3]]
    return tuple(nums) >= wanted


Sections = dict[str, dict[str, str]]


def parse_ini(text: str) -> Sections:
    """The subset of the AWS INI format both SDKs agree on: [section], key = value, # and ; comments."""
    sections: Sections = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(" ".join(line[1:-1].split()), {})
            continue
        if current is not None and "=" in line:
            k, v = line.split("=", 1)
            v = re.split(r"\s[#;]", v, maxsplit=1)[0]
            current[k.strip()] = v.strip()
    return sections


def load_ini(g: GoInput, path: str) -> Sections | None:
    text = g.read(path)
    return None if text is None else parse_ini(text)


def default_file(g: GoInput, var: str, name: str) -> str:
    return g.get(var) or f"{(g.home or '').rstrip('/')}/.aws/{name}"


def loopback_problem(uri: str, allow_pod_identity: bool) -> str | None:
    """Why the SDK refuses AWS_CONTAINER_CREDENTIALS_FULL_URI (both old SDKs insist on a loopback host)."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if not host:
        return "unable to parse host from local HTTP cred provider URL"
    if allow_pod_identity and (host in (ECS_HOST, *POD_IDENTITY_HOSTS) or parts.scheme == "https"):
        return None
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        return f"host {host!r} must resolve to loopback addresses only (not checked offline)"
    return f'invalid endpoint host, "{host}", only loopback hosts are allowed'


def network(g: GoInput, what: str, source: str, via: str) -> Prediction:
    """A network source: its name when it answers (or may), None when it is known not to."""
    state = g.reachable.get(what)
    if state is False:
        return Prediction(None, f"{via}; it did not answer with credentials, so the SDK ends without any")
    suffix = "" if state else " (not verified: the answer depends on the endpoint)"
    return Prediction(source, via + suffix)


def token_file_problem(g: GoInput, path: str) -> str | None:
    if not path:
        return None
    if g.read(path) is None:
        return f"the token file {path} cannot be read"
    return None


def version_caveat(g: GoInput, full_uri: str, minimum: str) -> str:
    """When the SDK version is unknown, say what an older SDK would do with an EKS Pod Identity style endpoint."""
    if g.version is not None:
        return ""
    host = urlsplit(full_uri).hostname or ""
    if host in (ECS_HOST, *POD_IDENTITY_HOSTS) or g.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
        return f" (assuming {minimum} or newer: older versions refuse this endpoint or send no token)"
    return ""
