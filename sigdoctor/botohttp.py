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
import weakref
from typing import Any

from botocore.config import Config
from botocore.httpsession import get_cert_path

from sigdoctor.botoseam import TrustOnceBase, swap_http_session
from sigdoctor.netconn.tls import trusting

_LOCK = threading.Lock()


def one_attempt(timeout: float) -> Config:
    """botocore client settings for a diagnosis: `timeout` to connect and to read, and exactly one attempt — AWS's
    first answer is the evidence, and a retry would double the wait on a silent endpoint (botocore's
    `max_attempts` counts retries, `total_max_attempts` counts attempts)."""
    return Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1, "mode": "standard"})


_BOTO3: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def aws_client(session: Any, service: str, *, verify: str | None, **kwargs: Any) -> Any:
    """A boto3 client of `service` on the botocore `session` (the diagnosed environment's configuration and
    credentials), verifying with `verify` (netconn.tls.verify_file: the run's one CA bundle; None: botocore's
    default), the bundle loaded once per run. One boto3.Session per botocore session: boto3 adds its data folder
    to the session's loader when it wraps it."""
    import boto3

    if verify:
        prefetch(verify)
        kwargs["verify"] = verify
    with _LOCK:
        wrapper: Any = _BOTO3.get(session)  # Any: boto3-stubs overload client() per literal service name
        if wrapper is None:
            wrapper = _BOTO3[session] = boto3.Session(botocore_session=session)
    return trust_once(wrapper.client(service, **kwargs))


def trusted_context(cafile: str) -> ssl.SSLContext | None:
    """botocore's TLS context with `cafile` loaded, one per file (and version of it) and the same one sigdoctor's
    own TLS checks use (netconn.tls.trusting); None when it cannot be read (botocore then fails the connection the
    way it always does)."""
    try:
        return trusting(cafile)
    except (OSError, ssl.SSLError, ValueError):
        return None


def prefetch(path: str) -> None:
    """Start loading the bundle at `path` into botocore's kind of TLS context in a background thread. OpenSSL parses
    it without holding the GIL, so this overlaps with building the client; `trust_once` then finds it ready."""
    threading.Thread(target=trusted_context, args=(path,), name="ca-bundle", daemon=True).start()


class TrustOnceSession(TrustOnceBase):
    """botocore's HTTP session with its CA bundle loaded once per run (see botoseam.TrustOnceBase)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        verify = kwargs.get("verify", args[0] if args else True)
        self._trusted = _trusted_for(verify)
        super().__init__(*args, **kwargs)


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
    return swap_http_session(client, TrustOnceSession, _trusted_for)
