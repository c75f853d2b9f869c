"""Fixtures for the connectivity probe: test CAs, fake AWS front ends, proxies and blackholes on 127.0.0.1.

Endpoints keep their real AWS names (the proxy decision and SNI depend on them); their addresses are pinned to
127.0.0.1 through `check(..., addresses=...)` or a dns-probe result, so no test resolves a real name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from sigdoctor.context import Context
from sigdoctor.endpoints import Endpoint, from_url
from sigdoctor.model import Finding, Outcome
from sigdoctor.probes.connectivity import check
from tests.fakes.tls_endpoint import Pki, TlsEndpoint

STS = "sts.us-east-1.amazonaws.com"
APS = "aps-workspaces.us-east-1.amazonaws.com"

CLEAN_ENV = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
             "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"}


@pytest.fixture(autouse=True)
def _clean_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The probe reads ctx.env, but botocore (endpoint resolution) reads the process environment.
    for var in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
                "AWS_CA_BUNDLE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for k, v in CLEAN_ENV.items():
        monkeypatch.setenv(k, v)


@pytest.fixture(scope="session")
def pki() -> Pki:
    return Pki()


@pytest.fixture
def bundle(pki: Pki, tmp_path: Path) -> Callable[..., str]:
    """bundle("amazon", "corp") -> path of a PEM bundle holding those test CAs."""
    return lambda *cas: str(pki.bundle(tmp_path, *cas))


@pytest.fixture
def serve() -> Iterator[Callable[..., TlsEndpoint]]:
    """serve(cert, mode="aws") -> a started fake front end, stopped at teardown."""
    started: list[TlsEndpoint] = []

    def start(cert: trustme.LeafCert, mode: str = "aws") -> TlsEndpoint:
        ep = TlsEndpoint(cert, mode=mode).start()
        started.append(ep)
        return ep

    yield start
    for ep in started:
        ep.stop()


def make_ctx(**env: str) -> Context:
    return Context(env={**CLEAN_ENV, **env}, region="us-east-1", deadline_s=20.0)


def endpoint(host: str, port: int, purpose: str = "sts", path: str = "/", scheme: str = "https") -> Endpoint:
    ep = from_url(purpose, f"{scheme}://{host}:{port}{path}")
    assert ep is not None
    return ep


def run_at(ctx: Context, *eps: Endpoint, address: str = "127.0.0.1") -> Outcome:
    """Check endpoints whose names all live at `address`."""
    return check(ctx, list(eps), {}, addresses={ep.host: [address] for ep in eps})


def by_id(outcome: Outcome, fid: str) -> list[Finding]:
    return [f for f in outcome.findings if f.id == fid]


def one(outcome: Outcome, fid: str) -> Finding:
    found = by_id(outcome, fid)
    assert len(found) == 1, f"expected one {fid}, got {[(f.id, f.message) for f in outcome.findings]}"
    return found[0]


def ids(outcome: Outcome) -> set[str]:
    return {f.id for f in outcome.findings}


def fixes(finding: Finding) -> str:
    fix = finding.evidence.get("fix", [])
    return "\n".join(fix if isinstance(fix, list) else [fix])
