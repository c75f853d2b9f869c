"""Fake ECS task-role / EKS Pod Identity credentials endpoint.

The SDK sends the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN) as the
`Authorization` header; when `token` is set the fake insists on it (401 otherwise, as the Pod Identity agent does).
Modes: `ok`, `401` (refuse every request), `500`, `bad-json`, `hang` (accept, never answer), `endless` (a body
that never ends).
"""

from __future__ import annotations

from typing import Any

from tests.world.servers.base import HttpFake, Request, Running, ServerContext


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    mode = spec.get("mode", "ok")
    expected_token = spec.get("token")
    path = spec.get("path", "/v1/credentials")
    creds = spec["credentials"]

    def handle(req: Request) -> None:
        if mode == "hang":
            return req.hang()
        if mode == "endless":
            return req.endless()
        if req.method != "GET" or req.path != path:
            return req.json(404, {"code": "NotFound", "message": "not found"})
        if mode == "401" or (expected_token is not None and req.header("Authorization") != expected_token):
            return req.json(401, {"code": "AccessDeniedException",
                                  "message": "Authorization header is missing or does not match"})
        if mode == "500":
            return req.json(500, {"code": "InternalServerError", "message": "internal error"})
        if mode == "bad-json":
            return req.reply(200, "{not json", "application/json")
        return req.json(200, creds)

    return HttpFake(spec["address"], int(spec.get("port", 80)), handle, "container")
