"""End to end: the real `sigdoctor run` in the namespace world, with the SigV4-verifying fake AWS
(tests/fakes/aws_api.py) serving STS, IAM and AMP over TLS on a "public" address under their real names.

One scenario per way a signature goes wrong that a user can set up on a real host: a healthy agent, a wrong secret
key, a `--service` override, and a TLS-intercepting corporate proxy (HTTPS_PROXY, its CA in AWS_CA_BUNDLE) that
rewrites a signed header — the proxy runs inside the namespace, in front of sigdoctor (see `_SIGDOCTOR`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests.fakes.aws_api import FakeAws, Key
from tests.fakes.aws_policy import Policy
from tests.world import REPO_ROOT, Result, World

FAKE_ADDRESS = "52.94.0.41"
AMP_HOST = "aps-workspaces.us-east-1.amazonaws.com"
NAMES = ("sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.us-west-2.amazonaws.com", "iam.amazonaws.com",
         AMP_HOST)
AMP_URL = f"https://{AMP_HOST}/workspaces/ws-1/api/v1/remote_write"
_LAUNCH = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); from tests.fakes.aws_api import main; "
           "sys.exit(main(sys.argv[1:]))")
# Runs the real CLI. With a rewrite spec (argv[1], JSON), a TLS-intercepting proxy that
# applies it starts first, and the agent's environment points at it, trusting its CA, as on a corporate network.
_SIGDOCTOR = f"""
import json, os, sys, tempfile
sys.path.insert(0, {str(REPO_ROOT)!r})
rewrite = json.loads(sys.argv[1])
# STS and IAM bypass the proxy unless the scenario sends them through it too ("__sts__": "proxied").
no_proxy = "" if rewrite.pop("__sts__", None) == "proxied" else \
    "sts.amazonaws.com,sts.us-east-1.amazonaws.com,iam.amazonaws.com"
proxy = None
if rewrite:
    import trustme
    from tests.fakes.proxy import ForwardProxy
    corp = trustme.CA(organization_name="Corp TLS inspection")
    bundle = os.path.join(tempfile.mkdtemp(), "corp-bundle.pem")
    with open(os.environ["AWS_CA_BUNDLE"], "rb") as src, open(bundle, "wb") as dst:
        dst.write(src.read() + b"\\n" + corp.cert_pem.bytes())
    proxy = ForwardProxy("rewrite", resolve=True, rewrite=rewrite, mitm=corp).start()
    os.environ.update(HTTPS_PROXY=proxy.url, AWS_CA_BUNDLE=bundle, NO_PROXY=no_proxy)
from sigdoctor.cli import main
try:
    rc = main(sys.argv[2:])
finally:
    if proxy is not None:
        proxy.stop()
        print(json.dumps({{"forwarded": proxy.forwarded}}), file=sys.stderr)
sys.exit(rc)
"""
ALL = Policy("all", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


class Scenario:
    def __init__(self, world: World) -> None:
        self.world = world
        self.fake = FakeAws()
        self.fake.add_workspace("ws-1")
        world.address(FAKE_ADDRESS)
        for n in NAMES:
            world.dns(n, "A", FAKE_ADDRESS)
        world.env(AWS_REGION="us-east-1")

    def agent(self, key: Key, *, secret: str | None = None) -> Scenario:
        """The agent's credentials, in the environment as the agent has them."""
        self.world.env(AWS_ACCESS_KEY_ID=key.access_key_id, AWS_SECRET_ACCESS_KEY=secret or key.secret)
        self.world.secret(key.secret, *([secret] if secret else []))
        if key.token:
            self.world.env(AWS_SESSION_TOKEN=key.token)
            self.world.secret(key.token)
        return self

    def run(self, *args: str, rewrite: dict[str, str] | None = None) -> tuple[Result, list[dict[str, Any]]]:
        n = len(list(self.world.dir.glob("fake-*.json")))
        config, seen = (self.world.dir / f"fake-{n}-{x}.json" for x in ("config", "seen"))
        config.write_text(json.dumps(self.fake.to_config()))
        argv = [sys.executable, "-c", _LAUNCH, "--config", str(config), "--listen", f"{FAKE_ADDRESS}:443",
                *[a for name in NAMES for a in ("--tls-name", name)], "--calls-out", str(seen), "--",
                sys.executable, "-c", _SIGDOCTOR, json.dumps(rewrite or {}), *args]
        r = self.world.run_cmd(argv, timeout=60)
        fake_seen = json.loads(seen.read_text()) if seen.exists() else {"calls": [], "issued_secrets": []}
        r.secrets.extend(fake_seen["issued_secrets"])
        # The remote writes (POST); the clock and connectivity probes only look at the front door (GET/HEAD).
        return r, [c for c in fake_seen["calls"] if c["service"] == "aps" and c["method"] == "POST"]


def _probe(r: Result) -> dict[str, Any]:
    return next(p for p in r.json["probes"] if p["id"] == "signature")


def _top(r: Result) -> str | None:
    causes = r.json["root_causes"]
    return causes[0]["id"] if causes else None


def test_healthy_agent_signature_is_accepted(world: World) -> None:
    s = Scenario(world)
    key = s.fake.add_user("agent", [ALL])
    r, writes = s.agent(key).run("run", "--target", AMP_URL, "--format", "json")
    p = _probe(r)
    assert p["status"] == "pass", r.describe()
    [row] = p["data"]["signature"]
    assert (row["url"], row["signing_region"], row["signing_service"], row["status"]) == (
        AMP_URL, "us-east-1", "aps", "accepted")
    # One write: ours (the permissions probe simulated, so it sent none).
    assert [w["status"] for w in writes] == [200]
    assert not {"secret-key-mismatch", "request-modified-after-signing"} & {c["id"] for c in r.json["root_causes"]}
    r.assert_no_secrets()


def test_wrong_secret_key(world: World) -> None:
    s = Scenario(world)
    key = s.fake.add_user("agent", [ALL])
    r, _ = s.agent(key, secret=key.secret[:-3] + "xyz").run("run", "--target", AMP_URL, "--format", "json")
    assert r.rc == 1 and _top(r) == "secret-key-mismatch", r.describe()
    assert any(f["id"] == "signature.secret-key-mismatch" for f in _probe(r)["findings"]), r.describe()
    r.assert_no_secrets()


def test_service_override_names_the_right_signing_name(world: World) -> None:
    s = Scenario(world)
    key = s.fake.add_user("agent", [ALL])
    r, _ = s.agent(key).run("run", "--target", AMP_URL, "--service", "aps-workspaces", "--format", "json")
    assert r.rc == 1, r.describe()
    causes = [c["id"] for c in r.json["root_causes"]]
    assert "service-name-mismatch" in causes, r.describe()
    [f] = [f for f in _probe(r)["findings"] if f["id"] == "signature.service-name-mismatch"]
    assert f["evidence"]["expected_service"] == "aps"


def test_region_flag_other_than_the_endpoints(world: World) -> None:
    s = Scenario(world)
    key = s.fake.add_user("agent", [ALL])
    r, _ = s.agent(key).run("run", "--target", AMP_URL, "--region", "us-west-2", "--format", "json")
    assert r.rc == 1 and "region-mismatch" in [c["id"] for c in r.json["root_causes"]], r.describe()
    [row] = _probe(r)["data"]["signature"]
    assert row["signing_region"] == "us-west-2"
    [f] = [f for f in _probe(r)["findings"] if f["id"] == "signature.region-mismatch"]
    assert (f["evidence"]["signed_region"], f["evidence"]["endpoint_region"]) == ("us-west-2", "us-east-1")


def test_intercepting_proxy_that_rewrites_a_signed_header(world: World) -> None:
    s = Scenario(world)
    key = s.fake.add_session(s.fake.add_role("agent-role", [ALL]))
    r, writes = s.agent(key).run("run", "--target", AMP_URL, "--only", "credentials", "--only", "signature",
                                 "--no-color", "-v", rewrite={"content-type": "application/json"})
    out = " ".join(r.stdout.split())
    assert r.rc == 1, r.describe()
    assert "request-modified-after-signing" in out or "changed" in out, r.describe()
    assert "header content-type" in out, r.describe()
    assert "- content-type:application/json" in r.stdout, r.describe()
    assert writes and all(w["status"] == 403 for w in writes), writes
    assert f"POST {AMP_HOST}" in r.stderr, r.describe()
    r.assert_no_secrets()
