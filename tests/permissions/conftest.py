"""Fixtures of the permissions tests: the SigV4-verifying fake AWS on 127.0.0.1 (stopped at teardown), principals
with real policies, and a clean diagnosed environment whose endpoints all point at the fake."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.probes.credentials import PROBE as CRED_PROBE
from sigdoctor.probes.identity import PROBE as IDENTITY_PROBE
from sigdoctor.probes.permissions import PROBE as PERM_PROBE
from tests.fakes.aws_api import ACCOUNT, FakeAws, Key
from tests.fakes.aws_policy import Policy
from tests.loopback import forbid_name_lookups
from tests.probe_run import FakeAwsRun

AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
WS_ARN = f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-1"
LOG_GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/agents/app"


def allow(action: str | list[str], resource: str = "*", pid: str = "allow", **extra: Any) -> Policy:
    return Policy(pid, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource, **extra}]})


def deny(action: str | list[str], resource: str = "*", pid: str = "deny") -> Policy:
    return Policy(pid, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": action, "Resource": resource}]})


SIMULATE_SELF = allow(["iam:SimulatePrincipalPolicy", "iam:GetRole"], pid="self-check")


class Run(FakeAwsRun):
    probe_id = "permissions"

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.probe.data["permissions"])

    def fake_ops(self) -> list[tuple[str, str]]:
        """The signed calls the fake answered (service, operation), in order."""
        return [(c["service"], c["operation"]) for c in self.fake.calls if c["signed"]]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_name_lookups(monkeypatch)


@pytest.fixture
def fake() -> Iterator[tuple[FakeAws, str]]:
    f = FakeAws()
    url = f.start()
    try:
        yield f, url
    finally:
        f.stop()


RunFn = Callable[..., Run]


@pytest.fixture
def run_probe(fake: tuple[FakeAws, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunFn:
    """Run the credentials, identity (unless identity=False: the permissions probe then asks STS itself) and
    permissions probes with `key` in the environment and every endpoint on the fake."""
    f, url = fake

    def go(key: Key, targets: list[str], *, identity: bool = True, **ctx_kw: Any) -> Run:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": key.secret}
        if key.token:
            env["AWS_SESSION_TOKEN"] = key.token
        # botocore's service ids, as in its env vars
        for service in ("STS", "IAM", "AMP", "CLOUDWATCH_LOGS", "S3", "XRAY", "FIREHOSE", "KINESIS"):
            env[f"AWS_ENDPOINT_URL_{service}"] = url
        for k in [k for k in os.environ if k.startswith("AWS_")]:
            monkeypatch.delenv(k)
        for k, v in env.items():  # botocore reads some settings from os.environ, not from the diagnosed env
            monkeypatch.setenv(k, v)
        ctx = Context(env=env, targets=targets, **ctx_kw)
        report = run_report(ctx, [CRED_PROBE, *([IDENTITY_PROBE] if identity else []), PERM_PROBE])
        text = repr(report)
        for secret in [key.secret, key.token, *f.issued_secrets]:
            assert not secret or secret not in text, "a secret reached the report"
        return Run(report, ctx, f)

    return go
