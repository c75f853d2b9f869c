"""botocore's HTTP session, except that the CA bundle is parsed once per run instead of once per connection.

botocore hands urllib3 the bundle's path for every new connection, and urllib3 loads it into the TLS context each
time: ~30 ms of OpenSSL work for certifi's 150 certificates, paid by every STS, IAM and signature-probe connection.
Here each connection gets a context that already holds that same bundle, built the way botocore builds its own
(`create_urllib3_context`), so what is trusted and how the handshake goes do not change. Sessions that do not verify,
or that verify against something else than one readable file, are left exactly as botocore made them.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

from botocore.config import Config
from botocore.httpsession import URLLib3Session, create_urllib3_context, get_cert_path

_CONTEXTS: dict[tuple[str, int, int, int], ssl.SSLContext] = {}
_LOCK = threading.Lock()


def one_attempt(timeout: float) -> Config:
    """botocore client settings for a diagnosis: `timeout` to connect and to read, and exactly one attempt — AWS's
    first answer is the evidence, and a retry would double the wait on a silent endpoint (botocore's
    `max_attempts` counts retries, `total_max_attempts` counts attempts)."""
    return Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1, "mode": "standard"})


def trusted_context(cafile: str) -> ssl.SSLContext | None:
    """botocore's TLS context with `cafile` loaded, one per file (and version of it); None when it cannot be read
    (botocore then fails the connection the way it always does)."""
    try:
        st = os.stat(cafile)
    except OSError:
        return None
    key = (cafile, st.st_ino, st.st_size, st.st_mtime_ns)
    with _LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = create_urllib3_context()
            try:
                context.load_verify_locations(cafile)
            except (OSError, ssl.SSLError, ValueError):
                return None
            _CONTEXTS[key] = context
    return context


def prefetch(session: Any) -> None:
    """Start loading the bundle a client of `session` will verify with (its `ca_bundle` setting, else botocore's
    default) in a background thread. OpenSSL parses it without holding the GIL, so this overlaps with building the
    client; `trust_once` then finds it ready. A wrong guess only costs a load nobody uses."""
    try:
        path = get_cert_path(session.get_config_variable("ca_bundle") or True)
    except Exception:  # a broken profile: the client creation that follows reports it
        return
    if not isinstance(path, str):
        return
    threading.Thread(target=trusted_context, args=(path,), name="ca-bundle", daemon=True).start()


class TrustOnceSession(URLLib3Session):
    """A URLLib3Session whose TLS contexts (direct and through proxies) come with its CA bundle already loaded."""

    _trusted: tuple[str, ssl.SSLContext] | None = None
    _fresh = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        verify = kwargs.get("verify", args[0] if args else True)
        self._trusted = _trusted_for(verify)
        super().__init__(*args, **kwargs)

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
        base: Any = URLLib3Session  # private botocore methods are not in its stubs
        base._setup_ssl_cert(self, conn, url, verify)
        if self._trusted is not None and conn.ca_certs == self._trusted[0]:
            conn.ca_certs = None  # already in the context; urllib3 would load it again


def _trusted_for(verify: Any) -> tuple[str, ssl.SSLContext] | None:
    if not verify:
        return None
    path = get_cert_path(verify)
    if not isinstance(path, str) or not os.path.isfile(path):
        return None
    context = trusted_context(path)
    return (path, context) if context is not None else None


def trust_once(client: Any) -> Any:
    """Switch a fresh botocore client's HTTP session to TrustOnceSession (before its first request)."""
    endpoint = getattr(client, "_endpoint", None)
    http = getattr(endpoint, "http_session", None)
    if type(http) is not URLLib3Session:
        return client  # not botocore's stock session: leave it alone
    trusted = _trusted_for(getattr(http, "_verify", None))
    manager = getattr(http, "_manager", None)
    kw = getattr(manager, "connection_pool_kw", None)
    if trusted is None or not isinstance(kw, dict) or getattr(manager, "pools", None):
        return client
    http.__class__ = TrustOnceSession
    http._trusted = trusted  # type: ignore[attr-defined]
    kw["ssl_context"] = trusted[1]
    return client
