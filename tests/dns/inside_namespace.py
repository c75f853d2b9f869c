"""The dns probe for real, inside `unshare -rnm`: real getaddrinfo, real /etc/resolv.conf, /etc/hosts and
nsswitch.conf (bind-mounted over the namespace's view only), and the fake DNS on 127.0.0.53:53.

    unshare -rnm -- python -m tests.dns.inside_namespace      # prints one JSON document

Only loopback exists in here: nothing can leave the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sigdoctor.context import Context
from sigdoctor.probes.dns import run_dns
from tests.fakes.dns import FakeDns

NAMESERVER = "127.0.0.53"
STS = "sts.us-east-1.amazonaws.com"
APS = "aps-workspaces.us-east-1.amazonaws.com"
LOGS = "logs.us-east-1.amazonaws.com"
PINNED = "monitoring.us-east-1.amazonaws.com"
SILENT = "xray.us-east-1.amazonaws.com"
VPCE = "vpce-0abc123-xyz.aps-workspaces.us-east-1.vpce.amazonaws.com"


def _bind(content: str, target: str, scratch: Path) -> None:
    src = scratch / Path(target).name
    src.write_text(content)
    real = os.path.realpath(target)  # a symlinked /etc/resolv.conf: cover what it points to
    if not os.path.exists(real):
        raise SystemExit(f"cannot bind over {target}: {real} does not exist")
    subprocess.run(["mount", "--bind", str(src), real], check=True, capture_output=True)


def main() -> int:
    if os.environ.get("SIGDOCTOR_IN_NAMESPACE") != "1":
        print("run me inside `unshare -rnm` with SIGDOCTOR_IN_NAMESPACE=1", file=sys.stderr)
        return 2
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
    scratch = Path(tempfile.mkdtemp(prefix="dns-ns-"))
    _bind(f"nameserver {NAMESERVER}\nsearch corp.example\noptions timeout:1 attempts:1\n", "/etc/resolv.conf",
          scratch)
    _bind(f"127.0.0.1 localhost\n::1 localhost\n10.9.9.9 {PINNED}\n", "/etc/hosts", scratch)
    _bind("hosts: files dns\n", "/etc/nsswitch.conf", scratch)
    with FakeDns(NAMESERVER, 53) as ns:
        ns.a(STS, "52.94.0.20", ttl=30).aaaa(STS, "2600:1f18::20")
        ns.cname(APS, VPCE, ttl=300).a(VPCE, "10.0.1.5", ttl=60)
        ns.a("iam.amazonaws.com", "52.94.2.2")
        ns.nxdomain(LOGS)
        ns.silent(SILENT)
        ns.a(PINNED, "52.94.3.3")
        ctx = Context(env={"HOME": str(scratch), "AWS_CONFIG_FILE": "/dev/null",
                           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"},
                      region="us-east-1",
                      targets=[f"https://{APS}/workspaces/ws-1/api/v1/remote_write", f"https://{LOGS}/",
                               f"https://{PINNED}/", f"https://{SILENT}/"])
        out = run_dns(ctx, {})
        queries = list(ns.queries)
    print(json.dumps({
        "status": str(out.status), "summary": out.summary,
        "findings": [{"id": f.id, "status": str(f.status), "message": f.message} for f in out.findings],
        "dns": out.data["dns"], "queries": queries,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
