"""The world's fakes behave like AWS as botocore sees it. This pins the simulation, independently of sigdoctor:
if these fail, an e2e failure is the world's fault, not the tool's."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from tests.world import ACCOUNT, World

# Runs inside the world: which source botocore picks, or the error it raises, as one JSON line.
BOTOCORE = r"""
import json, sys
import botocore.session
out = {}
try:
    c = botocore.session.Session().get_credentials()
    out["method"] = c.method if c else None
    if c:
        f = c.get_frozen_credentials()
        out["key_prefix"] = f.access_key[:4]
        out["has_token"] = bool(f.token)
except Exception as e:
    out["error"] = type(e).__name__
    out["message"] = str(e)[:300]
print(json.dumps(out))
"""


def botocore_view(w: World) -> dict[str, Any]:
    r = w.run_cmd([sys.executable, "-c", BOTOCORE], timeout=60)
    assert r.rc == 0, r.describe()
    r.assert_no_secrets()
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_dmi_says_ec2_or_not(world: World) -> None:
    cmd = [sys.executable, "-c", "print(open('/sys/class/dmi/id/sys_vendor').read().strip())"]
    assert world.run_cmd(cmd).stdout.strip() == "QEMU"
    world.ec2(True)
    assert world.run_cmd(cmd).stdout.strip() == "Amazon EC2"


@pytest.mark.parametrize(("mode", "v1", "method"), [
    ("ok", None, "iam-role"), ("v1-only", None, "iam-role"), ("v2-required", None, "iam-role"),
    ("hop-limit", True, "iam-role"), ("hop-limit", False, None), ("no-role", None, None),
])
def test_imds_modes(world: World, mode: str, v1: bool | None, method: str | None) -> None:
    world.imds(mode=mode, v1=v1)
    got = botocore_view(world)
    assert got.get("method") == method, got
    if method:
        assert got["key_prefix"] == "ASIA" and got["has_token"]


def test_imds_v2_token_carries_ttl_header(world: World) -> None:
    world.imds(mode="ok")
    code = ("import urllib.request as u; r = u.urlopen(u.Request('http://169.254.169.254/latest/api/token', "
            "method='PUT', headers={'X-aws-ec2-metadata-token-ttl-seconds': '60'})); "
            "print(r.headers['X-aws-ec2-metadata-token-ttl-seconds'])")
    assert world.run_cmd([sys.executable, "-c", code]).stdout.strip() == "60"


@pytest.mark.parametrize(("mode", "method"), [("ok", "container-role"), ("401", None), ("500", None),
                                              ("bad-json", None)])
def test_pod_identity_modes(world: World, mode: str, method: str | None) -> None:
    world.container("pod-identity", mode=mode)
    got = botocore_view(world)
    assert got.get("method") == method, got
    if method is None:
        assert got.get("error"), got


def test_pod_identity_refuses_a_wrong_token(world: World) -> None:
    world.container("pod-identity", mode="ok")
    world.file("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token", "not-the-token")
    got = botocore_view(world)
    assert got.get("method") is None and got.get("error"), got


def test_ecs_task_role(world: World) -> None:
    world.container("ecs")
    assert botocore_view(world).get("method") == "container-role"


def test_irsa_against_moto_sts_over_tls(world: World) -> None:
    world.sts().env(AWS_REGION="us-east-1")
    world.web_identity(f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role")
    r = world.run_cmd([sys.executable, "-c", BOTOCORE])
    got = json.loads(r.stdout)
    assert got.get("method") == "assume-role-with-web-identity" and got["key_prefix"] == "ASIA", got
    # botocore resolves credentials before any client exists, so it may use the global name: both are served
    assert [q["host"] for q in r.requests("sts")] in (["sts.us-east-1.amazonaws.com"], ["sts.amazonaws.com"])
    # what moto issued is a world secret too
    assert len(r.secrets) > len(world.secrets)
    r.assert_no_secrets()


def test_sts_fault_rejects_web_identity(world: World) -> None:
    world.sts(faults={"AssumeRoleWithWebIdentity": "InvalidIdentityToken"}).env(AWS_REGION="us-east-1")
    world.web_identity(f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role")
    got = botocore_view(world)
    assert "InvalidIdentityToken" in got.get("message", ""), got


def test_sts_untrusted_when_ca_not_installed(world: World) -> None:
    world.sts().env(AWS_REGION="us-east-1").trust("none")
    world.env_keys("AKIA")
    code = ("import boto3\ntry:\n boto3.client('sts').get_caller_identity()\nexcept Exception as e:\n"
            " print(type(e).__name__)")
    r = world.run_cmd([sys.executable, "-c", code])
    assert r.stdout.strip() == "SSLError", r.describe()


def test_sts_trusted_via_aws_ca_bundle(world: World) -> None:
    world.sts().env(AWS_REGION="us-east-1").trust("env")
    world.env_keys("AKIA")
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"
    r = world.run_cmd([sys.executable, "-c", code])
    assert r.stdout.strip() == ACCOUNT, r.describe()


def test_dns_records_and_failures(world: World) -> None:
    world.dns("aps-workspaces.us-east-1.amazonaws.com", "CNAME", "vpce-1.aps-workspaces.vpce.amazonaws.com")
    world.dns("vpce-1.aps-workspaces.vpce.amazonaws.com", "A", "10.0.12.34")
    world.dns("logs.us-east-1.amazonaws.com", "SERVFAIL")
    world.hosts("10.9.9.9 s3.us-east-1.amazonaws.com")
    code = r"""
import socket
for n in ["aps-workspaces.us-east-1.amazonaws.com", "logs.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com",
          "nope.example"]:
    try:
        print(n, sorted({a[4][0] for a in socket.getaddrinfo(n, 443, type=socket.SOCK_STREAM)}))
    except socket.gaierror as e:
        print(n, e.errno)
"""
    out = world.run_cmd([sys.executable, "-c", code]).stdout.splitlines()
    assert out[0] == "aps-workspaces.us-east-1.amazonaws.com ['10.0.12.34']"
    assert out[1] == f"logs.us-east-1.amazonaws.com {socket_eai_again()}"
    assert out[2] == "s3.us-east-1.amazonaws.com ['10.9.9.9']"
    assert out[3] == f"nope.example {socket_eai_noname()}"


def test_time_sync_offset(world: World) -> None:
    world.time_sync(300.0)
    code = "import ntplib; print(round(ntplib.NTPClient().request('169.254.169.123', timeout=5).offset))"
    assert world.run_cmd([sys.executable, "-c", code]).stdout.strip() == "300"


def socket_eai_again() -> int:
    import socket

    return int(socket.EAI_AGAIN)


def socket_eai_noname() -> int:
    import socket

    return int(socket.EAI_NONAME)


def test_sts_setup_creates_iam_roles(world: World) -> None:
    world.sts().env(AWS_REGION="us-east-1")
    arn = world.sts_role("agent-node-role", oidc_issuer="https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE")
    world.env_keys("AKIA")
    code = "import boto3; print(boto3.client('iam').get_role(RoleName='agent-node-role')['Role']['Arn'])"
    r = world.run_cmd([sys.executable, "-c", code])
    assert r.stdout.strip() == arn, r.describe()
    assert r.servers["sts"][0]["setup"] == ["iam.create_open_id_connect_provider", "iam.create_role"]


def test_a_program_as_a_fake(world: World) -> None:
    world.process([sys.executable, "-m", "http.server", "--bind", "10.1.2.3", "8080"], ready="10.1.2.3:8080",
                  address="10.1.2.3", name="http")
    code = "import urllib.request as u; print(u.urlopen('http://10.1.2.3:8080/', timeout=5).status)"
    r = world.run_cmd([sys.executable, "-c", code])
    assert r.stdout.strip() == "200", r.describe()
    assert r.servers["process"][0]["rc"] is not None  # stopped after the command


def test_secret_check_catches_a_leak_without_repeating_it(world: World) -> None:
    world.env_keys("AKIA")
    (world.out / "report.txt").write_text("nothing to see")
    r = world.run_cmd(["/bin/sh", "-c", "echo key=$AWS_SECRET_ACCESS_KEY"])
    leaks = r.leaks()
    assert len(leaks) == 1 and "stdout" in leaks[0]
    secret = world._env["AWS_SECRET_ACCESS_KEY"]
    assert secret not in " ".join(leaks) and secret not in r.describe()
    with pytest.raises(AssertionError):
        r.assert_no_secrets()


@pytest.mark.parametrize(("issuer", "expected"), [(None, "sigdoctor test world CA"), ("Amazon", "Amazon")])
def test_tls_issuer(world: World, issuer: str | None, expected: str) -> None:
    world.sts()
    if issuer:
        world.tls_issuer(issuer, "Server CA 1B")
    code = ("import socket, ssl; c = ssl.create_default_context().wrap_socket(socket.create_connection("
            "('sts.amazonaws.com', 443), timeout=5), server_hostname='sts.amazonaws.com'); "
            "print(dict(x[0] for x in c.getpeercert()['issuer'])['organizationName'])")
    r = world.run_cmd([sys.executable, "-c", code])
    assert r.stdout.strip() == expected, r.describe()


def test_imds_over_ipv6(world: World) -> None:
    world.imds(mode="ok", address="fd00:ec2::254")
    world.env(AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE="IPv6")
    assert botocore_view(world).get("method") == "iam-role"
