"""End to end, in the namespace world: the two cases where the probes used to read AWS's answer differently from
`decode` (issue 11). The real `sigdoctor run` against the SigV4-verifying fake AWS (tests/fakes/aws_api.py):

* a TLS-inspecting corporate proxy rewrites a signed header on every AWS request, STS included: STS answers
  `SignatureDoesNotMatch` with its canonical request, which shows the rewritten header — the first cause is
  `request-modified-after-signing`, not a secret key that is fine;
* the remote-write URL names a workspace that does not exist, while the policy allows `aps:RemoteWrite` on
  `workspace/*` (so IAM simulation allows it): AMP's own `404 ResourceNotFoundException` makes it
  `target-not-found` — not a run without a cause and exit 0.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.test_signature_world import AMP_HOST, AMP_URL, Scenario
from tests.fakes.aws_policy import Policy
from tests.world import Result, World

MISSING_URL = f"https://{AMP_HOST}/workspaces/ws-gone/api/v1/remote_write"


def _causes(r: Result) -> list[str]:
    return [c["id"] for c in r.json["root_causes"]]


def _findings(r: Result, probe: str) -> list[dict[str, Any]]:
    return next(p for p in r.json["probes"] if p["id"] == probe)["findings"]


def test_proxy_rewriting_a_signed_header_of_sts_is_not_a_wrong_secret_key(world: World) -> None:
    s = Scenario(world)
    allow_all = Policy("all", {"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    key = s.fake.add_user("agent", [allow_all])
    r, _ = s.agent(key).run("run", "--target", AMP_URL, "--format", "json",
                            rewrite={"content-type": "application/json", "__sts__": "proxied"})
    assert r.rc == 1, r.describe()
    causes = _causes(r)
    assert causes and causes[0] == "request-modified-after-signing", r.describe()
    assert "secret-key-mismatch" not in causes, r.describe()
    identity = {f["id"]: f for f in _findings(r, "identity")}
    assert "identity.secret-key-mismatch" not in identity, r.describe()
    found = identity["identity.request-modified-after-signing"]
    # The evidence is AWS's own canonical request against ours: the rewritten header, both values.
    assert [d["component"] for d in found["evidence"]["differences"]] == ["header content-type"], r.describe()
    assert "content-type" in found["message"]
    r.assert_no_secrets()


def test_remote_write_to_a_workspace_that_does_not_exist(world: World) -> None:
    s = Scenario(world)
    # What IAM simulation sees: RemoteWrite allowed on every workspace; the workspace itself is not there.
    writer = Policy("amp-writer", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": "arn:aws:aps:us-east-1:*:workspace/*"},
        {"Effect": "Allow", "Action": ["iam:SimulatePrincipalPolicy", "iam:GetRole", "iam:GetUser"],
         "Resource": "*"}]})
    key = s.fake.add_user("agent", [writer])
    r, writes = s.agent(key).run("run", "--target", MISSING_URL, "--format", "json")
    assert r.rc == 1, r.describe()
    assert _causes(r)[:1] == ["target-not-found"], r.describe()
    sig = {f["id"]: f for f in _findings(r, "signature")}
    assert sig["signature.target-not-found"]["status"] == "fail", r.describe()
    assert "Workspace not found" in sig["signature.target-not-found"]["message"], r.describe()
    assert writes and all(w["status"] == 404 for w in writes), writes
    r.assert_no_secrets()
