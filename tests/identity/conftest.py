"""Fixtures of the identity tests: a clean diagnosed environment, moto STS/IAM with auth checks on, the SigV4-verifying
fake AWS (tests/fakes/aws_api.py) for what moto lacks, and a runner for the credentials + identity probes.
Every server is stopped at teardown."""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.context import Context
from sigdoctor.doctor import run_report
from sigdoctor.model import Finding, ProbeResult, Report
from sigdoctor.probes import credentials, identity
from tests.fakes.aws_api import FakeAws

ACCOUNT = "123456789012"


@dataclass
class Run:
    ctx: Context
    report: Report
    secrets: list[str]

    @property
    def probe(self) -> ProbeResult:
        return next(p for p in self.report.probes if p.id == "identity")

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.probe.findings]

    def finding(self, fid: str) -> Finding:
        found = [f for f in self.probe.findings if f.id == fid]
        assert found, f"no {fid}; findings: {[(f.id, f.status.value, f.message) for f in self.probe.findings]}"
        return found[0]

    @property
    def data(self) -> dict[str, Any]:
        return self.probe.data["identity"]  # type: ignore[no-any-return]

    def text(self) -> str:
        return json.dumps(dataclasses.asdict(self.report), default=str)

    def assert_no_secrets(self) -> None:
        text = self.text()
        leaked = [s[:4] + "…" for s in self.secrets if s and s in text]
        assert not leaked, f"secrets in the report: {leaked}"


@dataclass
class Env:
    tmp: Path
    endpoint: str
    vars: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        self.vars.update({
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_STS": self.endpoint, "AWS_ENDPOINT_URL_IAM": self.endpoint,
        })

    def keys(self, key_id: str, secret: str, token: str | None = None) -> Env:
        self.vars.update(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
        if token is not None:
            self.vars["AWS_SESSION_TOKEN"] = token
        self.secrets += [secret, token or ""]
        return self

    def run(self, *, role_arn: str | None = None, targets: tuple[str, ...] = (), offline: bool = False,
            region: str | None = None) -> Run:
        if region:
            self.vars["AWS_REGION"] = region
        ctx = Context(env=dict(self.vars), targets=list(targets), role_arn=role_arn, offline=offline, deadline_s=30)
        report = run_report(ctx, [credentials.PROBE, identity.PROBE])
        return Run(ctx, report, self.secrets)


@pytest.fixture(autouse=True)
def _clean_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore reads a few settings from os.environ regardless of the diagnosed env: keep it empty of AWS.
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _moto_api(url: str, path: str, body: bytes) -> None:
    req = urllib.request.Request(url + path, data=body, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=5) as r:
        r.read()


@dataclass
class Moto:
    url: str
    user_key: dict[str, str]
    nopower_key: dict[str, str]
    role_arn: str


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    """moto STS + IAM with auth checks on: an `agent` user allowed to assume `amp-writer`, and `nopower`, who is not."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _host, port = server.get_host_and_port()
    url = f"http://127.0.0.1:{port}"
    try:
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/agent"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="amp-writer", AssumeRolePolicyDocument=json.dumps(trust))
        allow = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "sts:AssumeRole"], "Resource": "*"}]}
        iam.put_role_policy(RoleName="amp-writer", PolicyName="sts", PolicyDocument=json.dumps(allow))
        keys = {}
        for user, actions in (("agent", ["sts:GetCallerIdentity", "sts:AssumeRole"]),
                              ("nopower", ["sts:GetCallerIdentity"])):
            iam.create_user(UserName=user)
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
            iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
            k = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}
        _moto_api(url, "/moto-api/reset-auth", b"0")
        yield Moto(url, keys["agent"], keys["nopower"], f"arn:aws:iam::{ACCOUNT}:role/amp-writer")
    finally:
        try:
            _moto_api(url, "/moto-api/reset-auth", b"inf")
            _moto_api(url, "/moto-api/reset", b"")
        finally:
            server.stop()


@pytest.fixture
def moto_env(moto: Moto, tmp_path: Path) -> Env:
    return Env(tmp_path, moto.url)


@pytest.fixture
def fake() -> Iterator[FakeAws]:
    f = FakeAws()
    yield f
    f.stop()


@pytest.fixture
def fake_env(fake: FakeAws, tmp_path: Path) -> Env:
    url = fake.start()
    return Env(tmp_path, url)
