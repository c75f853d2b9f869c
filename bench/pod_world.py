"""The world most users have (issue 14): an EKS pod with IRSA, where IMDS is silently dropped, Amazon Time Sync
answers, public NTP is blocked by egress rules, and STS and AMP answer.

* DMI says EC2 (the node is an instance), Kubernetes' service variables are set, AWS_REGION/AWS_DEFAULT_REGION as
  the pod identity webhook injects them, and IRSA: AWS_ROLE_ARN + a projected token file + regional STS.
* STS and IAM: moto over TLS at 52.94.0.20 (tests/world/servers/sts.py), the role and the cluster's OIDC provider
  created there first.
* AMP remote_write: bench/amp_fake.py at 52.94.0.40 (aps-workspaces.us-east-1.amazonaws.com).
* IMDS 169.254.169.254:80 drops SYNs (hop limit 1 or a NetworkPolicy: no RST, connect waits); Amazon Time Sync
  169.254.169.123 answers NTP at stratum 2 (refid AMZN); time.aws.com and pool.ntp.org resolve, and UDP 123 to them
  is read and never answered (an egress rule dropping it).
Everything inside `unshare -rnm`: no packet leaves the machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.world import ACCOUNT, World

REPO = Path(__file__).resolve().parents[1]
AMP_ADDRESS = "52.94.0.40"
AMP_NAME = "aps-workspaces.us-east-1.amazonaws.com"
AMP_URL = f"https://{AMP_NAME}/workspaces/ws-1/api/v1/remote_write"
OIDC = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
# Where the public NTP names resolve in this world (UDP 123 to them is dropped).
PUBLIC_NTP = {"time.aws.com": "52.94.0.123", "pool.ntp.org": "162.159.200.123"}
READY = "127.0.0.1:7998"


def pod_world(tmp: Path) -> World:
    return build(World(tmp / "pod"))


def build(w: World, *, sts_faults: dict[str, str] | None = None, sts_delays: dict[str, float] | None = None) -> World:
    """The pod world in `w` (a fresh World; tests/e2e passes its fixture's). `sts_faults` adds STS faults to the
    one the world has (IAM refusing the policy simulation); `sts_delays` holds answers back (servers/sts.py)."""
    w.ec2(True)
    w.env(AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", KUBERNETES_SERVICE_HOST="10.100.0.1",
          KUBERNETES_SERVICE_PORT="443", HOSTNAME="prometheus-agent-0")
    # The agent's role may write to AMP and nothing else: IAM refuses it the policy simulation (moto has none).
    w.sts(faults={"SimulatePrincipalPolicy": "AccessDenied", **(sts_faults or {})},
          delays=sts_delays).tls_issuer("Amazon", "Server CA 1B")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC.removeprefix('https://')}"}}]}
    role = w.sts_role("amp-ingest", trust, oidc_issuer=OIDC)
    w.web_identity(role)
    w.time_sync(0.0)
    w.address(AMP_ADDRESS).dns(AMP_NAME, "A", AMP_ADDRESS)
    w.address("169.254.169.254", *PUBLIC_NTP.values())
    for name, ip in PUBLIC_NTP.items():
        w.dns(name, "A", ip)
    holes = ["tcp:169.254.169.254:80", *[f"udp:{ip}:123" for ip in PUBLIC_NTP.values()]]
    w.process([sys.executable, str(REPO / "bench" / "blackholes.py"), READY, *holes], ready=READY, name="blackholes")
    return w


def amp_launcher(rundir: Path) -> list[str]:
    """The prefix that serves AMP while the rest of the argv (the timer) runs."""
    return [sys.executable, str(REPO / "bench" / "amp_fake.py"), "--listen", f"{AMP_ADDRESS}:443",
            "--tls-name", AMP_NAME, "--calls-out", str(rundir / "amp-calls.json"), "--"]


def amp_calls(rundir: Path) -> list[dict[str, object]]:
    p = rundir / "amp-calls.json"
    return list(json.loads(p.read_text())["calls"]) if p.exists() else []
