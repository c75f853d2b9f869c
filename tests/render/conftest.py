"""Hand-built reports for the renderer tests, and the snapshot comparison.

Every key id here is already masked (first 4 + … + last 4) and fake; no fixture holds a secret, so a snapshot can
never leak one. Timestamps and durations are fixed so snapshots are stable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.model import Confidence, Finding, ProbeResult, Report, RootCause, Severity, Status

SNAPSHOTS = Path(__file__).parent / "snapshots"
STARTED = "2026-11-27T03:40:00Z"
AMP_URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
NOT_IMPL = "not implemented yet"
TITLES = {
    "credentials": "Credentials",
    "identity": "Identity (STS)",
    "permissions": "Permissions (IAM)",
    "clock": "Clock",
    "dns": "DNS",
    "connectivity": "Connectivity",
    "signature": "Signature",
}


def probe(pid: str, status: Status, summary: str, *findings: Finding, ms: int = 3) -> ProbeResult:
    return ProbeResult(id=pid, title=TITLES[pid], status=status, summary=summary, duration_ms=ms,
                       findings=tuple(findings))


def not_impl(*ids: str) -> tuple[ProbeResult, ...]:
    return tuple(probe(i, Status.SKIP, NOT_IMPL, ms=0) for i in ids)


def source(method: str, name: str, state: str, detail: str, location: str = "") -> dict[str, Any]:
    return {"method": method, "name": name, "state": state, "detail": detail, "location": location}


def _chain(**states: tuple[str, str]) -> list[dict[str, Any]]:
    """botocore's chain order, every source absent unless given as method=(state, detail)."""
    order = [
        ("env", "Environment variables"),
        ("assume-role", "Assume role (profile)"),
        ("assume-role-with-web-identity", "Web identity token"),
        ("sso", "IAM Identity Center (SSO)"),
        ("shared-credentials-file", "Shared credentials file"),
        ("custom-process", "credential_process"),
        ("config-file", "Config file keys"),
        ("container-role", "Container credentials (ECS / Pod Identity)"),
        ("iam-role", "Instance metadata (IMDS)"),
    ]
    out = []
    for method, name in order:
        state, detail = states.get(method.replace("-", "_"), ("absent", "not configured"))
        out.append(source(method, name, state, detail))
    return out


def _files() -> list[dict[str, Any]]:
    return [
        {"kind": "config", "path": "/root/.aws/config", "exists": True, "from": "default"},
        {"kind": "credentials", "path": "/root/.aws/credentials", "exists": False, "from": "default"},
    ]


@pytest.fixture
def healthy_report() -> Report:
    creds = {
        "winner": "assume-role-with-web-identity",
        "access_key_id": "ASIA…WXYZ",
        "expiry": "2026-11-27T04:40:00Z",
        "profile": "default",
        "profile_source": "default",
        "files": _files(),
        "sources": _chain(
            assume_role_with_web_identity=("winner", "role arn:aws:iam::111122223333:role/agent, token "
                                           "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
            iam_role=("shadowed", "instance metadata would be tried next"),
        ),
    }
    return Report(
        command="run",
        started_at=STARTED,
        duration_ms=812,
        environment={"region": "us-east-1", "targets": [AMP_URL]},
        credentials=creds,
        version="0.1.0",
        probes=(
            probe("credentials", Status.PASS, "assume-role-with-web-identity wins (ASIA…WXYZ)",
                  Finding("credentials.winner", Status.PASS, "Credentials come from assume-role-with-web-identity",
                          {"method": "assume-role-with-web-identity", "access_key_id": "ASIA…WXYZ"}),
                  ms=12),
            probe("identity", Status.PASS, "arn:aws:sts::111122223333:assumed-role/agent/botocore-session",
                  Finding("identity.caller", Status.PASS, "STS GetCallerIdentity accepted the credentials",
                          {"account": "111122223333", "endpoint": "https://sts.us-east-1.amazonaws.com"}),
                  ms=140),
            *not_impl("permissions"),
            probe("clock", Status.PASS, "local clock is 0.2 s from NTP",
                  Finding("clock.offset", Status.PASS, "Offset to 169.254.169.123 is +0.2 s",
                          {"offset_s": 0.2, "server": "169.254.169.123"}),
                  ms=20),
            *not_impl("dns", "connectivity", "signature"),
        ),
        root_causes=(),
    )


@pytest.fixture
def no_credentials_report() -> Report:
    creds = {
        "winner": None,
        "access_key_id": None,
        "expiry": None,
        "profile": "default",
        "profile_source": "default",
        "files": _files(),
        "sources": _chain(iam_role=("failed", "no instance metadata service answered at 169.254.169.254 (timeout)")),
    }
    return Report(
        command="run",
        started_at=STARTED,
        duration_ms=1204,
        environment={"region": "us-east-1", "targets": [AMP_URL]},
        credentials=creds,
        version="0.1.0",
        probes=(
            probe("credentials", Status.FAIL, "no source in the chain yields credentials",
                  Finding("credentials.no-credentials", Status.FAIL, "No credential source is configured or usable",
                          {"tried": 9}),
                  Finding("credentials.imds-unreachable", Status.FAIL,
                          "Instance metadata did not answer at 169.254.169.254 within 1 s",
                          {"endpoint": "http://169.254.169.254", "error": "timeout"}),
                  ms=1010),
            probe("identity", Status.SKIP, "needs credentials, which failed", ms=0),
            probe("permissions", Status.SKIP, "needs credentials, which failed", ms=0),
            probe("clock", Status.PASS, "local clock is 0.4 s from NTP", ms=30),
            *not_impl("dns", "connectivity", "signature"),
        ),
        root_causes=(
            RootCause(
                id="no-credentials",
                severity=Severity.ERROR,
                confidence=Confidence.HIGH,
                title="No credential source yields credentials",
                summary="Every source botocore tries is absent or failed, so requests cannot be signed.",
                evidence=("credentials.no-credentials: no source is configured or usable",
                          "credentials.imds-unreachable: 169.254.169.254 did not answer (timeout)"),
                fix=("On EKS, annotate the service account with eks.amazonaws.com/role-arn and restart the pod",
                     "On EC2, attach an instance profile to the instance"),
                docs="docs/causes/no-credentials.md",
            ),
        ),
    )


@pytest.fixture
def probe_error_report() -> Report:
    return Report(
        command="run",
        started_at=STARTED,
        duration_ms=301,
        environment={"region": "eu-west-1", "targets": []},
        credentials=None,
        version="0.1.0",
        probes=(
            probe("credentials", Status.ERROR, "KeyError: 'credential_source' (see --debug for the traceback)",
                  ms=2),
            probe("identity", Status.SKIP, "needs credentials, which failed", ms=0),
            probe("permissions", Status.SKIP, "needs credentials, which failed", ms=0),
            probe("clock", Status.PASS, "local clock is 0.1 s from NTP", ms=25),
            *not_impl("dns", "connectivity", "signature"),
        ),
        root_causes=(),
    )


@pytest.fixture
def several_causes_report() -> Report:
    creds = {
        "winner": "env",
        "access_key_id": "AKIA…WXYZ",
        "expiry": None,
        "profile": "[prod]",
        "profile_source": "AWS_PROFILE",
        "files": [
            {"kind": "config", "path": "/home/agent/.aws/config", "exists": True, "from": "AWS_CONFIG_FILE"},
            {"kind": "credentials", "path": "/home/agent/.aws/credentials", "exists": True, "from": "default"},
        ],
        "go_sdk": {
            "aws-sdk-go": {"source": "EnvConfigCredentials", "why": "AWS_ACCESS_KEY_ID is set"},
            "aws-sdk-go-v2": {"source": "EnvConfigCredentials", "why": "AWS_ACCESS_KEY_ID is set"},
        },
        "sources": _chain(
            env=("winner", "AWS_ACCESS_KEY_ID=AKIA…WXYZ, AWS_SECRET_ACCESS_KEY set"),
            assume_role_with_web_identity=("shadowed", "AWS_ROLE_ARN=arn:aws:iam::111122223333:role/agent | "
                                           "token file /var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
            shared_credentials_file=("shadowed", "profile [prod] has aws_access_key_id"),
            iam_role=("configured", "not tried: an earlier source won"),
        ),
    }
    return Report(
        command="run",
        started_at=STARTED,
        duration_ms=2310,
        environment={"region": "us-east-1", "targets": [AMP_URL, "https://logs.us-east-1.amazonaws.com"],
                     "profile": "[prod]"},
        credentials=creds,
        version="0.1.0",
        probes=(
            probe("credentials", Status.FAIL, "env wins (AKIA…WXYZ) over a configured web identity role",
                  Finding("credentials.winner", Status.PASS, "Credentials come from env", {"method": "env"}),
                  Finding("credentials.env-shadows-role", Status.FAIL,
                          "Static keys in the environment win over the web identity role (IRSA)",
                          {"winner": "env", "shadowed": ["assume-role-with-web-identity", "shared-credentials-file"],
                           "fix": "unset AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the agent's pod spec"}),
                  Finding("credentials.long-lived-keys", Status.WARN, "Long-lived AKIA… key in use",
                          {"access_key_id": "AKIA…WXYZ"}),
                  ms=15),
            probe("identity", Status.PASS, "arn:aws:iam::111122223333:user/ci-bot", ms=120),
            probe("permissions", Status.SKIP, NOT_IMPL, ms=0),
            probe("clock", Status.WARN, "local clock is 94 s ahead of NTP",
                  Finding("clock.clock-skew", Status.WARN, "Local clock is 94.0 s ahead of 169.254.169.123",
                          {"offset_s": 94.0, "server": "169.254.169.123"}),
                  ms=22),
            *not_impl("dns", "connectivity", "signature"),
        ),
        root_causes=(
            RootCause(
                id="env-shadows-role",
                severity=Severity.ERROR,
                confidence=Confidence.HIGH,
                title="Static keys shadow the role the agent should use",
                summary="AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY win over the IRSA web identity role, so requests "
                        "are signed as arn:aws:iam::111122223333:user/ci-bot instead of the role.",
                evidence=("credentials.env-shadows-role: env wins; shadowed: assume-role-with-web-identity | "
                          "shared-credentials-file",),
                fix=("unset AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the agent's pod spec",
                     "Remove static keys from the agent's environment so the role is used"),
                docs="docs/causes/env-shadows-role.md",
            ),
            RootCause(
                id="clock-skew",
                severity=Severity.WARNING,
                confidence=Confidence.MEDIUM,
                title="Local clock is off",
                summary="The clock is 94 s ahead; AWS rejects signatures more than 5 minutes off.",
                evidence=("clock.clock-skew: +94.0 s against 169.254.169.123",),
                fix=("Enable chrony or systemd-timesyncd with 169.254.169.123 (Amazon Time Sync)",),
                docs="docs/causes/clock-skew.md",
            ),
            RootCause(
                id="long-lived-keys",
                severity=Severity.WARNING,
                confidence=Confidence.HIGH,
                title="Long-lived access keys in use",
                summary="An AKIA… key never expires; prefer a role.",
                evidence=("credentials.long-lived-keys: AKIA…WXYZ",),
                fix=(),
                docs="docs/causes/long-lived-keys.md",
            ),
        ),
    )


REPORT_FIXTURES = ("healthy_report", "no_credentials_report", "probe_error_report", "several_causes_report")


def short_name(fixture: str) -> str:
    return fixture.removesuffix("_report")


@pytest.fixture(params=REPORT_FIXTURES)
def any_report(request: pytest.FixtureRequest) -> Report:
    report: Report = request.getfixturevalue(request.param)
    return report


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """`snapshot(name, text)`: text must equal snapshots/<name>; SNAPSHOT_UPDATE=1 rewrites the file instead."""

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if os.environ.get("SNAPSHOT_UPDATE") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no snapshot {path.name}; run with SNAPSHOT_UPDATE=1 to create it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from snapshots/{name} (SNAPSHOT_UPDATE=1 to accept)"

    return check
