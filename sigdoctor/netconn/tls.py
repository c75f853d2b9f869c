"""TLS as the SDK does it: SNI, verification against the CA bundle the SDK would load, and what the certificate says.

The bundle: `AWS_CA_BUNDLE`, else `ca_bundle` in the selected profile (botocore's `ca_bundle` setting reads exactly
these two), else `SSL_CERT_FILE` (Go's crypto/x509 and OpenSSL honour it), else botocore's own default (certifi's
bundle when certifi is installed, botocore's bundled cacert.pem otherwise).
"""

from __future__ import annotations

import os
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import field
from datetime import UTC, datetime
from typing import Any

from sigdoctor.context import Context
from sigdoctor.netdns.classify import is_ip
from sigdoctor.records import datarecord

# OpenSSL X509_V_ERR_* codes a client meets in practice, in the words an operator needs.
VERIFY_MEANINGS = {
    2: "unknown issuer: the bundle lacks the issuer of a certificate in the chain",
    9: "certificate not yet valid (or the local clock is behind)",
    10: "certificate expired (or the local clock is ahead)",
    18: "self-signed certificate",
    19: "self-signed certificate in the chain: a CA the bundle does not trust (typical of TLS-inspecting proxies)",
    20: "unknown issuer: the chain ends in a CA the bundle does not trust",
    21: "unable to verify the first certificate: the server sends an incomplete chain",
    23: "certificate revoked",
    62: "hostname mismatch: the certificate is not for this name",
    64: "IP address mismatch: the certificate is not for this address",
}

# Issuers of AWS's public endpoint certificates: Amazon Trust Services intermediates (O=Amazon: "Amazon RSA 2048
# M01", "Amazon ECDSA 256 M02", …), Starfield for older chains, DigiCert for endpoints not yet migrated.
AMAZON_ISSUER_ORGS = ("amazon", "amazon.com, inc.", "amazon trust services", "starfield technologies, inc.",
                      "digicert inc")


@datarecord(frozen=True)
class CaBundle:
    path: str | None  # as the diagnosed process names it
    real: str | None  # where we can open it
    source: str  # AWS_CA_BUNDLE | profile ca_bundle (<profile>) | SSL_CERT_FILE | botocore default
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "source": self.source, "problem": self.problem}


def ca_bundle(ctx: Context) -> CaBundle:
    """The one CA-bundle resolver of a run: the connectivity, clock, live-request and send paths all verify with
    this bundle (worked out once per run)."""
    return ctx.once("ca_bundle", lambda: _resolve_ca_bundle(ctx))


def verify_file(ctx: Context) -> str | None:
    """The CA file every HTTPS request of the run verifies with (sigdoctor's botocore clients included): the run's
    bundle, or the unusable file it names, so the request fails the way the agent's would."""
    bundle = ca_bundle(ctx)
    if bundle.real:
        return bundle.real
    return str(ctx.path(bundle.path)) if bundle.path else None


def _resolve_ca_bundle(ctx: Context) -> CaBundle:
    if ctx.env.get("AWS_CA_BUNDLE"):
        return _check(ctx, ctx.env["AWS_CA_BUNDLE"], "AWS_CA_BUNDLE")
    profile_bundle = _profile_ca_bundle(ctx)
    if profile_bundle:
        return _check(ctx, profile_bundle[0], f"ca_bundle in profile {profile_bundle[1]!r}")
    if ctx.env.get("SSL_CERT_FILE"):
        return _check(ctx, ctx.env["SSL_CERT_FILE"], "SSL_CERT_FILE")
    from botocore.httpsession import get_cert_path

    default = str(get_cert_path(True))
    return CaBundle(default, default, "botocore default (certifi)")


def _profile_ca_bundle(ctx: Context) -> tuple[str, str] | None:
    from botocore.configloader import load_config

    profile = ctx.profile or ctx.env.get("AWS_PROFILE") or ctx.env.get("AWS_DEFAULT_PROFILE") or "default"
    config = ctx.env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    try:
        real = ctx.path(config)
        if not real.is_file():
            return None
        loaded = load_config(str(real))
    except Exception:  # a broken config file is the credentials probe's finding, not ours
        return None
    value = loaded.get("profiles", {}).get(profile, {}).get("ca_bundle")
    return (str(value), profile) if value else None


def _check(ctx: Context, path: str, source: str) -> CaBundle:
    real = ctx.path(path)
    if not real.exists():
        return CaBundle(path, None, source, f"{source}={path} does not exist")
    if not os.access(real, os.R_OK) or not real.is_file():
        return CaBundle(path, None, source, f"{source}={path} is not a readable file")
    try:
        trusting(str(real))
    except (ssl.SSLError, OSError, ValueError) as exc:
        return CaBundle(path, None, source, f"{source}={path} holds no usable certificate ({exc})")
    return CaBundle(path, str(real), source)


@datarecord
class TlsResult:
    state: str  # ok | untrusted | timeout | error
    verified: bool = False
    ms: float | None = None
    version: str | None = None
    cipher: str | None = None
    subject: str | None = None
    sans: list[str] = field(default_factory=list)
    issuer_o: str | None = None
    issuer_cn: str | None = None
    not_after: str | None = None
    verify_code: int | None = None
    verify_message: str | None = None
    error: str | None = None

    @property
    def meaning(self) -> str | None:
        if self.verify_code is None:
            return None
        return VERIFY_MEANINGS.get(self.verify_code, self.verify_message)

    @property
    def issuer(self) -> str:
        parts = [p for p in (self.issuer_cn, self.issuer_o) if p]
        return " / ".join(parts) if parts else "unknown issuer"

    @property
    def amazon_issued(self) -> bool | None:
        if self.issuer_o is None and self.issuer_cn is None:
            return None
        return is_amazon_issuer(self.issuer_o, self.issuer_cn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "verified": self.verified, "ms": None if self.ms is None else round(self.ms, 1),
            "protocol": self.version, "cipher": self.cipher, "subject": self.subject, "sans": self.sans,
            "issuer": {"O": self.issuer_o, "CN": self.issuer_cn}, "not_after": self.not_after,
            "amazon_issued": self.amazon_issued, "verify_code": self.verify_code, "verify_meaning": self.meaning,
            "error": self.error,
        }

    def brief(self) -> dict[str, Any]:
        """The handful of fields a finding's evidence needs (the full record is in the probe's data)."""
        d: dict[str, Any] = {"protocol": self.version, "issuer": self.issuer, "names": self.sans[:4],
                             "not_after": self.not_after, "verified": self.verified}
        if self.verify_code is not None:
            d["verify_code"] = self.verify_code
        return d

    def summary(self) -> str:
        parts = [p for p in (self.version, self.cipher) if p]
        parts.append(f"issued by {self.issuer}")
        if self.not_after:
            parts.append(f"expires {self.not_after[:10]}")
        return ", ".join(parts)


def is_amazon_issuer(org: str | None, cn: str | None) -> bool:
    if org and org.strip().lower() in AMAZON_ISSUER_ORGS:
        return True
    return bool(cn and cn.strip().lower().startswith("amazon"))


def verifying_context(bundle: CaBundle) -> ssl.SSLContext:
    return trusting(bundle.real)


# The one cache of loaded CA bundles: parsing a bundle of a hundred-odd certificates costs ~20 ms of OpenSSL, and one
# run verifies every endpoint, the clock's HTTPS fallback and every botocore connection (botohttp) against the same
# bundle, all with one context. Keyed by the file and its identity: a changed file (new inode, size or mtime) gets a
# new context. Nobody changes a context after it is made (urllib3 sets verify_mode to the CERT_REQUIRED it already
# has).
_CONTEXTS: dict[tuple[str, int, int, int], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def trusting(cafile: str | None) -> ssl.SSLContext:
    """The TLS context botocore verifies with (its `create_urllib3_context`: its protocol floor, options and
    ciphers; the host name is matched after the handshake, as urllib3 does, see `handshake`) with `cafile` loaded,
    built once per version of the file and shared with sigdoctor's botocore clients; errors are raised, never
    cached. Without a file (the system store, whose location the environment decides) it is
    `ssl.create_default_context()`, built afresh."""
    if not cafile:
        return ssl.create_default_context()
    try:
        st = os.stat(cafile)
    except OSError:
        return _botocore_context(cafile)  # raises what an unusable bundle raises
    key = (cafile, st.st_ino, st.st_size, st.st_mtime_ns)
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = _botocore_context(cafile)
    return context


def _botocore_context(cafile: str) -> ssl.SSLContext:
    from botocore.httpsession import create_urllib3_context

    context: ssl.SSLContext = create_urllib3_context()
    context.load_verify_locations(cafile)
    return context


def _inspecting_context() -> ssl.SSLContext:
    # Only to read the certificate of a server that failed verification; nothing trusted is sent over it.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def handshake(
    sock: socket.socket, server_hostname: str, context: ssl.SSLContext, timeout: float
) -> tuple[TlsResult, ssl.SSLSocket | None]:
    """TLS over `sock` (consumed). Returns the result and, when the handshake completed, the TLS socket."""
    t0 = time.monotonic()
    sock.settimeout(timeout)
    try:
        tls = context.wrap_socket(sock, server_hostname=server_hostname)
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        return TlsResult("untrusted", ms=_ms(t0), verify_code=exc.verify_code, verify_message=exc.verify_message,
                         error=str(exc)), None
    except TimeoutError:
        sock.close()
        return TlsResult("timeout", ms=_ms(t0), error=f"no TLS handshake within {timeout:.1f} s"), None
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        return TlsResult("error", ms=_ms(t0), error=_describe_error(exc)), None
    mismatch = _host_mismatch(tls, server_hostname, context)
    if mismatch is not None:
        tls.close()
        mismatch.ms = _ms(t0)
        return mismatch, None
    result = TlsResult("ok", verified=context.verify_mode == ssl.CERT_REQUIRED, ms=_ms(t0))
    _fill(result, tls)
    return result, tls


def _host_mismatch(tls: ssl.SSLSocket, server_hostname: str, context: ssl.SSLContext) -> TlsResult | None:
    """What urllib3 does after the handshake when botocore's context leaves the host name to it (check_hostname
    off): match the verified certificate's names, the subject's common name only as the context allows. A
    mismatch is reported as OpenSSL reports it with check_hostname on (verify code 62 for a name, 64 for an
    address), so the verdict does not depend on which of the two checked."""
    if context.check_hostname or context.verify_mode != ssl.CERT_REQUIRED:
        return None
    try:
        from urllib3.util.ssl_match_hostname import CertificateError, match_hostname
    except ImportError:  # urllib3 before 1.26.9
        from urllib3.packages.ssl_match_hostname import (  # type: ignore[no-redef,import-not-found,unused-ignore]
            CertificateError,
            match_hostname,
        )

    host = server_hostname.strip("[]")
    cert: Any = tls.getpeercert()
    common_name = bool(getattr(context, "hostname_checks_common_name", False))
    try:
        try:
            match_hostname(cert, host, hostname_checks_common_name=common_name)
        except TypeError:  # urllib3 1.26's has no such parameter (and falls back to the common name)
            match_hostname(cert, host)
    except (CertificateError, ValueError) as exc:
        code = 64 if is_ip(host) else 62
        return TlsResult("untrusted", verify_code=code, verify_message=str(exc), error=str(exc))
    return None


def inspect(sock: socket.socket, server_hostname: str, timeout: float, into: TlsResult) -> ssl.SSLSocket | None:
    """Handshake without verification to read what a rejected server presents; fills `into`, returns the socket."""
    sock.settimeout(timeout)
    try:
        tls = _inspecting_context().wrap_socket(sock, server_hostname=server_hostname)
    except (ssl.SSLError, OSError):
        sock.close()
        return None
    _fill(into, tls)
    return tls


def _fill(result: TlsResult, tls: ssl.SSLSocket) -> None:
    result.version = tls.version()
    cipher = tls.cipher()
    result.cipher = cipher[0] if cipher else None
    cert: dict[str, Any] | None = tls.getpeercert() or None
    if not cert:
        der = tls.getpeercert(binary_form=True)
        cert = _decode_der(der) if der else None
    if not cert:
        return
    subject = _name(cert.get("subject", ()))
    issuer = _name(cert.get("issuer", ()))
    result.subject = subject.get("commonName")
    result.issuer_o = issuer.get("organizationName")
    result.issuer_cn = issuer.get("commonName")
    result.sans = [f"{kind}:{value}" if kind != "DNS" else str(value) for kind, value in cert.get("subjectAltName", ())]
    if cert.get("notAfter"):
        try:
            when = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
            result.not_after = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            result.not_after = str(cert["notAfter"])


def _name(rdns: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for rdn in rdns:
        for key, value in rdn:
            out.setdefault(str(key), str(value))
    return out


def _decode_der(der: bytes) -> dict[str, Any] | None:
    """The getpeercert() dict of an unverified certificate.

    Python 3.11 only decodes verified peers; `ssl._ssl._test_decode_cert` is the stdlib's own decoder (private, hence
    guarded): no runtime dependency on `cryptography` for one diagnostic detail.
    """
    decode = getattr(ssl._ssl, "_test_decode_cert", None)  # type: ignore[attr-defined]
    if decode is None:
        return None
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(ssl.DER_cert_to_PEM_cert(der))
        decoded: dict[str, Any] = decode(path)
        return decoded
    except (ssl.SSLError, OSError, ValueError):
        return None
    finally:
        os.unlink(path)


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        reason = str(exc.reason)
        if reason == "WRONG_VERSION_NUMBER":
            return "the server does not speak TLS on this port (WRONG_VERSION_NUMBER)"
        return f"TLS handshake failed: {reason}"
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset during the TLS handshake"
    if isinstance(exc, ssl.SSLEOFError) or "EOF" in str(exc):
        return "the server closed the connection during the TLS handshake"
    return f"TLS handshake failed: {exc}"


def _ms(t0: float) -> float:
    return (time.monotonic() - t0) * 1000
