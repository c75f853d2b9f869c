"""Fixtures of the credentials tests: a clean diagnosed environment, the probe, botocore's own answer to compare,
and loopback servers that are stopped at teardown."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.utils import ContainerMetadataFetcher

from sigdoctor.context import Context
from sigdoctor.model import Outcome
from sigdoctor.probes.credentials import run
from tests.creds.fakes import FakeContainer, FakeImds, RejectingSts

# Values tests plant; none of them may ever appear in a probe's output.
SECRETS: list[str] = []


@dataclass
class Env:
    """The diagnosed environment of one test: clean (no files, IMDS off) unless the test adds to it."""

    tmp: Path
    vars: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        self.vars.update(
            {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(home),
                "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1",
            }
        )

    def file(self, name: str, text: str, mode: int = 0o600) -> str:
        p = self.tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        p.chmod(mode)
        return str(p)

    def config(self, text: str) -> str:
        self.vars["AWS_CONFIG_FILE"] = self.file("aws/config", text)
        return self.vars["AWS_CONFIG_FILE"]

    def credentials(self, text: str) -> str:
        self.vars["AWS_SHARED_CREDENTIALS_FILE"] = self.file("aws/credentials", text)
        return self.vars["AWS_SHARED_CREDENTIALS_FILE"]

    def secret(self, value: str) -> str:
        SECRETS.append(value)
        return value


@dataclass
class Result:
    outcome: Outcome
    ctx: Context
    boto3_method: str | None

    @property
    def creds(self) -> dict[str, Any]:
        data: dict[str, Any] = self.outcome.data["credentials"]
        return data

    @property
    def winner(self) -> str | None:
        return self.creds["winner"]

    def state(self, method: str) -> str:
        return next(s["state"] for s in self.creds["sources"] if s["method"] == method)

    def detail(self, method: str) -> str:
        return next(s["detail"] for s in self.creds["sources"] if s["method"] == method)

    def findings(self) -> dict[str, str]:
        """finding id -> status"""
        return {f.id: str(f.status) for f in self.outcome.findings}

    def finding(self, fid: str) -> Any:
        return next(f for f in self.outcome.findings if f.id == "credentials." + fid)

    def text(self) -> str:
        return json.dumps(
            {
                "findings": [vars(f) for f in self.outcome.findings],
                "data": self.outcome.data,
                "s": self.outcome.summary,
            },
            default=str,
        )


def boto3_method(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], profile: str | None) -> str | None:
    """What boto3 itself reports in the same environment (os.environ swapped, restored on exit)."""
    with monkeypatch.context() as m:
        for k in list(os.environ):
            m.delenv(k)
        for k, v in env.items():
            m.setenv(k, v)
        # Retries change how long botocore takes, never who wins.
        m.setattr(ContainerMetadataFetcher, "RETRY_ATTEMPTS", 1)
        m.setattr(ContainerMetadataFetcher, "SLEEP_TIME", 0)
        try:
            creds = boto3.Session(profile_name=profile).get_credentials()
        except Exception:
            return None
        return creds.method if creds is not None else None


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    def go(e: Env, profile: str | None = None, offline: bool = False, compare: bool = True, **ctx_kw: Any) -> Result:
        ctx = Context(env=dict(e.vars), profile=profile, offline=offline, **ctx_kw)
        outcome = run(ctx, {})
        method = boto3_method(monkeypatch, e.vars, profile) if compare else None
        result = Result(outcome, ctx, method)
        text = result.text()
        for s in SECRETS:
            assert s not in text, "a secret leaked into the probe's output"
        if compare:
            assert result.winner == method, f"sigdoctor says {result.winner}, boto3 says {method}"
        return result

    return go


def _starter(cls: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """A fixture body: `start(**kw)` starts a fake; every one started is stopped at teardown."""
    started: list[Any] = []

    def start(**kw: Any) -> Any:
        s = cls(**kw).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def imds() -> Iterator[Callable[..., FakeImds]]:
    yield from _starter(FakeImds)


@pytest.fixture
def container() -> Iterator[Callable[..., FakeContainer]]:
    yield from _starter(FakeContainer)


@pytest.fixture
def rejecting_sts() -> Iterator[Callable[..., RejectingSts]]:
    yield from _starter(RejectingSts)


@pytest.fixture(scope="module")
def moto_sts() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
