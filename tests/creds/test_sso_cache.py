"""The SSO token botocore's chain signs in with comes from the diagnosed environment's HOME (the agent's, under
--pid), not from sigdoctor's own: botocore fixes ~/.aws/sso/cache at import, with the HOME of the process importing
it."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.creds.conftest import Env, Result
from tests.creds.fakes import _send, _Served, _Server

Probe = Callable[..., Result]

SSO_CONFIG = ("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Agent\n"
              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")


@dataclass
class FakeSsoPortal(_Served):
    """IAM Identity Center's GetRoleCredentials: role credentials for the bearer token it knows, 401 for any other."""

    token: str
    server: _Server | None = None
    bearers: list[str] = field(default_factory=list)

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        bearer = h.headers.get("x-amz-sso_bearer_token") or ""
        self.bearers.append(bearer)
        if bearer != self.token:
            _send(h, 401, json.dumps({"message": "Session token not found or invalid"}),
                  {"Content-Type": "application/json", "x-amzn-ErrorType": "UnauthorizedException"})
            return
        creds = {"accessKeyId": "ASIAFAKESSOPORTAL0XY", "secretAccessKey": "fakeSsoPortalSecret0123456789abcdef",
                 "sessionToken": "fakeSsoPortalSessionToken0123456789", "expiration": int(time.time() + 3600) * 1000}
        _send(h, 200, json.dumps({"roleCredentials": creds}), {"Content-Type": "application/json"})


@pytest.fixture
def portal(env: Env) -> Iterator[FakeSsoPortal]:
    token = env.secret("aoaAAAAAagentsOwnSsoAccessToken0123456789")
    p = FakeSsoPortal(token).start()
    yield p
    p.stop()


def test_the_sso_token_is_read_from_the_diagnosed_home(env: Env, probe: Probe, portal: FakeSsoPortal) -> None:
    assert env.vars["HOME"] != str(Path.home())  # the diagnosed HOME is not this process's
    env.config(SSO_CONFIG)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    env.file(f"home/.aws/sso/cache/{hashlib.sha1(b'corp').hexdigest()}.json",
             json.dumps({"accessToken": portal.token, "expiresAt": expires, "region": "us-east-1",
                         "startUrl": "https://corp.awsapps.com/start"}))
    env.vars["AWS_ENDPOINT_URL_SSO"] = portal.url
    r = probe(env, profile="dev", compare=False)
    assert r.winner == "sso"
    assert portal.bearers == [portal.token]  # signed in with the diagnosed HOME's token
    assert r.creds["access_key_id"] == "ASIA…L0XY"
    assert "profile-invalid" not in {f.id.removeprefix("credentials.") for f in r.outcome.findings}


def test_under_another_root_the_token_is_read_through_it(env: Env, probe: Probe, portal: FakeSsoPortal) -> None:
    # --pid diagnoses with root=/proc/PID/root: the agent's HOME and config name paths inside its filesystem.
    root = env.tmp / "agent-root"
    (root / "etc/aws").mkdir(parents=True)
    (root / "etc/aws/config").write_text(SSO_CONFIG)
    cache = root / "home/agent/.aws/sso/cache"
    cache.mkdir(parents=True)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(
        json.dumps({"accessToken": portal.token, "expiresAt": expires, "region": "us-east-1"}))
    env.vars.update(HOME="/home/agent", AWS_CONFIG_FILE="/etc/aws/config", AWS_ENDPOINT_URL_SSO=portal.url)
    r = probe(env, profile="dev", compare=False, root=root)
    assert r.winner == "sso" and portal.bearers == [portal.token]
    assert r.creds["access_key_id"] == "ASIA…L0XY"
