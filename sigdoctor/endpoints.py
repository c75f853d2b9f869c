"""The endpoints of a run: what the network probes (clock, dns, connectivity) look at.

Regional STS (or whatever botocore would use: AWS_ENDPOINT_URL_STS, the legacy global endpoint), every target's host,
IAM when targets are given (permissions simulate there) — all known from flags, environment and config at t = 0 —
and the IMDS / container endpoints once the credentials probe says it used them (`ctx.state.credential_endpoints`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sigdoctor.context import Context
from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor


@datarecord(frozen=True)
class Endpoint:
    purpose: str  # sts | target | iam | imds | container
    url: str
    host: str
    port: int
    scheme: str

    @property
    def is_aws_api(self) -> bool:
        """Public AWS front ends (answer with x-amzn-RequestId), as opposed to IMDS / container endpoints."""
        return self.purpose in ("sts", "target", "iam")


def from_url(purpose: str, url: str) -> Endpoint | None:
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    scheme = parts.scheme or "https"
    port = parts.port or (443 if scheme == "https" else 80)
    return Endpoint(purpose, url, parts.hostname, port, scheme)


# What sigdoctor assumes when nothing names a region (botocore itself would refuse to build a regional client).
FALLBACK_REGION = "us-east-1"


@datarecord(frozen=True)
class Region:
    name: str
    source: str  # --region | AWS_REGION | AWS_DEFAULT_REGION | profile | guessed
    # Why it had to be guessed (the report says so); None when something named it.
    guessed: str | None = None
    # When what named it is not a region botocore accepts: "AWS_REGION='us-east-1 ' (trailing space) is not a valid
    # region" (shown redacted, cut, control characters visible). `name` is then FALLBACK_REGION, so nothing that
    # merely labels or routes by region crashes; probes that act as the agent's SDK would skip (see `invalid`).
    invalid: str | None = None
    # The cause the invalid value is evidence of: where the user fixes it (the profile, or the environment).
    invalid_cause: str | None = None


# What botocore checks before it builds any client (botocore.utils.validate_region_name, a public function): a host
# label. Its pattern ends in `$`, which also matches before a final newline; sigdoctor refuses that newline too,
# since the agent's SDK would put it into a host name.
REGION_MAX = 63


def region_problem(value: str) -> str | None:
    """Why `value` is not a region name botocore accepts ("trailing space", …), or None when it is one."""
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name

    try:
        validate_region_name(value)
        if not value.endswith("\n"):
            return None
    except InvalidRegionError:
        pass
    stripped = value.strip()
    if stripped != value and region_problem(stripped) is None:
        lead, trail = value[: len(value) - len(value.lstrip())], value[len(value.rstrip()):]
        where = "leading and trailing" if lead and trail else "leading" if lead else "trailing"
        what = "space" if set(lead + trail) == {" "} else "whitespace"
        return f"{where} {what}"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return "contains control characters"
    if len(value) > REGION_MAX:
        from sigdoctor.boundedio import human

        return f"{human(len(value.encode('utf-8', 'replace')))} long; a region name is at most {REGION_MAX} characters"
    return "a region name is letters, digits and hyphens, like us-east-1"


SHOWN_LIMIT = 40  # characters of an invalid value a finding quotes


def shown_value(redactor: Redactor, value: str) -> str:
    """`value` quoted as a report may show it: redacted before it is cut, cut, control characters visible."""
    from sigdoctor.redact import visible

    text = redactor.text(value if len(value) <= 4096 else value[:4096])
    cut = text[:SHOWN_LIMIT] + ("…" if len(text) > SHOWN_LIMIT else "")
    # One line: visible() keeps newline and tab (for multi-line text); a quoted value shows them too.
    return "'" + visible(cut).replace("\n", "\\n").replace("\t", "\\t") + "'"


def _checked(ctx: Context, value: str, source: str, cause: str, where: str = "") -> Region:
    """`where`: after the value, where it was set (" in profile default of ~/.aws/config")."""
    problem = region_problem(value)
    if problem is None:
        return Region(value, source)
    name = "region" if source == "profile" else source
    why = f"{name}={shown_value(ctx.redactor, value)}{where} ({problem}) is not a valid region"
    return Region(FALLBACK_REGION, source, guessed=why, invalid=why, invalid_cause=cause)


def resolve_region(ctx: Context) -> Region:
    """The one region resolver of a run — the report header's and every probe's: --region, AWS_REGION,
    AWS_DEFAULT_REGION, the profile's `region` as botocore reads it; else us-east-1, with the reason it was guessed.
    A value botocore would refuse comes back `invalid` (with name us-east-1): the CLI refuses a bad --region as a
    usage error before a run starts."""
    if ctx.region:
        return _checked(ctx, ctx.region, "--region", "region-mismatch")
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if ctx.env.get(var):
            return ctx.once(f"region:{var}", _from_env(ctx, var))
    return ctx.once("region", lambda: _configured_region(ctx))


def _from_env(ctx: Context, var: str) -> Callable[[], Region]:
    return lambda: _checked(ctx, ctx.env[var], var, "region-mismatch")


def region_of(ctx: Context) -> str:
    """The region the agent signs for (resolve_region's name; us-east-1 when the configured one is invalid)."""
    return resolve_region(ctx).name


def _configured_region(ctx: Context) -> Region:
    try:
        region = ctx.botocore_session(handlers=False).get_config_variable("region")
    except Exception as exc:  # a broken profile: the credentials probe reports it; the region is then a guess
        return Region(FALLBACK_REGION, "guessed",
                      f"botocore could not read the configuration ({type(exc).__name__}: {exc})")
    if region:
        profile = ctx.profile or ctx.env.get("AWS_PROFILE") or ctx.env.get("AWS_DEFAULT_PROFILE") or "default"
        config = ctx.env.get("AWS_CONFIG_FILE") or "~/.aws/config"
        return _checked(ctx, str(region), "profile", "profile-invalid", f" in profile {profile} of {config}")
    return Region(FALLBACK_REGION, "guessed", "no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region")


def endpoint_override(ctx: Context, service: str) -> str | None:
    """The endpoint URL the diagnosed environment configures for botocore service `service`, by botocore's own
    rules (AWS_ENDPOINT_URL_<SERVICE_ID> — the service id, e.g. AMP for `aps` — then AWS_ENDPOINT_URL): the one
    place sigdoctor works it out for a request it builds itself."""
    if not any(k.startswith("AWS_ENDPOINT_URL") for k in ctx.env):
        return None  # the common case, without importing botocore's config machinery
    if ctx.env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    from botocore.configprovider import ConfiguredEndpointProvider

    provider = ConfiguredEndpointProvider(full_config={}, scoped_config={}, client_name=service,
                                          environ=dict(ctx.env))
    value = provider.provide()
    return str(value) if value else None


def with_endpoint_override(ctx: Context, url: str, service: str) -> str:
    """`url` with scheme and host replaced by the configured endpoint of `service`, if any."""
    override = endpoint_override(ctx, service)
    if not override:
        return url
    o, t = urlsplit(override), urlsplit(url)
    return urlunsplit((o.scheme, o.netloc, t.path, t.query, ""))


def sts_url(ctx: Context) -> str:
    """The STS endpoint botocore would call for this environment (no network: endpoint resolution only).

    Worked out once per run, from the run's inputs only: clock, dns and connectivity ask for it at t = 0 from their
    threads, before (or while) the credentials probe resolves the chain."""
    return ctx.once("sts_url", lambda: _resolve_sts_url(ctx))


def _resolve_sts_url(ctx: Context) -> str:
    import botocore.exceptions

    region = region_of(ctx)
    try:
        client = ctx.botocore_session(handlers=False).create_client(
            "sts", region_name=region, aws_access_key_id="AKIDPLACEHOLDER", aws_secret_access_key="x"
        )
        return str(client.meta.endpoint_url)
    except botocore.exceptions.BotoCoreError:
        # A broken profile (the credentials probe reports it) must not stop the network probes: use the
        # regional endpoint botocore would pick for a healthy one.
        from sigdoctor.targets import partition_for_region

        part = partition_for_region(region)
        return f"https://sts.{region}.{part.dns_suffix if part else 'amazonaws.com'}"


def endpoints_of_run(ctx: Context, credential_endpoints: Iterable[tuple[str, str]] = ()) -> list[Endpoint]:
    """STS, the targets and IAM (known from the inputs), then the `(purpose, url)` credential endpoints given."""
    found: list[Endpoint] = []

    def add(purpose: str, url: str) -> None:
        ep = from_url(purpose, url)
        if ep and all((e.host, e.port) != (ep.host, ep.port) for e in found):
            found.append(ep)

    if resolve_region(ctx).invalid is None:  # else no STS endpoint exists: the identity probe says why
        add("sts", sts_url(ctx))
    for t in ctx.targets:
        if not t.startswith("arn:"):
            add("target", t)
    if ctx.targets:
        add("iam", "https://iam.amazonaws.com/")
    for purpose, url in credential_endpoints:
        add(purpose, url)
    return found


def credential_endpoints(sources: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(purpose, url) of the credential endpoints the chain won with or got nothing usable from (the credentials
    report's `sources`): the ones whose network path is worth checking."""
    return [("imds" if src.get("method") == "iam-role" else "container", str(src["endpoint"]))
            for src in sources if src.get("state") in ("winner", "failed") and src.get("endpoint")]
