"""Fake EC2 Instance Metadata Service on 169.254.169.254:80.

Modes:
* `ok`          IMDSv2 tokens and IMDSv1 GETs both work.
* `v1-only`     the token PUT answers `token_status` (403 by default, or 404/405) → SDKs fall back to IMDSv1.
* `v2-required` GETs without a valid token get 401 (HttpTokens=required).
* `hop-limit`   the token PUT is accepted at TCP level but never answered (what a hop limit of 1 looks like from a
                container); GETs without a token work if `v1` is true, else 401.
* `no-role`     metadata works, but `iam/security-credentials/` is 404 (no instance profile).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from tests.world.servers.base import HttpFake, Request, Running, ServerContext

CREDS_PREFIX = "/latest/meta-data/iam/security-credentials/"


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    mode = spec.get("mode", "ok")
    role = spec.get("role", "agent-node-role")
    account = spec.get("account", "123456789012")
    region = spec.get("region", "us-east-1")
    creds = spec["credentials"]
    v1_allowed = spec.get("v1", mode != "v2-required")
    tokens: set[str] = set()
    instance_id = spec.get("instance_id", "i-0123456789abcdef0")
    doc = {"accountId": account, "region": region, "instanceId": instance_id,
           "availabilityZone": f"{region}a", "instanceType": "m5.large", "imageId": "ami-0123456789abcdef0",
           "architecture": "x86_64", "privateIp": "10.0.1.23"}
    meta: dict[str, str] = {
        "/latest/meta-data/instance-id": instance_id,
        "/latest/meta-data/placement/region": region,
        "/latest/meta-data/placement/availability-zone": f"{region}a",
        "/latest/meta-data/placement/availability-zone/": f"{region}a",
        "/latest/meta-data/instance-type": "m5.large",
        "/latest/dynamic/instance-identity/document": json.dumps(doc, indent=2),
    }
    if mode != "no-role":
        meta["/latest/meta-data/iam/info"] = json.dumps({
            "Code": "Success", "LastUpdated": creds["LastUpdated"],
            "InstanceProfileArn": f"arn:aws:iam::{account}:instance-profile/{role}",
            "InstanceProfileId": "AIPAEXAMPLEPROFILEID00"})
        meta[CREDS_PREFIX] = role
        meta[CREDS_PREFIX + role] = json.dumps(creds, indent=2)

    def handle(req: Request) -> None:
        if req.path == "/latest/api/token":
            if req.method != "PUT":
                return req.reply(405)
            if mode == "v1-only":
                return req.reply(int(spec.get("token_status", 403)))
            if mode == "hop-limit":
                return req.hang()
            ttl = req.header("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return req.reply(400)
            minted = "AQAEA" + secrets.token_urlsafe(40)
            tokens.add(minted)
            ctx.issued_secrets.append(minted)  # a token is a secret too: the tool must never print it
            return req.reply(200, minted, headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl})
        if mode == "endless" and req.path == CREDS_PREFIX + role:
            return req.endless()
        if req.method not in ("GET", "HEAD"):
            return req.reply(405)
        token = req.header("X-aws-ec2-metadata-token")
        if token is not None and token not in tokens:
            return req.reply(401)
        if token is None and not v1_allowed:
            return req.reply(401)
        path = req.path.rstrip("/") if req.path != CREDS_PREFIX else req.path
        body = meta.get(path, meta.get(req.path))
        if body is None:
            return req.reply(404, "<html><body><h1>404 - Not Found</h1></body></html>", "text/html")
        return req.reply(200, body)

    return HttpFake(spec.get("address", "169.254.169.254"), int(spec.get("port", 80)), handle, "imds")
