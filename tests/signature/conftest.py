"""Fixtures of the signature tests: the SigV4-verifying fake AWS on 127.0.0.1 (stopped at teardown), an agent key,
and the credentials + signature probes run in a clean diagnosed environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.probes.credentials import PROBE as CRED_PROBE
from sigdoctor.probes.signature import PROBE as SIG_PROBE
from tests.fakes.aws_api import ACCOUNT, FakeAws, Key
from tests.fakes.aws_policy import Policy
from tests.loopback import forbid_name_lookups
from tests.probe_run import FakeAwsRun

AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
LOGS_URL = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/agents/app"
EVERYTHING = Policy("all", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                    "Resource": "*"}]})


class Run(FakeAwsRun):
    probe_id = "signature"

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self.probe.data["signature"])


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_name_lookups(monkeypatch)


@pytest.fixture
def fake() -> Iterator[tuple[FakeAws, str]]:
    f = FakeAws()
    f.add_workspace("ws-1", "us-east-1")
    f.add_log_group("/agents/app", "us-east-1")
    f.add_bucket("loki-chunks")
    f.add_delivery_stream("fluent-bit")
    f.add_stream("logs")
    url = f.start()
    try:
        yield f, url
    finally:
        f.stop()


@pytest.fixture
def agent(fake: tuple[FakeAws, str]) -> Key:
    return fake[0].add_user("agent", [EVERYTHING])


RunFn = Callable[..., Run]


@pytest.fixture
def run_probe(fake: tuple[FakeAws, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunFn:
    """Run the credentials and signature probes with `key` in the environment. By default every endpoint points at
    the fake (AWS_ENDPOINT_URL_*); `endpoints=False` leaves the target's own name, for a proxy to route."""
    f, url = fake

    def go(key: Key, targets: list[str], *, secret: str | None = None, endpoints: bool = True,
           env_extra: dict[str, str] | None = None, **ctx_kw: Any) -> Run:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": secret or key.secret}
        if key.token:
            env["AWS_SESSION_TOKEN"] = key.token
        if endpoints:
            for service in ("AMP", "CLOUDWATCH_LOGS", "S3", "XRAY", "FIREHOSE", "KINESIS"):
                env[f"AWS_ENDPOINT_URL_{service}"] = url
        env.update(env_extra or {})
        for k in [k for k in os.environ if k.startswith("AWS_") or k.lower().endswith("_proxy")]:
            monkeypatch.delenv(k)
        for k, v in env.items():  # botocore reads some settings from os.environ, not from the diagnosed env
            monkeypatch.setenv(k, v)
        ctx = Context(env=env, targets=targets, **ctx_kw)
        report = run_report(ctx, [CRED_PROBE, SIG_PROBE])
        text = repr(report)
        for s in [key.secret, key.token, secret, *f.issued_secrets]:
            assert not s or s not in text, "a secret reached the report"
        assert "Signature=" not in text, "a request signature reached the report"
        return Run(report, ctx, f)

    return go
