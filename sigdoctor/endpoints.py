"""The endpoints of a run: what the network probes (clock, dns, connectivity) look at.

Regional STS (or whatever botocore would use: AWS_ENDPOINT_URL_STS, the legacy global endpoint), every target's host,
IAM when targets are given (permissions simulate there) — all known from flags, environment and config at t = 0 —
and the IMDS / container endpoints once the credentials probe says it used them (`ctx.state.credential_endpoints`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sigdoctor.context import Context


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Region:
    name: str
    source: str  # --region | AWS_REGION | AWS_DEFAULT_REGION | profile | guessed
    # Why it had to be guessed (the report says so); None when something named it.
    guessed: str | None = None


def resolve_region(ctx: Context) -> Region:
    """The one region resolver of a run — the report header's and every probe's: --region, AWS_REGION,
    AWS_DEFAULT_REGION, the profile's `region` as botocore reads it; else us-east-1, with the reason it was guessed."""
    if ctx.region:
        return Region(ctx.region, "--region")
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if ctx.env.get(var):
            return Region(ctx.env[var], var)
    return ctx.once("region", lambda: _configured_region(ctx))


def region_of(ctx: Context) -> str:
    """The region the agent signs for (resolve_region's name)."""
    return resolve_region(ctx).name


def _configured_region(ctx: Context) -> Region:
    try:
        region = ctx.botocore_session().get_config_variable("region")
    except Exception as exc:  # a broken profile: the credentials probe reports it; the region is then a guess
        return Region(FALLBACK_REGION, "guessed",
                      f"botocore could not read the configuration ({type(exc).__name__}: {exc})")
    if region:
        return Region(str(region), "profile")
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
        client = ctx.botocore_session().create_client(
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
