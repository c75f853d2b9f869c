#!/usr/bin/env python3
"""An AMP remote-write front end for the realistic pod world, serving while a command runs.

In that world STS is moto (tests/world/servers/sts.py): it hands IRSA's AssumeRoleWithWebIdentity a session whose
secret only moto knows. This front end (tests/fakes/aws_api.py's FakeAws, workspace ws-1 in us-east-1) therefore
accepts any well-formed SigV4 request for `aps` from a temporary key with its session token and a time within AWS's
15 minutes, as the session of an `amp-ingest` role allowed aps:RemoteWrite; the body must be snappy as AMP wants.
TLS: its own CA (issuer O=Amazon), appended to the trust the world already has, in AWS_CA_BUNDLE for the command.

Usage: python bench/amp_fake.py --listen HOST:PORT --tls-name NAME… --calls-out FILE -- COMMAND…
"""

from __future__ import annotations

import argparse
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.aws_api import ACCOUNT, AwsError, FakeAws, Key, _Req
from tests.fakes.aws_policy import Policy

_AUTH = re.compile(r"^AWS4-HMAC-SHA256 Credential=(ASIA[A-Z0-9]{12,})/(\d{8})/([a-z0-9-]+)/aps/aws4_request,\s*"
                   r"SignedHeaders=([^,\s]+),\s*Signature=[0-9a-f]{64}$")
WORKSPACE = "ws-1"
REGION = "us-east-1"


class AmpFrontEnd(FakeAws):
    def __init__(self) -> None:
        super().__init__(ACCOUNT)
        allow = Policy("amp", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["aps:RemoteWrite"],
             "Resource": f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/{WORKSPACE}"}]})
        self.role = self.add_role("amp-ingest", [allow])
        self.add_workspace(WORKSPACE, REGION)

    def _verify(self, req: _Req, service: str) -> Key:
        auth = req.headers.get("authorization")
        if not auth:
            raise AwsError(403, "MissingAuthenticationToken", "Missing Authentication Token")
        m = _AUTH.match(auth.strip())
        if not m or "host" not in m.group(4).split(";") or not req.headers.get("x-amz-security-token"):
            raise AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        if not req.headers.get("x-amz-date", "").startswith(m.group(2)):
            raise AwsError(403, "SignatureDoesNotMatch", "credential date and x-amz-date differ")
        return Key(m.group(1), "", req.headers["x-amz-security-token"],
                   f"arn:aws:sts::{ACCOUNT}:assumed-role/amp-ingest/session", self.role)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="amp_fake")
    ap.add_argument("--listen", required=True)
    ap.add_argument("--tls-name", action="append", default=[])
    ap.add_argument("--calls-out", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    import certifi
    import trustme

    ca = trustme.CA(organization_name="Amazon", organization_unit_name="Server CA 1B")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*args.tls_name).configure_cert(ctx)
    # A real front end's listen backlog, not the standard library's 5 (see bench/run.py LAUNCH).
    ThreadingHTTPServer.request_queue_size = 128
    fake = AmpFrontEnd()
    host, _, port = args.listen.rpartition(":")
    with tempfile.TemporaryDirectory(prefix="amp-fake-") as tmp:
        bundle = os.path.join(tmp, "ca-bundle.pem")
        base = os.environ.get("AWS_CA_BUNDLE") or certifi.where()
        with open(base, "rb") as src, open(bundle, "wb") as dst:
            dst.write(src.read() + b"\n" + ca.cert_pem.bytes())
        fake.start(host, int(port), ctx)
        try:
            rc = subprocess.run(command, env={**os.environ, "AWS_CA_BUNDLE": bundle}).returncode
        finally:
            fake.stop()
            with open(args.calls_out, "w", encoding="utf-8") as f:
                json.dump({"calls": fake.calls}, f)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
