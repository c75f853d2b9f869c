"""The `agent` probe on a Go binary the toolchain really built against Debian's aws-sdk-go (1.44.133)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sigdoctor.context import Context
from sigdoctor.model import Status
from sigdoctor.probes import agent


def test_probe_reads_a_real_binary_and_flags_pod_identity(go_build: Callable[..., Path]) -> None:
    binary = go_build("probe-agent", "github.com/prometheus/prometheus", {"github.com/aws/aws-sdk-go": "v1.44.133"},
                      imports=["github.com/aws/aws-sdk-go/aws/session"])
    ctx = Context(env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://[fd00:ec2::23]/v1/credentials",
                       "AWS_CONFIG_FILE": "/dev/null"}, agent_binary=str(binary))
    out = agent.run(ctx, {})
    assert out.status is Status.FAIL
    ids = {f.id: f for f in out.findings}
    assert ids["agent.binary"].evidence["sdk"] == {"github.com/aws/aws-sdk-go": "v1.44.133"}
    assert ids["agent.binary"].evidence["model"] == "aws-sdk-go"
    assert "v1.44.133 < v1.47.11" in ids["agent.sdk-unsupported-credential-source"].message
