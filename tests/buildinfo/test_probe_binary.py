"""The `agent` probe on a Go binary the toolchain really built against Debian's aws-sdk-go (1.44.133), what it tells
the credentials probe, and binaries it must not open as one."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.model import Status
from sigdoctor.probes import agent, credentials
from sigdoctor.runner import run_probes
from tests.buildinfo.conftest import inline_section, make_elf, modinfo
from tests.buildinfo.test_buildinfo import INFO_TEXT

HANG_S = 10  # the test's hang detector, not a timing assertion


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


def _pod_identity_env(tmp_path: Path) -> dict[str, str]:
    token = tmp_path / "eks-pod-identity-token"
    token.write_text("pod-identity-token-of-the-test")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token)}


@pytest.mark.parametrize(("version", "refused"), [("v1.44.133", True), ("v1.47.11", False)])
def test_the_credentials_probe_models_the_sdk_release_the_agent_links(
        go_build: Callable[..., Path], tmp_path: Path, version: str, refused: bool) -> None:
    # The agent probe hands the build info's SDK versions to the credentials probe: an aws-sdk-go older than
    # 1.47.11 refuses the EKS Pod Identity address, a newer one uses it.
    binary = go_build(f"prometheus-{version}", "github.com/prometheus/prometheus",
                      {"github.com/aws/aws-sdk-go": version}, imports=["github.com/aws/aws-sdk-go/aws/session"])
    ctx = Context(env=_pod_identity_env(tmp_path), agent_binary=str(binary), offline=True)
    results = {r.id: r for r in run_probes(ctx, [replace(agent.PROBE, after=()),
                                                 replace(credentials.PROBE, after=("agent",))])}
    go_sdk = results["credentials"].data["credentials"]["go_sdk"]
    assert list(go_sdk) == ["aws-sdk-go"] and go_sdk["aws-sdk-go"]["version"] == version
    if refused:
        assert go_sdk["aws-sdk-go"]["source"] is None
        assert "EKS Pod Identity needs aws-sdk-go >= 1.47.11" in go_sdk["aws-sdk-go"]["why"]
    else:
        assert go_sdk["aws-sdk-go"]["source"] is not None
        assert "169.254.170.23" in go_sdk["aws-sdk-go"]["why"] and "1.47.11" not in go_sdk["aws-sdk-go"]["why"]


def test_a_fifo_named_as_the_binary_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "agent"
    os.mkfifo(fifo)
    done: list[Any] = []
    t = threading.Thread(target=lambda: done.append(agent.run(Context(env={}, agent_binary=str(fifo)), {})),
                         daemon=True)
    t.start()
    t.join(HANG_S)
    if t.is_alive():  # release the blocked open before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the agent probe waited for a writer on a FIFO")
    (finding,) = [f for f in done[0].findings if f.id == "agent.binary"]
    assert finding.status is Status.SKIP
    assert "is a FIFO (named pipe), not a regular file" in finding.message


def test_a_file_larger_than_any_agent_is_refused_not_scanned(tmp_path: Path) -> None:
    huge = tmp_path / "agent"
    with huge.open("wb") as f:  # sparse: a Go binary's build info, then nothing on disk up to 1 GiB + 1 byte
        f.write(make_elf(section=inline_section("go1.22.0", modinfo(INFO_TEXT))))
        f.truncate(boundedio.BINARY_LIMIT + 1)
    out = agent.run(Context(env={}, agent_binary=str(huge)), {})
    (finding,) = [f for f in out.findings if f.id == "agent.binary"]
    assert finding.status is Status.SKIP
    assert "is 1.0 GiB, more than the 1.0 GiB sigdoctor reads" in finding.message
