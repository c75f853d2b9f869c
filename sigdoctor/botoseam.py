"""Every private botocore attribute and internal function sigdoctor relies on, and nothing else.

botocore's public API cannot (a) run its credential chain against another process's environment with short
timeouts, (b) sign at a chosen instant and show the intermediate strings, (c) let a run share one data loader, or
(d) keep a CA bundle loaded across connections. For those, sigdoctor reaches inside botocore — only here. Each
private name is listed in PRIVATE with the botocore class it lives on and the function below that uses it;
tests/seam/test_botoseam.py checks each against the installed botocore and fails naming the one that moved. CI
runs that module against the pinned floor and the newest botocore (.ci/run). tests/seam/test_no_private_botocore.py
fails when a private botocore name is used outside this module.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import botocore.credentials as bc
import botocore.loaders
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.httpsession import URLLib3Session, create_urllib3_context
from botocore.utils import InstanceMetadataFetcher, SSOTokenLoader

from sigdoctor.records import datarecord


@datarecord(frozen=True)
class Private:
    owner: str  # "module.Class" the attribute is looked up on
    name: str
    # "method": defined on the class; "attribute": set on instances by __init__ (checked on a real instance)
    kind: str
    used_by: str  # the function of this module that relies on it


PRIVATE: tuple[Private, ...] = (
    Private("botocore.session.Session", "_credentials", "attribute", "set_session_credentials"),
    Private("botocore.session.Session", "_add_configured_endpoint_provider", "method", "set_endpoint_url_provider"),
    Private("botocore.credentials.OriginalEC2Provider", "_environ", "attribute", "set_provider_environ"),
    Private("botocore.credentials.BotoProvider", "_environ", "attribute", "set_provider_environ"),
    Private("botocore.credentials.ContainerProvider", "_environ", "attribute", "set_provider_environ"),
    Private("botocore.credentials.ContainerProvider", "_fetcher", "attribute", "set_container_fetcher"),
    Private("botocore.credentials.InstanceMetadataProvider", "_role_fetcher", "attribute", "replace_imds_fetcher"),
    Private("botocore.utils.InstanceMetadataFetcher", "_user_agent", "attribute", "replace_imds_fetcher"),
    Private("botocore.utils.InstanceMetadataFetcher", "_config", "attribute", "replace_imds_fetcher"),
    Private("botocore.utils.InstanceMetadataFetcher", "_session", "attribute", "bound_imds_http_session"),
    Private("botocore.credentials.AssumeRoleWithWebIdentityProvider", "_get_env_config", "method",
            "set_web_identity_sources"),
    Private("botocore.credentials.AssumeRoleWithWebIdentityProvider", "_token_loader_cls", "attribute",
            "set_web_identity_sources"),
    Private("botocore.credentials.ProcessProvider", "_popen", "attribute", "set_process_popen"),
    Private("botocore.credentials.SSOProvider", "_token_cache", "attribute", "set_sso_token_cache"),
    Private("botocore.credentials.SSOProvider", "_token_provider", "attribute", "set_sso_token_cache"),
    Private("botocore.tokens.SSOTokenProvider", "_cache", "attribute", "set_sso_token_cache"),
    Private("botocore.tokens.SSOTokenProvider", "_token_loader", "attribute", "set_sso_token_cache"),
    Private("botocore.credentials.AssumeRoleProvider", "_credential_sourcer", "attribute", "credential_source_providers"),
    Private("botocore.credentials.CanonicalNameCredentialSourcer", "_providers", "attribute",
            "credential_source_providers"),
    Private("botocore.credentials.RefreshableCredentials", "_access_key", "attribute", "peek_refreshable"),
    Private("botocore.credentials.RefreshableCredentials", "_secret_key", "attribute", "peek_refreshable"),
    Private("botocore.credentials.RefreshableCredentials", "_token", "attribute", "peek_refreshable"),
    Private("botocore.credentials.RefreshableCredentials", "_expiry_time", "attribute", "peek_refreshable"),
    Private("botocore.auth.SigV4Auth", "_modify_request_before_signing", "method", "sign_at"),
    Private("botocore.auth.SigV4Auth", "_inject_signature_to_request", "method", "sign_at"),
    Private("botocore.loaders.Loader", "_cache", "attribute", "loader_cache"),
    Private("botocore.loaders.Loader", "_potential_locations", "method", "loader_locations"),
    Private("botocore.client.BaseClient", "_endpoint", "attribute", "swap_http_session"),
    Private("botocore.httpsession.URLLib3Session", "_verify", "attribute", "swap_http_session"),
    Private("botocore.httpsession.URLLib3Session", "_manager", "attribute", "swap_http_session"),
    Private("botocore.httpsession.URLLib3Session", "_get_ssl_context", "method", "TrustOnceBase"),
    Private("botocore.httpsession.URLLib3Session", "_setup_proxy_ssl_context", "method", "TrustOnceBase"),
    Private("botocore.httpsession.URLLib3Session", "_setup_ssl_cert", "method", "TrustOnceBase"),
)


# ---- sessions and the credential chain ---------------------------------------------------------------------------
def set_session_credentials(session: botocore.session.Session, credentials: Any) -> None:
    """Make `session`'s clients sign with exactly these credentials (botocore has no public setter that keeps a
    refreshable object; set_credentials takes static keys)."""
    s: Any = session
    s._credentials = credentials


def set_endpoint_url_provider(session: botocore.session.Session, install: Callable[[str, Any], None]) -> None:
    """Replace how `session` installs its configured-endpoint provider (AWS_ENDPOINT_URL_<SERVICE>) per client:
    botocore's own reads os.environ; `install(client_name, config_store)` reads the diagnosed environment."""
    s: Any = session
    s._add_configured_endpoint_provider = install


def set_provider_environ(provider: Any, env: dict[str, str]) -> None:
    """The environment an OriginalEC2Provider / BotoProvider / ContainerProvider reads instead of os.environ."""
    provider._environ = env


def set_container_fetcher(provider: bc.ContainerProvider, fetcher: Any) -> None:
    p: Any = provider
    p._fetcher = fetcher


def replace_imds_fetcher(provider: bc.InstanceMetadataProvider,
                         make: Callable[[Any, Any], InstanceMetadataFetcher]) -> None:
    """Swap the provider's IMDS fetcher for `make(user_agent, config)` (botocore's settings kept, timeouts ours)."""
    p: Any = provider
    old = p._role_fetcher
    p._role_fetcher = make(old._user_agent, old._config)


def bound_imds_http_session(fetcher: InstanceMetadataFetcher, wrap: Callable[[Any], Any]) -> None:
    """Wrap the HTTP session an IMDS fetcher sends with (botocore builds it in __init__, with no parameter), e.g. to
    cap the body it reads."""
    f: Any = fetcher
    f._session = wrap(f._session)


def set_web_identity_sources(provider: bc.AssumeRoleWithWebIdentityProvider,
                             env_config: Callable[[str], str | None], token_loader: Callable[[str], Any]) -> None:
    """Where the web identity provider reads AWS_ROLE_ARN & co. and how it loads the token file."""
    p: Any = provider
    p._get_env_config = env_config
    p._token_loader_cls = token_loader


def set_process_popen(provider: bc.ProcessProvider, popen: Callable[..., Any]) -> None:
    p: Any = provider
    p._popen = popen


def set_sso_token_cache(provider: bc.SSOProvider, cache: Any) -> None:
    """Where the SSO provider, and for an sso-session profile its token provider, read cached tokens (botocore fixed
    ~/.aws/sso/cache at import, with this process's HOME)."""
    p: Any = provider
    p._token_cache = cache
    tokens = p._token_provider
    if tokens is not None:
        tokens._cache = cache
        tokens._token_loader = SSOTokenLoader(cache=cache)


def credential_source_providers(provider: Any) -> list[Any]:
    """The providers an assume-role profile's `credential_source` can reach (not in the resolver's list)."""
    sourcer = getattr(provider, "_credential_sourcer", None)
    return list(getattr(sourcer, "_providers", []) or [])


def peek_refreshable(creds: bc.RefreshableCredentials) -> tuple[Any, Any, Any, Any]:
    """(access key, secret key, token, expiry) without the refresh the public properties trigger."""
    c: Any = creds
    return c._access_key, c._secret_key, c._token, c._expiry_time


# ---- signing ------------------------------------------------------------------------------------------------------
def sign_at(auth: SigV4Auth, request: AWSRequest, stamp: str) -> tuple[str, str, str, str]:
    """(canonical request, string to sign, signature, signed headers) at `stamp` (X-Amz-Date form); the request
    gets its Authorization. botocore's add_auth() reads the wall clock first; these are the steps it runs after
    that, in its order (tests/sigv4 checks the result equals add_auth() under a frozen clock)."""
    a: Any = auth
    request.context["timestamp"] = stamp
    a._modify_request_before_signing(request)
    canonical_request = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical_request)
    signature = auth.signature(string_to_sign, request)
    signed_headers = auth.signed_headers(auth.headers_to_sign(request))
    a._inject_signature_to_request(request, signature)
    return canonical_request, string_to_sign, signature, signed_headers


# ---- the data loader ----------------------------------------------------------------------------------------------
def loader_cache(loader: botocore.loaders.Loader) -> dict[tuple[Any, ...], Any]:
    """The dict botocore's @instance_cache methods memoise into."""
    cache: dict[tuple[Any, ...], Any] = loader._cache  # type: ignore[attr-defined]
    return cache


def loader_locations(loader: botocore.loaders.Loader) -> list[str]:
    """The folders a loader searches for service data, in order."""
    potential: Any = loader._potential_locations  # type: ignore[attr-defined]
    return list(potential())


# ---- the HTTP session: one loaded CA bundle per run ---------------------------------------------------------------
class TrustOnceBase(URLLib3Session):
    """A URLLib3Session whose TLS contexts (direct and through proxies) come with its CA bundle already loaded
    (botohttp.TrustOnceSession decides which). `_trusted` is (bundle path, context with it loaded) or None: then it
    behaves exactly like botocore's."""

    _trusted: tuple[str, ssl.SSLContext] | None = None
    _fresh = False

    def _get_ssl_context(self) -> ssl.SSLContext:
        if self._trusted is not None and not self._fresh:
            return self._trusted[1]
        fresh: ssl.SSLContext = create_urllib3_context()  # what botocore's own method returns
        return fresh

    def _setup_proxy_ssl_context(self, proxy_url: str) -> Any:
        # botocore loads proxy_ca_bundle / proxy_client_cert into this context: a fresh one, never the shared one.
        base: Any = URLLib3Session
        self._fresh = True
        try:
            return base._setup_proxy_ssl_context(self, proxy_url)
        finally:
            self._fresh = False

    def _setup_ssl_cert(self, conn: Any, url: str, verify: Any) -> None:
        base: Any = URLLib3Session
        base._setup_ssl_cert(self, conn, url, verify)
        if self._trusted is not None and conn.ca_certs == self._trusted[0]:
            conn.ca_certs = None  # already in the context; urllib3 would load it again


def swap_http_session(client: Any, cls: type[TrustOnceBase],
                      trusted_for: Callable[[Any], tuple[str, ssl.SSLContext] | None]) -> Any:
    """Switch a fresh botocore client's HTTP session to `cls` (before its first request).

    `trusted_for(verify)` gives the loaded bundle for the session's `verify` setting, or None to leave it alone.
    The class is swapped on the live object because botocore builds the session inside create_client and offers
    no hook to choose its class."""
    endpoint = getattr(client, "_endpoint", None)
    http = getattr(endpoint, "http_session", None)
    if type(http) is not URLLib3Session:
        return client  # not botocore's stock session: leave it alone
    trusted = trusted_for(getattr(http, "_verify", None))
    manager = getattr(http, "_manager", None)
    kw = getattr(manager, "connection_pool_kw", None)
    if trusted is None or not isinstance(kw, dict) or getattr(manager, "pools", None):
        return client
    swapped: Any = http
    swapped.__class__ = cls
    swapped._trusted = trusted
    kw["ssl_context"] = trusted[1]
    return client
