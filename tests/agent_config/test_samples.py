"""Every real sample config in ../shared/data/agent_configs: what sigdoctor derives from it and what it reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sigdoctor.agent import config
from sigdoctor.redact import Redactor

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "agent_configs"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/data/agent_configs")

AMP = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-XXX/api/v1/remote_write"
ROLE = "arn:aws:iam::123456789012:role/aws-service-role/access"

# file → (targets, region, role_arn, profile, {finding id: status} beyond agent.config, placeholders)
TABLE: dict[str, tuple[list[str], str | None, str | None, str | None, dict[str, str], list[str]]] = {
    "adot-testframework_cw_amp_xray_ecs_otconfig.tpl.yaml":
        ([], None, None, None, {}, ["${cortex_instance_endpoint}/api/v1/remote_write", "${region}"]),
    "adot-testframework_prometheus_static_adot_operator_otconfig.tpl.yaml":
        ([], None, None, None, {}, ["${cortex_instance_endpoint}/api/v1/remote_write", "${region}"]),
    "adot_ecs-amp.yaml": ([], None, None, None, {}, ["${env:AWS_PROMETHEUS_ENDPOINT}", "${env:AWS_REGION}"]),
    "adot_ecs-cloudwatch.yaml": ([], None, None, None, {}, []),
    "adot_ecs-fargate-adot-config.yaml": ([], None, None, None, {}, ["{{endpoint}}", "{{region}}"]),
    "adot_eks_prometheus-daemonset.yaml": ([], None, None, None, {}, ["<YOUR_ENDPOINT>", "<YOUR_REGION>"]),
    "grafana-agent-flow-docs_otelcol.auth.sigv4_aps_inferred.river": ([AMP], "us-east-1", None, None, {}, []),
    "grafana-agent-flow-docs_otelcol.auth.sigv4_assume_role.river":
        ([], None, None, None, {"agent.config-invalid": "warn"}, []),
    "grafana-agent-flow_otelcol_sigv4auth.river": ([], "ap-southeast-1", ROLE, None, {}, []),
    "grafana-agent-flow_prom_remote_write.river":
        ([], "us-east-1", None, "fake_profile", {"agent.config-invalid": "warn", "agent.long-lived-keys": "warn"},
         []),
    "grafana-agent-static_prom_remote_write.yaml":
        ([], "us-east-1", None, "fake_profile", {"agent.config-invalid": "warn", "agent.long-lived-keys": "warn"},
         []),
    "otelcol_sigv4auth_assume_role.yaml": ([], "ap-southeast-1", ROLE, None, {}, []),
    "prometheus-sigv4-block_bad.yaml":
        ([], "us-east-2", None, "profile", {"agent.config-invalid": "fail", "agent.long-lived-keys": "warn"}, []),
    "prometheus-sigv4-block_good.yaml":
        ([], "us-east-2", None, "profile", {"agent.config-invalid": "warn", "agent.long-lived-keys": "warn"}, []),
    "prometheus_scrape_remote_write_sigv4.yaml":
        ([], "us-east-1", None, "fake_profile", {"agent.config-invalid": "warn", "agent.long-lived-keys": "warn"},
         []),
}


def _judge(path: Path, env: dict[str, str] | None = None) -> tuple[config.AgentConfig, config.Judgement]:
    cfg = config.load(path, env or {}, Redactor())
    return cfg, config.judge(cfg, env or {})


def _statuses(j: config.Judgement) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in j.findings[1:]:
        # The worst status per id (config-invalid may appear as a fail and a warn).
        if out.get(f.id) != "fail":
            out[f.id] = str(f.status)
    return out


def test_the_table_covers_every_sample() -> None:
    assert SAMPLES.is_dir(), f"sample configs missing at {SAMPLES}"
    files = {p.name for p in SAMPLES.iterdir() if p.name != "index.json"}
    assert files == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_sample(name: str) -> None:
    targets, region, role, profile, findings, placeholders = TABLE[name]
    cfg, j = _judge(SAMPLES / name)
    assert j.findings[0].id == "agent.config" and j.findings[0].status == "pass"
    assert j.settings["targets"] == targets
    assert (j.settings["region"], j.settings["role_arn"], j.settings["profile"]) == (region, role, profile)
    assert _statuses(j) == findings
    assert sorted(cfg.placeholders) == sorted(placeholders)


def test_sample_secret_keys_never_reach_the_findings() -> None:
    red = Redactor()
    cfg = config.load(SAMPLES / "prometheus-sigv4-block_good.yaml", {}, red)
    j = config.judge(cfg, {})
    text = json.dumps([f.evidence for f in j.findings] + [f.message for f in j.findings] + [j.data])
    assert "SecretKey" not in text
    assert red.text("secret is SecretKey") == "secret is ‹redacted›"


def test_otel_env_references_resolve_from_the_agents_environment() -> None:
    url = "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
    _, j = _judge(SAMPLES / "adot_ecs-amp.yaml", {"AWS_PROMETHEUS_ENDPOINT": url, "AWS_REGION": "us-west-2"})
    assert j.settings == {"targets": [url], "region": "us-west-2", "role_arn": None, "profile": None,
                          "service": "aps"}
    _, j = _judge(SAMPLES / "adot_ecs-amp.yaml", {"AWS_PROMETHEUS_ENDPOINT": url, "AWS_REGION": "eu-west-1"})
    assert _statuses(j) == {"agent.region-mismatch": "fail"}
    # Unset, the collector expands ${env:AWS_REGION} to nothing and sigv4auth infers us-west-2 from the host.
    _, j = _judge(SAMPLES / "adot_ecs-amp.yaml", {"AWS_PROMETHEUS_ENDPOINT": url})
    assert (j.settings["region"], _statuses(j)) == ("us-west-2", {})


def test_kubernetes_manifest_reports_the_irsa_role() -> None:
    cfg, j = _judge(SAMPLES / "adot_eks_prometheus-daemonset.yaml")
    assert cfg.base_roles == ["arn:aws:iam::<YOUR_ACCOUNT_ID>:role/amp-iamproxy-ingest-role"]
    assert cfg.kind.startswith("Kubernetes manifest")
    assert any("IRSA" in n for n in j.findings[0].evidence["notes"])


def test_misindented_template_is_read_and_said_so() -> None:
    _, j = _judge(SAMPLES / "adot-testframework_prometheus_static_adot_operator_otconfig.tpl.yaml")
    assert any("not valid YAML as written" in n for n in j.findings[0].evidence["notes"])


def _endpoints(name: str) -> list[dict[str, Any]]:
    _, j = _judge(SAMPLES / name)
    rows: list[dict[str, Any]] = j.data["config"]["endpoints"]
    return rows


def test_river_and_static_yaml_describe_the_same_endpoints() -> None:
    river = _endpoints("grafana-agent-flow_prom_remote_write.river")
    static = _endpoints("grafana-agent-static_prom_remote_write.yaml")
    # The Flow file is the converter's output for the static file: global.remote_write fills in for test1.
    assert [(r["url"], r["signed"]) for r in river] == [(r["url"], r["signed"]) for r in static]
    assert static[0]["component"] == "metrics.configs[test1] (global remote_write)[0]"
    assert [r["signed"] for r in river].count(True) == 2
