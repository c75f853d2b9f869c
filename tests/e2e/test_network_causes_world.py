"""End to end, one scenario per network-and-time root cause (GitHub issue 4): the whole `sigdoctor run` in the
namespace world, asserting the top root cause, the exit code and that no world secret is printed.

The world: the SigV4-verifying fake AWS
(tests/fakes/aws_api.py) serving STS, IAM and AMP over TLS under their real names, NTP responders, blackholes and
proxies, all in one `tests.fakes.launch_net` process inside the namespace world.

Certificates come from test CAs named like the issuers the connectivity probe tells apart (tests/fakes/tls_endpoint.py
`Pki`: O=Amazon, O=Corp Proxy, O=Somebody Else). `trust_system(...)` puts the chosen CAs where the SDK looks by
default (certifi, botocore's cacert.pem, /etc/ssl/certs), as an image whose trust store holds them would.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

from tests.fakes.aws_api import ACCOUNT, FakeAws, Key
from tests.fakes.aws_policy import Policy
from tests.fakes.tls_endpoint import Pki
from tests.world import Result, World

AWS_ADDRESS = "52.94.0.41"
STS = "sts.us-east-1.amazonaws.com"
AMP = "aps-workspaces.us-east-1.amazonaws.com"
NAMES = ("sts.amazonaws.com", STS, "iam.amazonaws.com", AMP)
AMP_URL = f"https://{AMP}/workspaces/ws-1/api/v1/remote_write"
READY = "127.0.0.1:4999"
ALL = Policy("all", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _bundle_paths() -> list[str]:
    """Where clients in the world look for trust by default (the files that exist on this machine)."""
    import botocore
    import certifi

    paths = ["/etc/ssl/certs/ca-certificates.crt", certifi.where(),
             os.path.join(os.path.dirname(botocore.__file__), "cacert.pem")]
    return sorted({os.path.realpath(p) for p in paths if os.path.isfile(p)})


class NetWorld:
    """One scenario. The agent has keys of an IAM user allowed everything; the AMP workspace ws-1 exists."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.pki = Pki()
        self.fake = FakeAws()
        self.fake.add_workspace("ws-1")
        self.fakes: list[dict[str, Any]] = []
        self._certs = 0
        self._launched = False
        world.env(AWS_REGION="us-east-1")

    def agent_keys(self) -> NetWorld:
        """Session credentials of a role allowed everything, in the environment (no long-lived-keys warning)."""
        key = self.fake.add_session(self.fake.add_role("agent-role", [ALL]))
        assert key.token is not None
        self.w.env(AWS_ACCESS_KEY_ID=key.access_key_id, AWS_SECRET_ACCESS_KEY=key.secret,
                   AWS_SESSION_TOKEN=key.token).secret(key.secret, key.token)
        return self

    def instance_role(self) -> NetWorld:
        """An EC2 instance whose IMDS hands out session credentials of a role the fake AWS knows."""
        role = self.fake.add_role("agent-node-role", [ALL])
        self.w.ec2(True)
        c = self.w.imds(mode="ok", role="agent-node-role")
        self.fake.keys[c["AccessKeyId"]] = Key(
            c["AccessKeyId"], c["SecretAccessKey"], c["Token"],
            f"arn:aws:sts::{ACCOUNT}:assumed-role/agent-node-role/i-0123456789abcdef0", role,
            "AROAEXAMPLENODEROLE:i-0123456789abcdef0")
        return self

    def _leaf_files(self, names: tuple[str, ...], ca: str, expired: bool) -> tuple[str, str]:
        self._certs += 1
        leaf = self.pki.leaf(*names, ca=ca, expired=expired)
        chain, key = (self.w.dir / f"leaf{self._certs}-{x}.pem" for x in ("chain", "key"))
        chain.write_bytes(b"".join(p.bytes() for p in leaf.cert_chain_pems))
        key.write_bytes(leaf.private_key_pem.bytes())
        return str(chain), str(key)

    def aws(self, address: str = AWS_ADDRESS, names: tuple[str, ...] = NAMES, *, ca: str = "amazon",
            cert_names: tuple[str, ...] | None = None, expired: bool = False, date_offset: float = 0.0,
            dns: bool = True) -> NetWorld:
        """The fake AWS on address:443 with a certificate from `ca` for `cert_names` (default: `names`), which the
        world's DNS maps to `address` unless `dns` is False."""
        chain, key = self._leaf_files(cert_names or names, ca, expired)
        self.fakes.append({"kind": "aws", "address": address, "port": 443, "cert": chain, "key": key,
                           "date_offset": date_offset})
        self.w.address(address)
        if dns:
            for n in names:
                self.w.dns(n, "A", address)
        return self

    def ntp(self, address: str = "169.254.169.123", offset: float = 0.0, mode: str = "ok") -> NetWorld:
        self.fakes.append({"kind": "ntp", "address": address, "port": 123, "offset": offset, "mode": mode})
        self.w.address(address)
        return self

    def blackhole(self, address: str, port: int = 443, mode: str = "accept") -> NetWorld:
        self.fakes.append({"kind": "blackhole", "address": address, "port": port, "mode": mode})
        self.w.address(address)
        return self

    def proxy(self, address: str, port: int = 3128, mode: str = "pass") -> NetWorld:
        self.fakes.append({"kind": "proxy", "address": address, "port": port, "mode": mode})
        self.w.address(address)
        return self

    def trust_system(self, *cas: str) -> NetWorld:
        """The default trust store holds exactly these test CAs."""
        pem = b"".join(self.pki.cas[c].cert_pem.bytes() for c in cas).decode()
        for p in _bundle_paths():
            self.w.file(p, pem, 0o644)
        return self

    def ca_bundle_env(self, *cas: str) -> str:
        """AWS_CA_BUNDLE naming a bundle of these test CAs."""
        path = self.pki.bundle(self.w.dir, *cas)
        self.w.env(AWS_CA_BUNDLE=str(path))
        return str(path)

    def run(self, *args: str, target: str | None = AMP_URL, timeout: float = 60.0) -> Result:
        """`sigdoctor run [--target AMP_URL] ARGS` with the fakes serving."""
        return self.run_cmd([*self.w.sigdoctor_argv(), "run", *(["--target", target] if target else []), *args],
                            timeout=timeout)

    def run_cmd(self, argv: list[str], timeout: float = 60.0) -> Result:
        """Any command with the fakes serving; what the fake AWS issued counts as world secrets."""
        spec_path, report = self.w.dir / "net-spec.json", self.w.dir / "net-seen.json"
        for f in self.fakes:
            if f["kind"] == "aws":
                f["config"] = self.fake.to_config()
        spec_path.write_text(json.dumps({"ready": READY, "report": str(report), "fakes": self.fakes}))
        report.unlink(missing_ok=True)
        if self.fakes and not self._launched:
            self.w.process([sys.executable, "-m", "tests.fakes.launch_net", str(spec_path)], ready=READY,
                           name="net")
            self._launched = True
        r = self.w.run_cmd(argv, timeout=timeout)
        self.seen: list[dict[str, Any]] = json.loads(report.read_text()) if report.exists() else []
        r.secrets.extend(s for f in self.seen for s in f.get("issued_secrets", []) if s)
        return r

def top(r: Result) -> str | None:
    causes = r.json["root_causes"]
    return causes[0]["id"] if causes else None


def causes(r: Result) -> list[tuple[str, str]]:
    return [(c["id"], c["severity"]) for c in r.json["root_causes"]]


def probe(r: Result, pid: str) -> dict[str, Any]:
    return next(p for p in r.json["probes"] if p["id"] == pid)


def findings(r: Result, fid: str) -> list[dict[str, Any]]:
    pid = fid.split(".", 1)[0]
    return [f for f in probe(r, pid)["findings"] if f["id"] == fid]


# ---- scenarios ---------------------------------------------------------------------------------------------------
PRIVATE_AMP, PRIVATE_STS = "10.0.1.5", "10.0.1.6"
VPCE = "vpce-0abc123-xyz.aps-workspaces.us-east-1.vpce.amazonaws.com"
PROXY = "10.0.0.3"


def healthy(world: World) -> NetWorld:
    """Everything answers: the agent's session keys, the fake AWS (Amazon-issued certificate, trusted by default)
    and Amazon Time Sync on our clock."""
    return NetWorld(world).agent_keys().aws().trust_system("amazon").ntp()


def expect(r: Result, cause: str | None, rc: int) -> None:
    """The user-visible outcome: exit code and top root cause; nothing secret printed."""
    assert not r.timed_out, r.describe()
    assert (r.rc, top(r)) == (rc, cause), f"causes={causes(r)}\n{r.describe()}"
    r.assert_no_secrets()
    log_scenario(r)


def log_scenario(r: Result) -> None:
    """With SIGDOCTOR_SCENARIO_LOG set, one JSON line per run: the scenario table of the closing notes."""
    log = os.environ.get("SIGDOCTOR_SCENARIO_LOG")
    if log:
        row = {"test": os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[-1].split(" ")[0], "top": top(r),
               "rc": r.rc, "elapsed": r.elapsed}
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")


def test_healthy_public_world(world: World) -> None:
    r = healthy(world).run("--format", "json")
    expect(r, None, 0)
    for pid in ("clock", "dns", "connectivity", "signature"):
        assert probe(r, pid)["status"] == "pass", r.describe()


def test_healthy_vpc_endpoint_world(world: World) -> None:
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp()
    net.aws(PRIVATE_AMP, (AMP,), dns=False).aws(PRIVATE_STS, ("sts.amazonaws.com", STS))
    net.aws(AWS_ADDRESS, ("iam.amazonaws.com",))  # global IAM has no interface endpoint: public is expected
    world.dns(AMP, "CNAME", VPCE).dns(VPCE, "A", PRIVATE_AMP)
    r = net.run("--vpc-endpoints", "--format", "json")
    expect(r, None, 0)
    assert "private via vpce" in probe(r, "dns")["summary"], r.describe()


@pytest.mark.parametrize(("offset", "word"), [(-400, "ahead"), (1200, "behind")])
def test_clock_skew_error_ntp_and_aws_date_agree(world: World, offset: float, word: str) -> None:
    # The fakes run on this machine's clock: "our clock is 400 s ahead" is played by time sources 400 s behind.
    # At 20 minutes the fake AWS (15-minute window) rejects every signature too: still one cause, the clock.
    net = NetWorld(world).agent_keys().aws(date_offset=offset).trust_system("amazon").ntp(offset=offset)
    r = net.run("--format", "json")
    expect(r, "clock-skew", 1)
    summary = probe(r, "clock")["summary"]
    assert word in summary and "NTP 169.254.169.123" in summary and "HTTP Date" in summary, summary
    if abs(offset) > 15 * 60:
        assert probe(r, "signature")["status"] == "fail" and causes(r) == [("clock-skew", "error")], r.describe()


def test_clock_skew_warning(world: World) -> None:
    net = NetWorld(world).agent_keys().aws(date_offset=-90).trust_system("amazon").ntp(offset=-90)
    r = net.run("--format", "json")
    expect(r, "clock-skew", 0)
    assert causes(r)[0] == ("clock-skew", "warning")


@pytest.mark.parametrize("mode", ["NXDOMAIN", "SERVFAIL", "TIMEOUT"])
def test_dns_resolution_failed(world: World, mode: str) -> None:
    net = healthy(world)
    world.dns(AMP, mode)
    r = net.run("--format", "json")
    expect(r, "dns-resolution-failed", 1)
    [f] = findings(r, "dns.dns-resolution-failed")
    assert AMP in f["message"], f


def test_hosts_file_override(world: World) -> None:
    net = healthy(world)
    world.hosts(f"10.9.9.9 {STS}")  # a stale pin: nothing listens there any more
    r = net.run("--format", "json")
    expect(r, "hosts-file-override", 1)


def test_vpc_endpoint_bypassed(world: World) -> None:
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp()
    net.aws(PRIVATE_STS, ("sts.amazonaws.com", STS)).aws(AWS_ADDRESS, ("iam.amazonaws.com", AMP))
    r = net.run("--vpc-endpoints", "--format", "json")
    expect(r, "vpc-endpoint-bypassed", 1)


@pytest.mark.parametrize("how", ["refused", "blackholed"])
def test_endpoint_unreachable(world: World, how: str) -> None:
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp()
    net.aws(AWS_ADDRESS, ("sts.amazonaws.com", STS, "iam.amazonaws.com"))
    world.dns(AMP, "A", "52.94.7.7")
    if how == "refused":
        world.address("52.94.7.7")
    else:
        net.blackhole("52.94.7.7")
    r = net.run("--format", "json")
    expect(r, "endpoint-unreachable", 1)
    [f] = findings(r, "connectivity.endpoint-unreachable")
    assert AMP in f["message"], f


@pytest.mark.parametrize("how", ["dead", "refuse"])
def test_proxy_misconfigured(world: World, how: str) -> None:
    net = healthy(world)
    if how == "dead":
        world.address(PROXY)
    else:
        net.proxy(PROXY, mode="refuse")
    world.env(HTTPS_PROXY=f"http://{PROXY}:3128")
    r = net.run("--format", "json")
    expect(r, "proxy-misconfigured", 1)


def test_proxy_gets_instance_metadata_traffic(world: World) -> None:
    net = NetWorld(world).instance_role().aws().trust_system("amazon").ntp().proxy(PROXY)
    world.env(HTTP_PROXY=f"http://{PROXY}:3128", HTTPS_PROXY=f"http://{PROXY}:3128", NO_PROXY="localhost")
    r = net.run("--format", "json")
    assert r.rc == 1 and "proxy-misconfigured" in [c for c, _ in causes(r)], r.describe()
    assert any("169.254.169.254" in f["message"] for f in findings(r, "connectivity.proxy-misconfigured"))
    r.assert_no_secrets()
    # botocore fetches IMDS through the proxy and gets nothing: the credentials probe names the proxy as the
    # reason the chain came up empty, so the proxy ranks above the no-credentials symptom.
    assert any("169.254.169.254" in f["message"] for f in findings(r, "credentials.proxy-misconfigured"))
    expect(r, "proxy-misconfigured", 1)


@pytest.mark.parametrize("how", ["other-ca", "hostname-mismatch", "expired"])
def test_tls_untrusted(world: World, how: str) -> None:
    net = NetWorld(world).agent_keys().trust_system("amazon").ntp()
    net.aws(ca="other" if how == "other-ca" else "amazon", expired=how == "expired",
            cert_names=("logs.eu-west-1.amazonaws.com",) if how == "hostname-mismatch" else None)
    r = net.run("--format", "json")
    expect(r, "tls-untrusted", 1)


def test_tls_intercepted_by_a_ca_in_aws_ca_bundle(world: World) -> None:
    net = NetWorld(world).agent_keys().aws(ca="corp").trust_system("amazon").ntp()
    net.ca_bundle_env("amazon", "corp")
    r = net.run("--format", "json")
    expect(r, "tls-intercepted", 0)
