"""The `agent` probe as the runner sees it: its outcome, its findings, and what it hands the later probes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sigdoctor.context import AgentProcess, Context
from sigdoctor.model import Outcome, Status
from sigdoctor.probes import agent
from tests.buildinfo.conftest import inline_section, make_elf, modinfo

AMP = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
POD_IDENTITY = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/secrets/pods.eks.amazonaws.com/token"}
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzzzSECRET"


def ctx_with(env: dict[str, str] | None = None, *, agent_binary: str | None = None, agent_config: str | None = None,
             agent_exe: str | None = None, agent_cmdline: list[str] | None = None) -> Context:
    base = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    agent = None
    if agent_exe or agent_cmdline:
        agent = AgentProcess(pid=4242, name="agent", uid=0, gid=0, exe=agent_exe,
                             cmdline=tuple(agent_cmdline or ()), root="/")
    return Context(env={**base, **(env or {})}, agent_binary=agent_binary, agent_config=agent_config, agent=agent)


def fake_agent(tmp_path: Path, main: str, version: str, deps: dict[str, str]) -> Path:
    text = f"path\t{main}\nmod\t{main}\t{version}\th1:x=\n" + "".join(
        f"dep\t{p}\t{v}\th1:y=\n" for p, v in deps.items())
    f = tmp_path / "agent-bin"
    f.write_bytes(make_elf(section=inline_section("go1.21.9", modinfo(text))))
    return f


def run(ctx: Context) -> Outcome:
    return agent.run(ctx, {})


def by_id(out: Outcome) -> dict[str, str]:
    return {f.id: str(f.status) for f in out.findings}


def test_nothing_given_is_a_skip_with_the_reason() -> None:
    out = run(ctx_with())
    assert out.status is Status.SKIP and out.summary == "no --pid, --agent-binary or --agent-config given"


def test_old_grafana_agent_with_pod_identity_cannot_use_it(tmp_path: Path) -> None:
    binary = fake_agent(tmp_path, "github.com/grafana/agent", "v0.37.4",
                        {"github.com/aws/aws-sdk-go": "v1.45.24", "github.com/prometheus/common": "v0.44.0"})
    ctx = ctx_with(POD_IDENTITY, agent_binary=str(binary))
    out = run(ctx)
    assert out.status is Status.FAIL
    f = next(f for f in out.findings if f.id == "agent.sdk-unsupported-credential-source")
    assert f.status is Status.FAIL and "v1.45.24 < v1.47.11" in f.message and "169.254.170.23" in f.message
    b = next(f for f in out.findings if f.id == "agent.binary")
    assert b.evidence["model"] == "aws-sdk-go" and b.evidence["main"] == "github.com/grafana/agent v0.37.4"
    assert b.evidence["sdk"]["github.com/aws/aws-sdk-go"] == "v1.45.24"
    assert ctx.state.agent_sdk_model.wait(0) == "aws-sdk-go"
    assert out.data["agent"]["binary"]["go"] == "go1.21.9"


@pytest.mark.parametrize(("env", "deps"), [
    (POD_IDENTITY, {"github.com/aws/aws-sdk-go": "v1.50.0"}),  # new enough
    ({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}, {"github.com/aws/aws-sdk-go": "v1.40.0"}),
    ({}, {"github.com/aws/aws-sdk-go": "v1.40.0"}),  # old, but Pod Identity is not configured
])
def test_pod_identity_check_only_where_it_matters(tmp_path: Path, env: dict[str, str],
                                                  deps: dict[str, str]) -> None:
    binary = fake_agent(tmp_path, "github.com/grafana/agent", "v0.40.0", deps)
    out = run(ctx_with(env, agent_binary=str(binary)))
    assert by_id(out) == {"agent.binary": "pass"} and out.status is Status.PASS


def test_alloy_with_old_v2_credentials_module(tmp_path: Path) -> None:
    binary = fake_agent(tmp_path, "github.com/grafana/alloy", "v1.0.0", {
        "github.com/aws/aws-sdk-go-v2/config": "v1.22.0", "github.com/aws/aws-sdk-go-v2/credentials": "v1.15.0",
        "github.com/prometheus/sigv4": "v0.2.0"})
    out = run(ctx_with(POD_IDENTITY, agent_exe=str(binary)))
    f = next(f for f in out.findings if f.id == "agent.sdk-unsupported-credential-source")
    assert "credentials v1.15.0 < v1.16.0" in f.message and f.evidence["model"] == "aws-sdk-go-v2"


def test_not_a_go_binary_is_said_and_skipped() -> None:
    out = run(ctx_with(agent_binary="/bin/sh"))
    assert by_id(out) == {"agent.binary": "skip"} and "Go SDK chain models do not apply" in out.findings[0].message
    assert out.status is Status.PASS


def test_config_settings_reach_the_shared_space_and_the_report(tmp_path: Path) -> None:
    f = tmp_path / "prometheus.yml"
    f.write_text(f"remote_write:\n  - url: {AMP}\n    sigv4:\n      region: us-east-1\n"
                 f"      access_key: AKIAIOSFODNN7EXAMPLE\n      secret_key: {SECRET}\n")
    ctx = ctx_with(agent_config=str(f))
    out = run(ctx)
    assert ctx.state.agent_settings.wait(0) == {"targets": [AMP], "region": "us-east-1", "role_arn": None,
                                                "profile": None, "service": "aps"}
    assert out.data["agent"]["settings"] == ctx.state.agent_settings.wait(0)
    assert out.status is Status.WARN and by_id(out)["agent.long-lived-keys"] == "warn"
    assert SECRET not in ctx.redactor.text(json.dumps([out.summary, out.data, [f.evidence for f in out.findings]]))
    assert SECRET not in json.dumps([out.summary, out.data, [(x.message, x.evidence) for x in out.findings]])


def test_config_found_on_the_agents_command_line(tmp_path: Path) -> None:
    f = tmp_path / "agent.yaml"
    f.write_text(f"remote_write:\n  - url: {AMP}\n")
    for argv in (["prometheus", f"--config.file={f}"], ["otelcol-contrib", "--config", f"file:{f}"],
                 ["alloy", "run", "--server.http.listen-addr=0.0.0.0:12345", str(f)]):
        out = run(ctx_with(agent_cmdline=argv))
        assert by_id(out) == {"agent.config": "pass", "agent.request-not-signed": "fail"}, argv
        assert "command line" in out.data["agent"]["config"]["from"]


def test_config_file_names_on_command_lines() -> None:
    assert agent.config_from_cmdline(["/bin/prometheus", "--web.enable-lifecycle"]) == "prometheus.yml"
    assert agent.config_from_cmdline(["grafana-agent", "-config.file", "/etc/agent.yaml"]) == "/etc/agent.yaml"
    assert agent.config_from_cmdline(["otelcol", "--config=yaml:exporters::debug::verbosity: basic"]) is None


def test_command_line_without_a_config_file() -> None:
    out = run(ctx_with(agent_cmdline=["otelcol-contrib", "--config=env:OTEL_CONFIG"]))
    assert out.status is Status.PASS and "pass --agent-config" in out.summary


def test_unreadable_config_is_a_failed_finding(tmp_path: Path) -> None:
    out = run(ctx_with(agent_config=str(tmp_path / "missing.yaml")))
    assert by_id(out) == {"agent.config": "fail"} and "cannot read" in out.findings[0].message


def test_every_finding_id_is_declared() -> None:
    assert set(agent.EMITS) >= {"agent.binary", "agent.sdk-unsupported-credential-source", "agent.config",
                                "agent.long-lived-keys", "agent.region-mismatch", "agent.request-not-signed"}
    assert agent.PROBE.id == "agent" and agent.PROBE.title == "Agent: its binary, SDK and configuration"


def test_every_id_the_code_can_emit_is_declared() -> None:
    import re

    import sigdoctor.agent.config as config_module

    sources = Path(config_module.__file__).read_text() + Path(agent.__file__).read_text()
    used = {"agent." + m for m in re.findall(r'P \+ "([\w-]+)"', sources)}
    assert used and used <= set(agent.EMITS), used - set(agent.EMITS)


def test_runner_and_cause_files_rank_the_config_mistakes(tmp_path: Path) -> None:
    from sigdoctor.causes import diagnose, load_rules
    from sigdoctor.runner import run_probes

    f = tmp_path / "prometheus.yml"
    west = AMP.replace("us-east-1", "us-west-2")
    f.write_text(f"remote_write:\n  - url: {west}\n    sigv4:\n      region: us-east-1\n"
                 f"      access_key: AKIAIOSFODNN7EXAMPLE\n      secret_key: {SECRET}\n  - url: {AMP}\n")
    rules = load_rules()
    results = run_probes(ctx_with(agent_config=str(f)), [agent.PROBE])
    causes = diagnose(results, rules)
    ranked = [c.id for c in causes]
    assert set(ranked[:2]) == {"region-mismatch", "request-not-signed"} and ranked[2:] == ["long-lived-keys"]
    assert causes[-1].severity == "warning"
