"""End to end, in the simulated AWS world: `sigdoctor run --pid PID` diagnoses a stand-in agent whose environment and
files differ from the shell sigdoctor runs in.

The shell has no credentials and an AWS_PROFILE naming no profile (botocore would fail on it). The stand-in agent
(`sleep`, started with IRSA settings) lives in its own mount namespace where its token file exists — at a path that
does not exist in sigdoctor's view, so the token must be read through /proc/PID/root.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from tests.world import ACCOUNT, Result, World, creds

IRSA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role"
REPO = Path(__file__).resolve().parents[2]


def _agent_world(world: World, tmp_path: Path) -> Path:
    world.sts()
    world.time_sync(0.0)
    world.env(AWS_PROFILE="shell-only", AWS_REGION="us-east-1", PYTHONPATH=str(REPO))
    token_dir = tmp_path / "agent-secrets"
    token_dir.mkdir()
    token = creds.jwt()
    (token_dir / "token").write_text(token)
    world.secret(token, token.split(".")[-1])
    pid_file = tmp_path / "agent.pid"
    # The agent's own mount namespace: its token file is at /mnt/token only there. `echo $$` names the process
    # that then becomes `sleep` (unshare and exec keep the PID).
    script = f"mount --bind {token_dir} /mnt && echo $$ > {pid_file} && exec sleep 300"
    world.process(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        name="agent",
        env={
            "HOME": "/root",
            "AWS_REGION": "us-east-1",
            "AWS_ROLE_ARN": IRSA_ROLE,
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/mnt/token",
            "AWS_STS_REGIONAL_ENDPOINTS": "regional",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )
    return pid_file


def _run_with_pid(world: World, pid_file: Path, argv: list[str]) -> Result:
    wait = f"while [ ! -s {pid_file} ]; do sleep 0.05; done"
    cmd = " ".join(shlex.quote(a) for a in argv)
    return world.run_cmd(["sh", "-c", f'{wait}; exec {cmd} --pid "$(cat {pid_file})" --format json'])


def _check(r: Result, pid_file: Path) -> dict[str, Any]:
    r.assert_no_secrets()
    assert r.rc in (0, 1), r.describe()
    rep: dict[str, Any] = json.loads(r.stdout)
    pid = pid_file.read_text().strip()
    section = rep["credentials"]
    # The agent's IRSA, not the shell's broken AWS_PROFILE.
    assert section["winner"] == "assume-role-with-web-identity", r.describe()
    web = next(s for s in section["sources"] if s["method"] == "assume-role-with-web-identity")
    assert web["state"] == "winner", r.describe()
    assert section["go_sdk"]["aws-sdk-go"]["source"] == "WebIdentityCredentials"
    assert section["go_sdk"]["aws-sdk-go-v2"]["source"] == "WebIdentityCredentials"
    probe = next(p for p in rep["probes"] if p["id"] == "credentials")
    agent = next(f for f in probe["findings"] if f["id"] == "credentials.agent")
    assert f"/proc/{pid}/environ" in agent["message"] and f"paths read through /proc/{pid}/root" in agent["message"]
    identity = next(p for p in rep["probes"] if p["id"] == "identity")
    assert identity["status"] == "pass", r.describe()
    return rep


def test_run_with_pid_uses_the_agents_environment_and_files(world: World, tmp_path: Path) -> None:
    pid_file = _agent_world(world, tmp_path)
    r = _run_with_pid(world, pid_file, [*world.sigdoctor_argv(), "run"])
    _check(r, pid_file)
