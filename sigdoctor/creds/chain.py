"""Run botocore's own default credential chain for the diagnosed environment — bounded, and watching each provider.

botocore's `create_credential_resolver` builds the chain (so its order, and any provider a newer botocore adds,
are botocore's, not ours). We then bend only what must not escape the diagnosis:
* the environment: providers and the config store read `ctx.env` instead of `os.environ`;
* time: IMDS and container fetches get our short timeouts and no retry cycles, STS one attempt;
* `credential_process` gets a time limit and its exit code is kept;
* `--offline`: network providers stop the walk instead of sending anything.
Then we walk the providers exactly like `CredentialResolver.load_credentials` (first non-None wins, an exception
ends the chain), recording what each one did.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import field
from typing import Any

import botocore.credentials as bc
import botocore.session
from botocore.config import Config
from botocore.configprovider import (
    BOTOCORE_DEFAUT_SESSION_VARIABLES,
    DEFAULT_PROXIES_CONFIG_VARS,
    DEFAULT_S3_CONFIG_VARS,
    ConfigChainFactory,
    ConfiguredEndpointProvider,
    ConfigValueStore,
    SectionConfigProvider,
)
from botocore.httpsession import URLLib3Session
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher

from sigdoctor import botoseam
from sigdoctor.botohttp import one_attempt
from sigdoctor.context import DEADLINE_MARGIN_S, Context
from sigdoctor.creds.bounded_http import BoundedSession
from sigdoctor.creds.files import AwsFiles
from sigdoctor.creds.process import communicate as communicate_bounded
from sigdoctor.creds.profiles import sso_cache_dir
from sigdoctor.creds.sso_cache import TokenCache
from sigdoctor.creds.web_identity import botocore_loader
from sigdoctor.records import datarecord

PROCESS_TIMEOUT_S = 10.0
# Variables that name files: mapped through ctx.path so a foreign root (--pid) is honoured.
_RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
_FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
# botocore.credentials.AssumeRoleWithWebIdentityProvider._CONFIG_TO_ENV_VAR
_WEB_IDENTITY_ENV = {
    "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
    "role_session_name": "AWS_ROLE_SESSION_NAME",
    "role_arn": "AWS_ROLE_ARN",
}
_PATH_VARS = ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CREDENTIAL_FILE", "AWS_CA_BUNDLE", "BOTO_CONFIG")


# What each provider waits for, as the report names a step the deadline cut.
_LOADING = {
    "custom-process": "the profile's credential_process to finish",
    "container-role": "the container credential endpoint (ECS / EKS Pod Identity)",
    "iam-role": "the instance metadata service (IMDS)",
    "assume-role-with-web-identity": "the web identity token file to be read",
    "sso": "the SSO token cache",
}
_REFRESHING = {
    "assume-role-with-web-identity": "STS to answer AssumeRoleWithWebIdentity (the web identity exchange)",
    "assume-role": "STS to answer AssumeRole for the profile's role_arn",
    "sso": "AWS IAM Identity Center (SSO) to answer GetRoleCredentials",
}


class OfflineStop(Exception):
    """A network source was reached with --offline: the walk stops, nothing is sent."""


@datarecord
class ProviderOutcome:
    method: str
    result: str  # none | credentials | error | offline
    error: BaseException | None = None


@datarecord
class ChainRun:
    order: list[str] = field(default_factory=list)
    env_removed: bool = False
    outcomes: dict[str, ProviderOutcome] = field(default_factory=dict)
    winner: str | None = None
    credentials: Any = None
    # The exception that ended the chain (boto3's get_credentials() raises it), and where.
    error: BaseException | None = None
    error_method: str | None = None
    offline_stop: str | None = None
    session: Any = None
    refresh_error: BaseException | None = None
    refreshed: bool = False
    process_exit: int | None = None

    def outcome(self, method: str) -> ProviderOutcome:
        return self.outcomes.get(method, ProviderOutcome(method, "not-called"))


def _config_env(ctx: Context, files: AwsFiles) -> dict[str, str]:
    env = dict(ctx.env)
    # The files as we resolved (and mapped) them, so botocore reads exactly what the report lists.
    env["AWS_CONFIG_FILE"] = str(files.config.real)
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(files.credentials.real)
    for var in _PATH_VARS:
        if env.get(var):
            env[var] = str(ctx.path(env[var]))
    return env


def _mapping(factory: ConfigChainFactory, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        name: factory.create_config_chain(
            instance_name=name, env_var_names=c[1], config_property_names=c[0], default=c[2], conversion_func=c[3]
        )
        for name, c in variables.items()
    }


def build_session(ctx: Context, files: AwsFiles, *, handlers: bool = True) -> botocore.session.Session:
    """A botocore session whose configuration comes from `ctx.env` (not os.environ) with bounded client timeouts.
    `handlers=False`: without botocore's built-in event handlers (see Context.botocore_session)."""
    env = _config_env(ctx, files)
    session = botocore.session.Session(profile=ctx.profile, include_builtin_handlers=handlers)
    factory = ConfigChainFactory(session=session, environ=env)
    mapping = _mapping(factory, BOTOCORE_DEFAUT_SESSION_VARIABLES)
    mapping["s3"] = SectionConfigProvider("s3", session, _mapping(factory, DEFAULT_S3_CONFIG_VARS))
    mapping["proxies_config"] = SectionConfigProvider(
        "proxies_config", session, _mapping(factory, DEFAULT_PROXIES_CONFIG_VARS)
    )
    session.register_component("config_store", ConfigValueStore(mapping=mapping))

    def endpoint_provider(client_name: str, config_store: Any) -> None:
        # botocore reads AWS_ENDPOINT_URL_<SERVICE> from os.environ here; give it the diagnosed env instead.
        provider = ConfiguredEndpointProvider(
            full_config=session.full_config,
            scoped_config=session.get_scoped_config(),
            client_name=client_name,
            environ=env,
        )
        config_store.set_config_provider(logical_name="endpoint_url", provider=provider)

    botoseam.set_endpoint_url_provider(session, endpoint_provider)
    # botocore picks proxies from os.environ; the diagnosed environment's decide instead (an empty mapping: none).
    # A None value is urllib3's "no proxy for this host" (botocore's stubs only allow strings).
    proxies: Any = _proxies(ctx, env)
    config = one_attempt(ctx.timeout(3.0)).merge(Config(proxies=proxies))
    session.set_default_client_config(config)
    return session


def _proxies(ctx: Context, env: dict[str, str]) -> dict[str, str | None]:
    """The proxies botocore would take from `env` (not os.environ), per scheme, with the AWS API hosts of the run
    that NO_PROXY covers mapped to no proxy (urllib3 picks `scheme://host` before `scheme`)."""
    from sigdoctor.endpoints import from_url
    from sigdoctor.netconn.proxy import python_decide, python_proxies, python_proxy_url

    proxies, _ = python_proxies(env)
    out: dict[str, str | None] = {k: python_proxy_url(v) for k, v in proxies.items() if k in ("http", "https") and v}
    if not out:
        return {}
    # The AWS API hosts this run's clients call (no session needed to name them: this builds the session).
    region = ctx.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    urls = ["https://sts.amazonaws.com", f"https://sts.{region}.amazonaws.com", "https://iam.amazonaws.com",
            *(env[v] for v in ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL") if env.get(v)),
            *(t for t in ctx.targets if not t.startswith("arn:"))]
    for url in urls:
        ep = from_url("sts", url)
        if ep is not None and python_decide(env, ep.url).proxy is None:
            out[f"{ep.scheme}://{ep.host}"] = None
    return out


class _BoundedPopen(subprocess.Popen[bytes]):
    """botocore waits on credential_process forever and quotes all of its stderr; we don't (creds/process.py)."""

    limit_s = PROCESS_TIMEOUT_S

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        return communicate_bounded(self, self.limit_s)


def _patch(ctx: Context, files: AwsFiles, providers: list[Any], run: ChainRun) -> None:
    env = _config_env(ctx, files)
    for p in providers:
        if isinstance(p, bc.EnvProvider):
            p.environ = env
        elif isinstance(p, bc.OriginalEC2Provider | bc.BotoProvider):
            botoseam.set_provider_environ(p, env)
        elif isinstance(p, bc.ContainerProvider):
            botoseam.set_provider_environ(p, env)
            _before_load(p, _installer(botoseam.set_container_fetcher, p, lambda: _container_fetcher(ctx)))
            _guard_offline(ctx, p, lambda: any(v in env for v in (_RELATIVE, _FULL)))
        elif isinstance(p, bc.InstanceMetadataProvider):
            _before_load(p, _installer(botoseam.replace_imds_fetcher, p, lambda: _imds_fetcher(ctx.timeout(1.0), env)))
            _guard_offline(ctx, p, lambda: env.get("AWS_EC2_METADATA_DISABLED", "false").lower() != "true")
        elif isinstance(p, bc.AssumeRoleWithWebIdentityProvider):
            _patch_web_identity(ctx, p, env, disabled=files.explicit_profile)
        elif isinstance(p, bc.SSOProvider):  # the diagnosed HOME's token cache, not ours (creds/sso_cache.py)
            botoseam.set_sso_token_cache(p, TokenCache(ctx, sso_cache_dir(files)))
        elif isinstance(p, bc.ProcessProvider):
            # Measured when the process starts, and ending before the run's deadline: the probe still says it was
            # the credential_process that hung.
            botoseam.set_process_popen(
                p, _recording_popen(run, lambda: ctx.timeout(PROCESS_TIMEOUT_S, margin=DEADLINE_MARGIN_S)))


def _installer(install: Callable[[Any, Any], None], provider: Any, make: Callable[[], Any]) -> Callable[[], None]:
    return lambda: install(provider, make())


def _before_load(provider: Any, install: Callable[[], None]) -> None:
    """Run `install` when botocore first asks `provider` for credentials: the fetchers of the sources after the
    winner (each with its own HTTP session and TLS context, a few ms apiece) are then never built."""
    original = provider.load
    installed = False

    def load() -> Any:
        nonlocal installed
        if not installed:
            install()
            installed = True
        return original()

    provider.load = load


def _container_fetcher(ctx: Context) -> Any:
    container_timeout: Any = ctx.timeout(2.0)  # botocore's stubs say int; urllib3 takes float
    fetcher: Any = ContainerMetadataFetcher(
        session=BoundedSession(URLLib3Session(timeout=container_timeout)), sleep=lambda _s: None
    )
    fetcher.RETRY_ATTEMPTS = 1
    return fetcher


def _imds_fetcher(timeout: float, env: dict[str, str]) -> Callable[[Any, Any], InstanceMetadataFetcher]:
    """botocore's IMDS fetcher with its user agent and config, our timeout and one attempt."""

    def make(user_agent: Any, config: Any) -> InstanceMetadataFetcher:
        t: Any = timeout  # botocore's stubs say int; urllib3 takes float
        fetcher = InstanceMetadataFetcher(timeout=t, num_attempts=1, env=env, user_agent=user_agent, config=config)
        botoseam.bound_imds_http_session(fetcher, BoundedSession)
        return fetcher

    return make


def _guard_offline(ctx: Context, provider: Any, would_contact: Callable[[], bool]) -> None:
    if not ctx.offline:
        return
    original = provider.load

    def load() -> Any:
        if would_contact():
            raise OfflineStop(provider.METHOD)
        return original()

    provider.load = load


def _patch_web_identity(ctx: Context, p: Any, env: dict[str, str], disabled: bool) -> None:
    def env_config(key: str) -> str | None:
        if disabled:
            return None
        var = _WEB_IDENTITY_ENV.get(key)
        return env.get(var) if var else None

    botoseam.set_web_identity_sources(p, env_config, lambda path: botocore_loader(ctx, path))


def _recording_popen(run: ChainRun, limit_s: Callable[[], float]) -> Callable[..., subprocess.Popen[bytes]]:
    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = _BoundedPopen(*args, start_new_session=True, **kwargs)
        proc.limit_s = limit_s()
        original = proc.communicate

        def communicate(input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
            try:
                return original(input, timeout)
            finally:
                run.process_exit = proc.returncode

        proc.communicate = communicate  # type: ignore[method-assign]
        return proc

    return popen


def _all_providers(resolver: Any) -> list[Any]:
    """The chain's providers plus those only the assume-role credential_source can reach (env with --profile)."""
    found = list(resolver.providers)
    for p in resolver.providers:
        for q in botoseam.credential_source_providers(p):
            if q not in found:
                found.append(q)
    return found


def run(ctx: Context, files: AwsFiles, refresh: Callable[[str], bool]) -> ChainRun:
    """Resolve like boto3.Session().get_credentials(); then, if `refresh(method)`, materialise deferred credentials
    (the STS call of assume-role / web identity) so their failure is seen now rather than on the first request."""
    out = ChainRun()
    resolver: Any
    try:
        # The run's shared botocore loader: the STS client a web identity / assume-role provider builds would
        # otherwise list every service folder to find STS (~50 ms of stat calls, more on a busy node).
        session = ctx.share_loader(build_session(ctx, files))
        out.session = session
        resolver = bc.create_credential_resolver(session)
    except Exception as e:  # botocore raises for unknown profiles and bad IMDS settings before any provider runs
        out.error = e
        return out
    out.order = [str(p.METHOD) for p in resolver.providers]
    out.env_removed = "env" not in out.order
    _patch(ctx, files, _all_providers(resolver), out)
    for p in resolver.providers:
        method = str(p.METHOD)
        try:
            with ctx.step(_LOADING.get(method, f"botocore's {method} credential provider"), owner="credentials"):
                creds = p.load()
        except OfflineStop:
            out.outcomes[method] = ProviderOutcome(method, "offline")
            out.offline_stop = method
            return out
        except Exception as e:
            out.outcomes[method] = ProviderOutcome(method, "error", e)
            out.error, out.error_method = e, method
            return out
        if creds is None:
            out.outcomes[method] = ProviderOutcome(method, "none")
            continue
        out.outcomes[method] = ProviderOutcome(method, "credentials")
        out.winner, out.credentials = method, creds
        break
    if out.credentials is not None:
        botoseam.set_session_credentials(session, out.credentials)  # later clients sign with exactly these
        if isinstance(out.credentials, bc.DeferredRefreshableCredentials) and refresh(out.winner or ""):
            try:
                with ctx.step(_REFRESHING.get(out.winner or "", f"{out.winner} credentials"), owner="credentials"):
                    out.credentials.get_frozen_credentials()
                out.refreshed = True
            except Exception as e:
                out.refresh_error = e
    return out


@datarecord
class Peek:
    access_key: str | None
    secret_key: str | None
    token: str | None
    expiry: Any  # datetime | None


def peek(creds: Any) -> Peek:
    """The credentials' fields without triggering a refresh (an expired one would raise or call the network)."""
    if creds is None:
        return Peek(None, None, None, None)
    if isinstance(creds, bc.RefreshableCredentials):
        return Peek(*botoseam.peek_refreshable(creds))
    return Peek(creds.access_key, creds.secret_key, creds.token, None)
