"""A small SigV4-verifying fake of the AWS APIs sigdoctor talks to, for what moto lacks.

Every request's signature is recomputed with botocore's own signer from the secret of a known key, so a wrong
secret, an unknown key, a missing session token or a stale X-Amz-Date is answered the way AWS answers it, in each
protocol's real error format:
* query protocol (STS, IAM): `<ErrorResponse><Error><Code>…` XML;
* JSON 1.1 (CloudWatch Logs): `{"__type": "…", "message": "…"}`;
* AMP (API Gateway front end): `{"message": "…"}` with `x-amzn-ErrorType`, and on a signature mismatch the canonical
  request and string to sign AWS expected, in AMP's wording (what the signature probe diffs against).

Implemented: `sts:GetCallerIdentity`, `sts:AssumeRole`, `iam:SimulatePrincipalPolicy` (backed by a real policy
evaluator, tests/fakes/aws_policy.py), `iam:GetRole`, AMP `remote_write`, `logs:DescribeLogStreams`.

    fake = FakeAws()
    key = fake.add_user("agent", policies=[Policy("amp", {...})])        # -> Key(access_key_id, secret)
    fake.add_workspace("ws-1", region="us-east-1")
    with fake.serving() as url:                                         # http://127.0.0.1:PORT
        ...
    fake.calls  # [{"service": "iam", "operation": "SimulatePrincipalPolicy", "host": ..., "status": 200, ...}]

Run standalone (for the namespace world): `python -m tests.fakes.aws_api --config FAKE.json --listen ADDR:443
--tls-name iam.amazonaws.com ... --calls-out CALLS.json -- COMMAND...` serves while COMMAND runs (with
AWS_CA_BUNDLE extended by the fake's CA), then writes what it saw and exits with COMMAND's code.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import secrets
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.fakes.aws_policy import ALLOWED, EXPLICIT_DENY, Evaluation, Policy, evaluate, trust_allows
from tests.fakes.tls_accept import HandshakeInThread

ACCOUNT = "123456789012"
SIGV4_TIME = "%Y%m%dT%H%M%SZ"
SKEW_LIMIT_S = 15 * 60
NS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/", "iam": "https://iam.amazonaws.com/doc/2010-05-08/"}
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
_AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
                      r"SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$")
_AMP_PATH = re.compile(r"^/workspaces/([^/]+)/api/v1/remote_write/?$")
_HOST_REGION = re.compile(r"^[a-z0-9-]+\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.")


def _rand(n: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass
class Key:
    access_key_id: str
    secret: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    caller_arn: str = ""     # as GetCallerIdentity shows it
    principal_arn: str = ""  # the IAM user or role whose policies apply
    user_id: str = ""


@dataclass
class Principal:
    arn: str
    name: str
    kind: str  # user | role
    path: str = "/"
    policies: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    trust: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: "AROA" + _rand(17))


class AwsError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Req:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    raw_headers: list[tuple[str, str]]
    body: bytes
    scheme: str

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


class FakeAws:
    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account
        self.principals: dict[str, Principal] = {}
        self.keys: dict[str, Key] = {}
        self.workspaces: set[tuple[str, str]] = set()
        self.log_groups: set[tuple[str, str]] = set()
        self.buckets: set[str] = set()
        self.domains: set[tuple[str, str]] = set()  # OpenSearch (region, domain)
        self.streams: set[tuple[str, str]] = set()  # Kinesis data streams
        self.delivery_streams: set[tuple[str, str]] = set()  # Firehose
        self.scps: list[Policy] = []
        self.calls: list[dict[str, Any]] = []
        self.issued_secrets: list[str] = []
        # Seconds added to the fake's clock (a fake AWS whose time differs from ours).
        self.clock_offset = 0.0
        # Per "service.Operation": an error code answered instead (e.g. {"iam.SimulatePrincipalPolicy": "Throttling"}).
        self.faults: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- state -------------------------------------------------------------------------------------------------
    def add_user(self, name: str, policies: list[Policy] | None = None, *, path: str = "/",
                 boundary: Policy | None = None, key_id: str | None = None, secret: str | None = None) -> Key:
        arn = f"arn:aws:iam::{self.account}:user{path}{name}"
        self.principals[arn] = Principal(arn, name, "user", path, list(policies or []), boundary,
                                         id="AIDA" + _rand(17))
        key = Key(key_id or "AKIA" + _rand(16), secret or _rand(40, string.ascii_letters + string.digits + "/+"),
                  None, arn, arn, self.principals[arn].id)
        self.keys[key.access_key_id] = key
        return key

    def add_root(self) -> Key:
        """The account root user's keys: no IAM policy limits it (SCPs aside)."""
        arn = f"arn:aws:iam::{self.account}:root"
        everything = Policy("root", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "none")
        self.principals[arn] = Principal(arn, "root", "root", "/", [everything], id=self.account)
        key = Key("AKIA" + _rand(16), _rand(40, string.ascii_letters + string.digits + "/+"), None, arn, arn,
                  self.account)
        self.keys[key.access_key_id] = key
        return key

    def add_role(self, name: str, policies: list[Policy] | None = None, *, path: str = "/",
                 boundary: Policy | None = None, trust: dict[str, Any] | None = None) -> str:
        arn = f"arn:aws:iam::{self.account}:role{path}{name}"
        self.principals[arn] = Principal(arn, name, "role", path, list(policies or []), boundary, trust)
        return arn

    def add_session(self, role_arn: str, session: str = "agent-session") -> Key:
        """Temporary credentials of an assumed-role session (as IRSA, IMDS or AssumeRole would hand out)."""
        role = self.principals[role_arn]
        key = Key("ASIA" + _rand(16), _rand(40, string.ascii_letters + string.digits + "/+"),
                  "IQoJb3JpZ2luX2VjE" + _rand(180, string.ascii_letters + string.digits + "/+"),
                  f"arn:aws:sts::{self.account}:assumed-role/{role.name}/{session}", role_arn,
                  f"{role.id}:{session}")
        self.keys[key.access_key_id] = key
        self.issued_secrets += [key.secret, key.token or ""]
        return key

    def add_workspace(self, workspace: str, region: str = "us-east-1") -> None:
        self.workspaces.add((region, workspace))

    def add_log_group(self, name: str, region: str = "us-east-1") -> None:
        self.log_groups.add((region, name))

    def add_bucket(self, name: str) -> None:
        self.buckets.add(name)

    def add_domain(self, name: str, region: str = "us-east-1") -> None:
        self.domains.add((region, name))

    def add_stream(self, name: str, region: str = "us-east-1") -> None:
        self.streams.add((region, name))

    def add_delivery_stream(self, name: str, region: str = "us-east-1") -> None:
        self.delivery_streams.add((region, name))

    def now(self) -> float:
        return time.time() + self.clock_offset

    # ---- config for a standalone run ---------------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        def pol(p: Policy | None) -> dict[str, Any] | None:
            return None if p is None else {"id": p.id, "type": p.type, "document": p.document}

        return {
            "account": self.account,
            "principals": [{"arn": p.arn, "name": p.name, "kind": p.kind, "path": p.path, "id": p.id,
                            "policies": [pol(x) for x in p.policies], "boundary": pol(p.boundary),
                            "trust": p.trust} for p in self.principals.values()],
            "keys": [vars(k) for k in self.keys.values()],
            "workspaces": sorted(self.workspaces), "log_groups": sorted(self.log_groups),
            "buckets": sorted(self.buckets), "streams": sorted(self.streams),
            "delivery_streams": sorted(self.delivery_streams), "domains": sorted(self.domains),
            "scps": [pol(x) for x in self.scps], "clock_offset": self.clock_offset, "faults": self.faults,
        }

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> FakeAws:
        def pol(d: dict[str, Any] | None) -> Policy | None:
            return None if d is None else Policy(d["id"], d["document"], d.get("type", "user-managed"))

        fake = cls(cfg.get("account", ACCOUNT))
        for p in cfg.get("principals", []):
            fake.principals[p["arn"]] = Principal(p["arn"], p["name"], p["kind"], p.get("path", "/"),
                                                  [x for x in map(pol, p.get("policies", [])) if x],
                                                  pol(p.get("boundary")), p.get("trust"), p.get("id") or "AROA")
        for k in cfg.get("keys", []):
            fake.keys[k["access_key_id"]] = Key(**k)
        fake.workspaces = {tuple(w) for w in cfg.get("workspaces", [])}  # type: ignore[misc]
        fake.log_groups = {tuple(g) for g in cfg.get("log_groups", [])}  # type: ignore[misc]
        fake.buckets = set(cfg.get("buckets", []))
        fake.streams = {tuple(x) for x in cfg.get("streams", [])}  # type: ignore[misc]
        fake.delivery_streams = {tuple(x) for x in cfg.get("delivery_streams", [])}  # type: ignore[misc]
        fake.domains = {tuple(x) for x in cfg.get("domains", [])}  # type: ignore[misc]
        fake.scps = [x for x in map(pol, cfg.get("scps", [])) if x]
        fake.clock_offset = float(cfg.get("clock_offset", 0.0))
        fake.faults = dict(cfg.get("faults", {}))
        return fake

    # ---- serving -----------------------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the body waited for the client's delayed ACK
            # of the headers: +40 ms on every call after the first on a keep-alive connection. AWS has no such stall.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                req = _Req(self.command, path, query, {k.lower(): v for k, v in self.headers.items()},
                           list(self.headers.items()), body, "https" if ssl_context else "http")
                status, headers, data = fake.handle(req)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

        class Server(HandshakeInThread, ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            tls_context = ssl_context
            handshake_timeout = 10.0
            read_timeout = None

        self._server = Server((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-aws", daemon=True)
        self._thread.start()
        bound = self._server.server_address[1]
        return f"{'https' if ssl_context else 'http'}://{host}:{bound}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @contextlib.contextmanager
    def serving(self, host: str = "127.0.0.1", port: int = 0,
                ssl_context: ssl.SSLContext | None = None) -> Iterator[str]:
        url = self.start(host, port, ssl_context)
        try:
            yield url
        finally:
            self.stop()

    # ---- dispatch ----------------------------------------------------------------------------------------------
    def handle(self, req: _Req) -> tuple[int, dict[str, str], bytes]:
        service, params = _service_of(req)
        operation = params.get("Action") or req.headers.get("x-amz-target", "").rpartition(".")[2] or {
            "aps": "RemoteWrite" if req.method == "POST" and _AMP_PATH.match(req.path) else "",
            "s3": "ListObjectsV2" if req.method == "GET" and params.get("list-type") == "2" else "",
            "xray": "PutTelemetryRecords" if req.method == "POST" and req.path == "/TelemetryRecords" else "",
            "es": f"ESHttp{req.method.capitalize()}",
        }.get(service) or f"{req.method} {req.path}"
        # Unsigned requests (e.g. a clock probe reading the Date header) can change nothing: tests tell them apart.
        record: dict[str, Any] = {"service": service, "operation": operation, "host": req.host,
                                  "method": req.method, "path": req.path, "signed": "authorization" in req.headers}
        try:
            key = self._verify(req, service)
            record["caller"] = key.caller_arn
            fault = self.faults.get(f"{service}.{operation}")
            if fault:
                raise AwsError(400, fault, f"fault injected for {service}.{operation}")
            out = self._route(service, operation, params, req, key)
            record["status"] = out[0]
            return out
        except AwsError as e:
            record.update(status=e.status, error=e.code)
            return _error(service, e)
        finally:
            with self._lock:
                self.calls.append(record)

    def _route(self, service: str, operation: str, params: dict[str, str], req: _Req,
               key: Key) -> tuple[int, dict[str, str], bytes]:
        if service == "sts" and operation == "GetCallerIdentity":
            return self._get_caller_identity(key)
        if service == "sts" and operation == "AssumeRole":
            return self._assume_role(params, key)
        if service == "iam" and operation == "SimulatePrincipalPolicy":
            return self._simulate(params, key)
        if service == "iam" and operation == "GetRole":
            return self._get_role(params, key)
        if service == "aps":
            return self._remote_write(req, key)
        if service == "logs" and operation == "DescribeLogStreams":
            return self._describe_log_streams(req, key)
        if service == "s3":
            return self._list_objects(req, key)
        if service == "es":
            return self._es_get(req, key)
        if service == "xray" and req.path == "/TelemetryRecords":
            return self._put_telemetry_records(req, key)
        if service == "firehose" and operation == "DescribeDeliveryStream":
            return self._describe_json(req, key, "firehose", "DeliveryStreamName", "deliverystream",
                                       self.delivery_streams, "Firehose {} under account {} not found.")
        if service == "kinesis" and operation == "DescribeStreamSummary":
            return self._describe_json(req, key, "kinesis", "StreamName", "stream", self.streams,
                                       "Stream {} under account {} not found.")
        raise AwsError(400, "InvalidAction", f"Could not find operation {operation} for version")

    # ---- SigV4 -------------------------------------------------------------------------------------------------
    def _verify(self, req: _Req, service: str) -> Key:
        auth = req.headers.get("authorization")
        if not auth:
            raise AwsError(403, "MissingAuthenticationToken", "Missing Authentication Token")
        m = _AUTH_RE.match(auth.strip())
        if not m:
            raise AwsError(400, "IncompleteSignature",
                           f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. "
                           f"Authorization={auth.split(' ', 1)[0]}")
        key_id, day, region, scope_service, signed, signature = m.groups()
        key = self.keys.get(key_id)
        if key is None:
            raise AwsError(403, "InvalidClientTokenId", INVALID_TOKEN)
        if key.token is not None and req.headers.get("x-amz-security-token") != key.token:
            raise AwsError(403, "InvalidClientTokenId", INVALID_TOKEN)
        amz_date = req.headers.get("x-amz-date", "")
        try:
            when = dt.datetime.strptime(amz_date, SIGV4_TIME).replace(tzinfo=dt.UTC).timestamp()
        except ValueError:
            raise AwsError(400, "IncompleteSignature", "Date must be in ISO-8601 'basic format'") from None
        now = self.now()
        if when < now - SKEW_LIMIT_S:
            raise AwsError(403, "SignatureDoesNotMatch",
                           f"Signature expired: {amz_date} is now earlier than {_stamp(now - SKEW_LIMIT_S)} "
                           f"({_stamp(now)} - 15 min.)")
        if when > now + SKEW_LIMIT_S:
            raise AwsError(403, "SignatureDoesNotMatch",
                           f"Signature not yet current: {amz_date} is still later than {_stamp(now + SKEW_LIMIT_S)} "
                           f"({_stamp(now)} + 15 min.)")
        canonical, to_sign, expected = _expected_signature(req, key, amz_date, region, scope_service, signed)
        if not secrets.compare_digest(expected, signature) or day != amz_date[:8]:
            err = AwsError(403, "SignatureDoesNotMatch", MISMATCH)
            err.canonical, err.string_to_sign = canonical, to_sign  # type: ignore[attr-defined]
            raise err
        return key

    def _authorize(self, key: Key, action: str, resource: str, region: str | None = None) -> None:
        ev = self.decide(key.principal_arn, action, resource, region)
        if ev.decision != ALLOWED:
            why = ("with an explicit deny in an identity-based policy" if ev.decision == EXPLICIT_DENY
                   else f"because no identity-based policy allows the {action} action")
            raise AwsError(403, "AccessDenied",
                           f"User: {key.caller_arn} is not authorized to perform: {action} on resource: {resource} {why}")

    def decide(self, principal_arn: str, action: str, resource: str, region: str | None = None,
               context: dict[str, list[str]] | None = None) -> Evaluation:
        p = self.principals.get(principal_arn)
        if p is None:
            return Evaluation("implicitDeny")
        ctx = dict(context or {})
        if region:
            ctx.setdefault("aws:RequestedRegion", [region])
        ctx.setdefault("aws:PrincipalArn", [principal_arn])
        ctx.setdefault("aws:PrincipalAccount", [self.account])
        return evaluate(p.policies, action, resource, ctx, boundary=p.boundary, scps=self.scps or None)

    # ---- STS ---------------------------------------------------------------------------------------------------
    def _get_caller_identity(self, key: Key) -> tuple[int, dict[str, str], bytes]:
        return _xml_ok("sts", "GetCallerIdentity",
                       f"<Arn>{escape(key.caller_arn)}</Arn><UserId>{escape(key.user_id)}</UserId>"
                       f"<Account>{self.account}</Account>")

    def _assume_role(self, params: dict[str, str], key: Key) -> tuple[int, dict[str, str], bytes]:
        role_arn, session = params.get("RoleArn", ""), params.get("RoleSessionName", "session")
        role = self.principals.get(role_arn)
        if role is None or role.kind != "role" or not trust_allows(role.trust or {}, key.principal_arn, self.account):
            raise AwsError(403, "AccessDenied",
                           f"User: {key.caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
        new = self.add_session(role_arn, session)
        expires = dt.datetime.fromtimestamp(self.now() + 3600, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return _xml_ok("sts", "AssumeRole",
                       f"<AssumedRoleUser><Arn>{escape(new.caller_arn)}</Arn>"
                       f"<AssumedRoleId>{escape(new.user_id)}</AssumedRoleId></AssumedRoleUser>"
                       f"<Credentials><AccessKeyId>{new.access_key_id}</AccessKeyId>"
                       f"<SecretAccessKey>{escape(new.secret)}</SecretAccessKey>"
                       f"<SessionToken>{escape(new.token or '')}</SessionToken>"
                       f"<Expiration>{expires}</Expiration></Credentials>")

    # ---- IAM ---------------------------------------------------------------------------------------------------
    def _principal(self, arn: str) -> Principal:
        p = self.principals.get(arn)
        if p is not None:
            return p
        m = re.match(r"^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)(/.*)?/([^/]+)$", arn)
        if not m:
            raise AwsError(400, "InvalidInput", f"Invalid ARN {arn}: the ARN must name an IAM user, group or role.")
        raise AwsError(404, "NoSuchEntity", f"The {m.group(2)} with name {m.group(4)} cannot be found.")

    def _simulate(self, params: dict[str, str], key: Key) -> tuple[int, dict[str, str], bytes]:
        source = params.get("PolicySourceArn", "")
        self._authorize(key, "iam:SimulatePrincipalPolicy", source)
        principal = self._principal(source)
        actions = _members(params, "ActionNames")
        resources = _members(params, "ResourceArns") or ["*"]
        context: dict[str, list[str]] = {}
        i = 1
        while f"ContextEntries.member.{i}.ContextKeyName" in params:
            name = params[f"ContextEntries.member.{i}.ContextKeyName"]
            context[name] = _members(params, f"ContextEntries.member.{i}.ContextKeyValues")
            i += 1
        out = []
        for action in actions:
            per_resource = [(r, evaluate(principal.policies, action, r, context, boundary=principal.boundary,
                                         scps=self.scps or None)) for r in resources]
            # The top-level result is the first resource's (IAM aggregates; one resource per call is the norm).
            r0, ev0 = per_resource[0]
            out.append("<member>" + _eval_xml(action, r0, ev0) + "<ResourceSpecificResults>"
                       + "".join(f"<member><EvalResourceName>{escape(r)}</EvalResourceName>"
                                 f"<EvalResourceDecision>{ev.decision}</EvalResourceDecision>"
                                 + _matched_xml(ev) + _missing_xml(ev) + "</member>" for r, ev in per_resource)
                       + "</ResourceSpecificResults></member>")
        return _xml_ok("iam", "SimulatePrincipalPolicy",
                       f"<IsTruncated>false</IsTruncated><EvaluationResults>{''.join(out)}</EvaluationResults>")

    def _get_role(self, params: dict[str, str], key: Key) -> tuple[int, dict[str, str], bytes]:
        name = params.get("RoleName", "")
        role = next((p for p in self.principals.values() if p.kind == "role" and p.name == name), None)
        arn = role.arn if role else f"arn:aws:iam::{self.account}:role/{name}"
        self._authorize(key, "iam:GetRole", arn)
        if role is None:
            raise AwsError(404, "NoSuchEntity", f"The role with name {name} cannot be found.")
        trust = urllib.parse.quote(json.dumps(role.trust or {}))
        boundary = ""
        if role.boundary is not None:
            boundary = (f"<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>"
                        f"<PermissionsBoundaryArn>arn:aws:iam::{self.account}:policy/{escape(role.boundary.id)}"
                        f"</PermissionsBoundaryArn></PermissionsBoundary>")
        return _xml_ok("iam", "GetRole",
                       f"<Role><Path>{escape(role.path)}</Path><RoleName>{escape(role.name)}</RoleName>"
                       f"<RoleId>{role.id}</RoleId><Arn>{escape(role.arn)}</Arn>"
                       f"<CreateDate>2026-01-01T00:00:00Z</CreateDate>"
                       f"<AssumeRolePolicyDocument>{trust}</AssumeRolePolicyDocument>"
                       f"<MaxSessionDuration>3600</MaxSessionDuration>{boundary}</Role>")

    # ---- AMP ---------------------------------------------------------------------------------------------------
    def _remote_write(self, req: _Req, key: Key) -> tuple[int, dict[str, str], bytes]:
        m = _AMP_PATH.match(req.path)
        if req.method != "POST" or not m:
            raise AwsError(404, "ResourceNotFoundException", "Not Found")
        region = _region_of(req)
        ws = m.group(1)
        arn = f"arn:aws:aps:{region}:{self.account}:workspace/{ws}"
        self._authorize(key, "aps:RemoteWrite", arn, region)
        if (region, ws) not in self.workspaces:
            raise AwsError(404, "ResourceNotFoundException", "Workspace not found")
        if req.headers.get("content-encoding") != "snappy" or not _snappy_ok(req.body):
            raise AwsError(400, "ValidationException", "snappy: corrupt input")
        return 200, {"Content-Type": "application/json"}, b""

    # ---- CloudWatch Logs ---------------------------------------------------------------------------------------
    def _describe_log_streams(self, req: _Req, key: Key) -> tuple[int, dict[str, str], bytes]:
        region = _region_of(req)
        group = json.loads(req.body or b"{}").get("logGroupName", "")
        arn = f"arn:aws:logs:{region}:{self.account}:log-group:{group}"
        try:
            self._authorize(key, "logs:DescribeLogStreams", arn + ":*", region)
        except AwsError as e:
            raise AwsError(400, "AccessDeniedException", e.message) from None
        if (region, group) not in self.log_groups:
            raise AwsError(400, "ResourceNotFoundException", "The specified log group does not exist.")
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, b'{"logStreams":[]}'


    # ---- S3 ----------------------------------------------------------------------------------------------------
    def _list_objects(self, req: _Req, key: Key) -> tuple[int, dict[str, str], bytes]:
        host = req.host.split(":")[0]
        m = re.match(r"^(.+)\.s3[.-]", host)
        bucket = m.group(1) if m else req.path.strip("/").split("/")[0]
        params = dict(urllib.parse.parse_qsl(req.query, keep_blank_values=True))
        if req.method != "GET" or params.get("list-type") != "2" or req.path.strip("/") not in ("", bucket):
            raise AwsError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        try:
            self._authorize(key, "s3:ListBucket", f"arn:aws:s3:::{bucket}")
        except AwsError:
            raise AwsError(403, "AccessDenied", "Access Denied") from None  # S3 says no more than this
        if bucket not in self.buckets:
            err = AwsError(404, "NoSuchBucket", "The specified bucket does not exist")
            err.extra = {"BucketName": bucket}  # type: ignore[attr-defined]
            raise err
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/'
                f'2006-03-01/"><Name>{escape(bucket)}</Name><Prefix></Prefix><KeyCount>0</KeyCount>'
                f"<MaxKeys>{escape(params.get('max-keys', '1000'))}</MaxKeys><IsTruncated>false</IsTruncated>"
                "</ListBucketResult>")
        return 200, {"Content-Type": "application/xml"}, body.encode()

    # ---- OpenSearch --------------------------------------------------------------------------------------------
    def _es_get(self, req: _Req, key: Key) -> tuple[int, dict[str, str], bytes]:
        m = re.match(r"^(?:search|vpc)-([a-z][a-z0-9-]{2,27})-[a-z0-9]+\.", req.host)
        region = _region_of(req)
        domain = m.group(1) if m else "unknown"
        action = f"es:ESHttp{req.method.capitalize()}"
        self._authorize(key, action, f"arn:aws:es:{region}:{self.account}:domain/{domain}{req.path}", region)
        if (region, domain) not in self.domains:
            raise AwsError(404, "ResourceNotFoundException", f"Domain not found: {domain}")
        body = {"name": "fake", "cluster_name": f"{self.account}:{domain}", "version": {"number": "7.10.2"}}
        return 200, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(body).encode()

    # ---- X-Ray, Firehose, Kinesis ------------------------------------------------------------------------------
    def _put_telemetry_records(self, req: _Req, key: Key) -> tuple[int, dict[str, str], bytes]:
        self._authorize(key, "xray:PutTelemetryRecords", "*", _region_of(req))
        return 200, {"Content-Type": "application/json"}, b"{}"

    def _describe_json(self, req: _Req, key: Key, service: str, field: str, rtype: str,
                       existing: set[tuple[str, str]], not_found: str) -> tuple[int, dict[str, str], bytes]:
        region = _region_of(req)
        name = str(json.loads(req.body or b"{}").get(field, ""))
        operation = req.headers.get("x-amz-target", "").rpartition(".")[2]
        try:
            self._authorize(key, f"{service}:{operation}",
                            f"arn:aws:{service}:{region}:{self.account}:{rtype}/{name}", region)
        except AwsError as e:
            raise AwsError(400, "AccessDeniedException", e.message) from None
        if (region, name) not in existing:
            raise AwsError(400, "ResourceNotFoundException", not_found.format(name, self.account))
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps({field: name}).encode()


# ---- helpers ---------------------------------------------------------------------------------------------------
def _stamp(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime(SIGV4_TIME)


def _service_of(req: _Req) -> tuple[str, dict[str, str]]:
    """The service a request is for (its credential scope when signed, else host/path) and its query parameters."""
    params: dict[str, str] = dict(urllib.parse.parse_qsl(req.query, keep_blank_values=True))
    if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params.update(urllib.parse.parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    m = _AUTH_RE.match(req.headers.get("authorization", "").strip())
    if m:
        return m.group(4), params
    target = req.headers.get("x-amz-target", "")
    by_target = {"Logs_": "logs", "Firehose_": "firehose", "Kinesis_": "kinesis"}
    for prefix, service in by_target.items():
        if target.startswith(prefix):
            return service, params
    host = req.host.split(":")[0]
    if re.match(r"^(?:search|vpc)-.+\.es\.", host):
        return "es", params
    by_host = {"aps-workspaces.": "aps", "iam.": "iam", "sts.": "sts", "logs.": "logs", "xray.": "xray",
               "firehose.": "firehose", "kinesis.": "kinesis"}
    for prefix, service in by_host.items():
        if host.startswith(prefix):
            return service, params
    if req.path.startswith("/workspaces/"):
        return "aps", params
    if ".s3." in host or host.startswith("s3."):
        return "s3", params
    return ("iam" if params.get("Version") == "2010-05-08" else "sts"), params


def _region_of(req: _Req) -> str:
    m = _HOST_REGION.match(req.host)
    if m:
        return m.group(1)
    a = _AUTH_RE.match(req.headers.get("authorization", "").strip())
    return a.group(3) if a else "us-east-1"


def _expected_signature(req: _Req, key: Key, amz_date: str, region: str, service: str,
                        signed: str) -> tuple[str, str, str]:
    """The canonical request, string to sign and signature botocore computes for this request as received."""
    names = signed.split(";")
    url = f"{req.scheme}://{req.host}{req.path}" + (f"?{req.query}" if req.query else "")
    headers = [(k, v) for k, v in req.raw_headers if k.lower() in names]
    aws = AWSRequest(method=req.method, url=url, data=req.body)
    for k, v in headers:
        aws.headers[k] = v  # HTTPMessage appends: a repeated header is signed as "a,b", like AWS does
    aws.context["timestamp"] = amz_date
    signer_cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = signer_cls(Credentials(key.access_key_id, key.secret, key.token), service, region)
    canonical = signer.canonical_request(aws)
    to_sign = signer.string_to_sign(aws, canonical)
    return canonical, to_sign, signer.signature(to_sign, aws)


def _snappy_ok(body: bytes) -> bool:
    """Snappy's block format starts with the uncompressed length as a varint: an empty body is never valid, and a
    zero length (an empty WriteRequest) must be the whole block."""
    return bool(body) and (body[0] != 0 or body == b"\x00")


def _members(params: dict[str, str], prefix: str) -> list[str]:
    out, i = [], 1
    while f"{prefix}.member.{i}" in params:
        out.append(params[f"{prefix}.member.{i}"])
        i += 1
    return out


def _matched_xml(ev: Evaluation) -> str:
    items = "".join(f"<member><SourcePolicyId>{escape(p.id)}</SourcePolicyId>"
                    f"<SourcePolicyType>{escape(p.type)}</SourcePolicyType>"
                    f"<StartPosition><Line>{i + 1}</Line><Column>1</Column></StartPosition>"
                    f"<EndPosition><Line>{i + 1}</Line><Column>80</Column></EndPosition></member>"
                    for p, i in ev.matched)
    return f"<MatchedStatements>{items}</MatchedStatements>"


def _missing_xml(ev: Evaluation) -> str:
    return "<MissingContextValues>" + "".join(f"<member>{escape(k)}</member>" for k in ev.missing_context) + \
        "</MissingContextValues>"


def _eval_xml(action: str, resource: str, ev: Evaluation) -> str:
    out = (f"<EvalActionName>{escape(action)}</EvalActionName><EvalResourceName>{escape(resource)}</EvalResourceName>"
           f"<EvalDecision>{ev.decision}</EvalDecision>" + _matched_xml(ev) + _missing_xml(ev))
    if ev.allowed_by_boundary is not None:
        out += (f"<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>"
                f"{str(ev.allowed_by_boundary).lower()}</AllowedByPermissionsBoundary>"
                f"</PermissionsBoundaryDecisionDetail>")
    if ev.allowed_by_organizations is not None:
        out += (f"<OrganizationsDecisionDetail><AllowedByOrganizations>{str(ev.allowed_by_organizations).lower()}"
                f"</AllowedByOrganizations></OrganizationsDecisionDetail>")
    return out


def _xml_ok(service: str, operation: str, inner: str) -> tuple[int, dict[str, str], bytes]:
    body = (f'<{operation}Response xmlns="{NS[service]}"><{operation}Result>{inner}</{operation}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{operation}Response>")
    return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": str(uuid.uuid4())}, body.encode()


_JSON_CODES = {"MissingAuthenticationToken": "MissingAuthenticationTokenException",
               "InvalidClientTokenId": "UnrecognizedClientException",
               "SignatureDoesNotMatch": "InvalidSignatureException",
               "AccessDenied": "AccessDeniedException"}


# S3 words the SigV4 failures its own way (rest-xml, no "__type").
_S3_AUTH = {"MissingAuthenticationToken": (403, "AccessDenied", "Access Denied"),
            "InvalidClientTokenId": (403, "InvalidAccessKeyId",
                                     "The AWS Access Key Id you provided does not exist in our records."),
            "SignatureDoesNotMatch": (403, "SignatureDoesNotMatch", "The request signature we calculated does not "
                                      "match the signature you provided. Check your key and signing method.")}


def _s3_error(e: AwsError, rid: str) -> tuple[int, dict[str, str], bytes]:
    status, code, message = e.status, e.code, e.message
    if e.message.startswith(("Signature expired", "Signature not yet current")):
        status, code, message = 403, "RequestTimeTooSkewed", ("The difference between the request time and the "
                                                              "current time is too large.")
    elif e.code in _S3_AUTH:
        status, code, message = _S3_AUTH[e.code]
    extra = dict(getattr(e, "extra", {}))
    if code == "SignatureDoesNotMatch" and getattr(e, "canonical", None) is not None:
        extra.update(StringToSign=e.string_to_sign, CanonicalRequest=e.canonical)  # type: ignore[attr-defined]
    fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in extra.items())
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{fields}<RequestId>{rid[:16].upper()}</RequestId><HostId>{_rand(40)}</HostId></Error>")
    return status, {"Content-Type": "application/xml", "x-amz-request-id": rid[:16].upper()}, body.encode()


def _error(service: str, e: AwsError) -> tuple[int, dict[str, str], bytes]:
    rid = str(uuid.uuid4())
    canonical = getattr(e, "canonical", None)
    if service == "s3":
        return _s3_error(e, rid)
    if service in NS:
        message = e.message
        if canonical is not None:  # STS and IAM, like the JSON services, explain a mismatch with AWS's side
            message += (f"\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
                        f"The String-to-Sign should have been\n'{e.string_to_sign}'\n")  # type: ignore[attr-defined]
        body = (f'<ErrorResponse xmlns="{NS[service]}"><Error><Type>Sender</Type><Code>{escape(e.code)}</Code>'
                f"<Message>{escape(message)}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>")
        return e.status, {"Content-Type": "text/xml", "x-amzn-RequestId": rid}, body.encode()
    code = _JSON_CODES.get(e.code, e.code)
    message = e.message
    if canonical is not None:
        message += (f"\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
                    f"The String-to-Sign should have been\n'{e.string_to_sign}'\n")  # type: ignore[attr-defined]
    if service == "es":  # OpenSearch's own front end capitalises it
        return e.status, {"Content-Type": "application/json", "x-amzn-RequestId": rid}, json.dumps(
            {"Message": message}).encode()
    if service in ("aps", "xray"):  # rest-json behind API Gateway-style front ends
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": rid, "x-amzn-ErrorType": code}
        return e.status, headers, json.dumps({"message": message}).encode()
    status = 400 if e.status == 404 else e.status
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": rid}
    return status, headers, json.dumps({"__type": code, "message": message}).encode()


# ---- standalone ------------------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    """Serve FakeAws from a config while a command runs (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="aws_api")
    ap.add_argument("--config", required=True)
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--tls-name", action="append", default=[])
    # Who the certificate says terminates TLS (its issuer's O/OU): Amazon's by default, so that a full run's
    # connectivity probe does not see a middlebox; e.g. "Zscaler Inc./Zscaler Root CA" to play one.
    ap.add_argument("--tls-issuer", default="Amazon/Server CA 1B")
    ap.add_argument("--calls-out", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with open(args.config, encoding="utf-8") as f:
        fake = FakeAws.from_config(json.load(f))
    host, _, port = args.listen.rpartition(":")
    env = dict(os.environ)
    ssl_ctx = None
    with tempfile.TemporaryDirectory(prefix="fake-aws-") as tmp:
        if args.tls_name:
            import certifi
            import trustme

            org, _, unit = args.tls_issuer.partition("/")
            ca = trustme.CA(organization_name=org, organization_unit_name=unit or None)
            ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ca.issue_cert(*args.tls_name).configure_cert(ssl_ctx)
            # Trust the fake on top of whatever the host (or the world) already trusts.
            bundle = os.path.join(tmp, "ca-bundle.pem")
            base = env.get("AWS_CA_BUNDLE") or certifi.where()
            with open(base, "rb") as src, open(bundle, "wb") as dst:
                dst.write(src.read() + b"\n" + ca.cert_pem.bytes())
            env["AWS_CA_BUNDLE"] = bundle
        fake.start(host, int(port), ssl_ctx)
        try:
            rc = subprocess.run(command, env=env).returncode if command else 0
        finally:
            fake.stop()
            with open(args.calls_out, "w", encoding="utf-8") as f:
                json.dump({"calls": fake.calls, "issued_secrets": fake.issued_secrets}, f)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
