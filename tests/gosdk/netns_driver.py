"""Runs the real SDKs over the matrix, inside `unshare -rn`: a network namespace where only loopback exists.

The fakes listen on the addresses the SDKs hard-code (IMDS 169.254.169.254, ECS 169.254.170.2, Pod Identity
169.254.170.23, all put on `lo`) and on 127.0.0.1 ports the cases point at. Nothing can leave the machine, even if
an old SDK ignores an override.

    unshare -rn python -m tests.gosdk.netns_driver SPEC.json  →  JSON results on stdout

SPEC: {"binaries": {"v1": path, "v2": path}, "python": path, "cases": [{"id", "env", "runs": [[name, argv...]]}]}
A run named "botocore" runs botocore's chain in the case's environment (argv: an optional session profile).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ADDRESSES = ("169.254.169.254", "169.254.170.2", "169.254.170.23")
IMDS_ALT_PORT = 8001  # 127.0.0.1: IMDS through AWS_EC2_METADATA_SERVICE_ENDPOINT
CONTAINER_PORT = 8002  # 127.0.0.1: a loopback container endpoint (full URI)
STS_PORT = 8003  # 127.0.0.1: STS for web identity and assume role
CLOSED_PORT = 8009  # nothing listens: an endpoint that does not answer
POD_TOKEN = "pod-identity-token-for-tests"
CONTAINER_TOKEN = "container-token-for-tests"

CREDS = {
    "AccessKeyId": "ASIAFAKEFAKEFAKEFAKE",
    "SecretAccessKey": "fake-secret-for-the-sdk-matrix",
    "Token": "fake-session-token-for-the-sdk-matrix",
    "Expiration": "2099-01-01T00:00:00Z",
}
BOTOCORE = """
import json, sys
try:
    import botocore.session
    c = botocore.session.Session(profile=(sys.argv[1:] or [None])[0]).get_credentials()
    print(json.dumps({"source": c.method if c else None, "error": None}))
except Exception as e:
    print(json.dumps({"source": None, "error": f"{type(e).__name__}: {e}"}))
"""

_STS_XML = """<{a}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{a}Result><Credentials>
<AccessKeyId>{AccessKeyId}</AccessKeyId><SecretAccessKey>{SecretAccessKey}</SecretAccessKey>
<SessionToken>{Token}</SessionToken><Expiration>{Expiration}</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId>
</AssumedRoleUser></{a}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{a}Response>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str, ctype: str = "text/plain", headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        if self.path == "/latest/api/token":
            self._send(200, "imds-token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        else:
            self._send(404, "")

    def do_GET(self) -> None:
        host = self.headers.get("Host", "").split(":")[0]
        role_path = "/latest/meta-data/iam/security-credentials/"
        creds = json.dumps(CREDS)
        if self.path == role_path:
            self._send(200, "agent-role")
        elif self.path == role_path + "agent-role":
            body = {"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC", **CREDS}
            self._send(200, json.dumps(body), "application/json")
        elif host == "169.254.170.23" or self.path.startswith("/pod/"):
            ok = self.headers.get("Authorization") == POD_TOKEN
            self._send(200 if ok else 401, creds if ok else '{"message":"missing token"}', "application/json")
        elif self.path.startswith("/auth/"):
            ok = self.headers.get("Authorization") == CONTAINER_TOKEN
            self._send(200 if ok else 401, creds if ok else '{"message":"missing token"}', "application/json")
        elif self.path.startswith("/v2/credentials/") or self.path.startswith("/open/"):
            self._send(200, creds, "application/json")
        else:
            self._send(404, "")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        action = (form.get("Action") or [""])[0]
        if action in ("AssumeRole", "AssumeRoleWithWebIdentity"):
            self._send(200, _STS_XML.format(a=action, **CREDS), "text/xml")
        else:
            self._send(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>", "text/xml")


def _serve(address: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# A real SDK's read from these loopback fakes cut by its own transport (a CI machine busy enough that the SDK's
# deadline fires mid-body): a fault of the harness, not an answer of the chain under test — that run is tried again.
_TRANSPORT_CUT = ("use of closed network connection", "connection reset by peer")


def _run(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = _run_once(argv, env)
    if out.get("source") is None and any(cut in str(out.get("error") or "") for cut in _TRANSPORT_CUT):
        out = _run_once(argv, env)
    return out


def _run_once(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    try:
        p = subprocess.run(argv, env=env, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"source": None, "error": "harness timed out"}
    try:
        out: dict[str, Any] = json.loads(p.stdout.decode().strip().splitlines()[-1])
        return out
    except (ValueError, IndexError):
        return {"source": None, "error": f"harness failed rc={p.returncode}: {p.stderr.decode()[-500:]}"}


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for a in ADDRESSES:
        subprocess.run(["ip", "addr", "add", f"{a}/32", "dev", "lo"], check=True)
    servers = [_serve(a, 80) for a in ADDRESSES]
    servers += [_serve("127.0.0.1", p) for p in (IMDS_ALT_PORT, CONTAINER_PORT, STS_PORT)]
    results: dict[str, dict[str, Any]] = {}
    try:
        for case in spec["cases"]:
            out: dict[str, Any] = {}
            for name, *args in case["runs"]:
                if name == "botocore":
                    argv = [spec["python"], "-c", BOTOCORE, *args]
                else:
                    argv = [spec["binaries"][name.split(":")[0]], *args]
                out[name] = _run(argv, case["env"])
            results[case["id"]] = out
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
