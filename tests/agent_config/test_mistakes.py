"""Configs written with one mistake each: the finding a user sees, and what sigdoctor takes from the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sigdoctor.agent import config, river
from sigdoctor.model import Finding
from sigdoctor.redact import Redactor

AMP_W2 = "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
AMP_E1 = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
VPCE = "https://vpce-0abc-xyz.aps-workspaces.us-east-1.vpce.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
ROLE = "arn:aws:iam::111122223333:role/amp-writer"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzzzSECRET"


def judge(tmp_path: Path, name: str, text: str, env: dict[str, str] | None = None,
          **kw: object) -> tuple[config.Judgement, Redactor]:
    f = tmp_path / name
    f.write_text(text)
    red = Redactor()
    cfg = config.load(f, env or {}, red)
    return config.judge(cfg, env or {}, **kw), red  # type: ignore[arg-type]


def only(j: config.Judgement, fid: str) -> Finding:
    hits = [f for f in j.findings if f.id == fid]
    assert len(hits) == 1, [(f.id, f.message) for f in j.findings]
    return hits[0]


def ids(j: config.Judgement) -> set[str]:
    return {f.id for f in j.findings} - {"agent.config"}


PROM_MISMATCH = f"""
remote_write:
  - url: {AMP_W2}
    sigv4:
      region: us-east-1
"""

RIVER_MISMATCH = f"""
prometheus.remote_write "amp" {{
  endpoint {{
    url = "{AMP_W2}"
    sigv4 {{
      region = "us-east-1"
    }}
  }}
}}
"""

OTEL_MISMATCH = f"""
extensions:
  sigv4auth:
    region: us-east-1
exporters:
  prometheusremotewrite:
    endpoint: {AMP_W2}
    auth:
      authenticator: sigv4auth
service:
  extensions: [sigv4auth]
  pipelines:
    metrics: {{receivers: [otlp], exporters: [prometheusremotewrite]}}
"""

AGENT_STATIC_MISMATCH = f"""
metrics:
  configs:
    - name: default
      remote_write:
        - url: {AMP_W2}
          sigv4: {{region: us-east-1}}
"""


@pytest.mark.parametrize(("name", "text"), [
    ("prometheus.yml", PROM_MISMATCH), ("config.alloy", RIVER_MISMATCH), ("otel.yaml", OTEL_MISMATCH),
    ("agent.yaml", AGENT_STATIC_MISMATCH),
])
def test_region_mismatch_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    j, _ = judge(tmp_path, name, text)
    f = only(j, "agent.region-mismatch")
    assert (f.status, f.evidence["signing_region"], f.evidence["url_region"]) == ("fail", "us-east-1", "us-west-2")
    assert "Set region: us-west-2" in f.evidence["fix"][0]
    assert j.settings["targets"] == [AMP_W2]


def test_region_missing_falls_back_to_the_agents_environment(tmp_path: Path) -> None:
    text = f"remote_write:\n  - url: {AMP_E1}\n    sigv4: {{}}\n"
    j, _ = judge(tmp_path, "p.yml", text, {"AWS_REGION": "us-east-1"})
    f = only(j, "agent.region-missing")
    assert (f.status, f.evidence["fallback"], f.evidence["fallback_from"]) == ("warn", "us-east-1", "AWS_REGION")
    assert ids(j) == {"agent.region-missing"} and j.settings["region"] == "us-east-1"

    j, _ = judge(tmp_path, "p.yml", text, {"AWS_DEFAULT_REGION": "eu-west-1"})
    assert only(j, "agent.region-mismatch").evidence["signing_region"] == "eu-west-1"

    j, _ = judge(tmp_path, "p.yml", text, {})
    f = only(j, "agent.region-missing")
    assert f.status == "fail" and "region not configured" in f.message


def test_region_missing_reads_the_profile_region_from_the_shared_config(tmp_path: Path) -> None:
    text = f"remote_write:\n  - url: {AMP_E1}\n    sigv4: {{profile: amp}}\n"
    j, _ = judge(tmp_path, "p.yml", text, {}, shared_config_text="[profile amp]\nregion = us-east-1\n")
    f = only(j, "agent.region-missing")
    assert (f.status, f.evidence["fallback"]) == ("warn", "us-east-1")
    assert j.settings["profile"] == "amp"


@pytest.mark.parametrize(("name", "text"), [
    ("p.yml", f"remote_write:\n  - url: {AMP_E1}\n"),
    ("c.river", f'prometheus.remote_write "x" {{\n  endpoint {{\n    url = "{AMP_E1}"\n  }}\n}}\n'),
    ("o.yaml", f"exporters:\n  prometheusremotewrite:\n    endpoint: {AMP_E1}\n"),
    ("o2.yaml", f"exporters:\n  otlphttp:\n    endpoint: {AMP_E1}\n    auth: {{authenticator: basicauth}}\n"),
])
def test_aws_url_without_sigv4_is_not_signed(tmp_path: Path, name: str, text: str) -> None:
    j, _ = judge(tmp_path, name, text)
    f = only(j, "agent.request-not-signed")
    assert f.status == "fail" and "Missing Authentication Token" in f.message
    assert f.evidence["url"] == AMP_E1


def test_non_aws_url_without_sigv4_is_fine(tmp_path: Path) -> None:
    j, _ = judge(tmp_path, "p.yml", "remote_write:\n  - url: http://cortex:9009/api/v1/push\n")
    assert ids(j) == set() and j.settings["targets"] == []


def test_static_keys_warn_and_are_never_shown(tmp_path: Path) -> None:
    text = (f"remote_write:\n  - url: {AMP_E1}\n    sigv4:\n      region: us-east-1\n"
            f"      access_key: AKIAIOSFODNN7EXAMPLE\n      secret_key: {SECRET}\n")
    j, red = judge(tmp_path, "p.yml", text)
    f = only(j, "agent.long-lived-keys")
    assert f.status == "warn" and f.evidence["places"][0]["access_key"] == "AKIA…MPLE"
    dumped = json.dumps([(x.message, x.evidence) for x in j.findings] + [j.data])
    assert SECRET not in dumped and "AKIAIOSFODNN7EXAMPLE" not in dumped
    assert SECRET not in red.text(f"leak {SECRET}")


def test_keys_without_secret_make_the_config_invalid(tmp_path: Path) -> None:
    j, _ = judge(tmp_path, "p.yml", f"remote_write:\n  - url: {AMP_E1}\n    sigv4:\n      region: us-east-1\n"
                                    "      access_key: AKIAIOSFODNN7EXAMPLE\n")
    f = only(j, "agent.config-invalid")
    assert f.status == "fail" and f.evidence["missing"] == "secret_key"


def test_role_arn_equal_to_the_irsa_role_is_self_assumption(tmp_path: Path) -> None:
    text = f"remote_write:\n  - url: {AMP_E1}\n    sigv4: {{region: us-east-1, role_arn: '{ROLE}'}}\n"
    j, _ = judge(tmp_path, "p.yml", text, {"AWS_ROLE_ARN": ROLE})
    f = only(j, "agent.role-self-assumption")
    assert f.status == "warn" and "AWS_ROLE_ARN" in f.message
    assert j.settings["role_arn"] == ROLE

    j, _ = judge(tmp_path, "p.yml", text, {"AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/other"})
    assert "agent.role-self-assumption" not in ids(j)


def test_role_arn_equal_to_the_caller_identity_is_self_assumption(tmp_path: Path) -> None:
    text = f"remote_write:\n  - url: {AMP_E1}\n    sigv4: {{region: us-east-1, role_arn: '{ROLE}'}}\n"
    identity = {"arn": "arn:aws:sts::111122223333:assumed-role/amp-writer/i-0abc"}
    j, _ = judge(tmp_path, "p.yml", text, identity=identity)
    assert "caller identity" in only(j, "agent.role-self-assumption").message


def test_sigv4auth_cannot_infer_from_a_vpc_endpoint_host(tmp_path: Path) -> None:
    text = (f"extensions:\n  sigv4auth: {{}}\nexporters:\n  prometheusremotewrite:\n    endpoint: {VPCE}\n"
            "    auth: {authenticator: sigv4auth}\nservice:\n  extensions: [sigv4auth]\n")
    j, _ = judge(tmp_path, "o.yaml", text)
    f = only(j, "agent.sigv4auth-cannot-infer")
    assert f.status == "warn" and "VPC endpoint" in f.message and f.evidence["unset"] == ["region", "service"]
    assert "region: us-east-1 and service: aps" in f.evidence["fix"][0]
    assert only(j, "agent.region-missing").status == "warn"


def test_sigv4auth_infers_from_the_public_aps_host(tmp_path: Path) -> None:
    text = (f"extensions:\n  sigv4auth:\nexporters:\n  prometheusremotewrite:\n    endpoint: {AMP_E1}\n"
            "    auth: {authenticator: sigv4auth}\nservice:\n  extensions: [sigv4auth]\n")
    j, _ = judge(tmp_path, "o.yaml", text)
    assert ids(j) == set()
    assert (j.settings["region"], j.settings["service"]) == ("us-east-1", "aps")


def test_sigv4auth_extension_not_enabled_is_noted(tmp_path: Path) -> None:
    text = (f"extensions:\n  sigv4auth: {{region: us-east-1}}\nexporters:\n  prometheusremotewrite:\n"
            f"    endpoint: {AMP_E1}\n    auth: {{authenticator: sigv4auth}}\nservice:\n  extensions: []\n")
    j, _ = judge(tmp_path, "o.yaml", text)
    row = j.data["config"]["endpoints"][0]
    assert any("not listed in service.extensions" in n for n in row["notes"])


def test_prometheus_sigv4_to_cloudwatch_logs_signs_for_aps_by_default(tmp_path: Path) -> None:
    url = "https://logs.eu-west-1.amazonaws.com/"
    j, _ = judge(tmp_path, "p.yml", f"remote_write:\n  - url: {url}\n    sigv4: {{region: eu-west-1}}\n")
    f = only(j, "agent.service-name-mismatch")
    assert (f.evidence["service"], f.evidence["expected"]) == ("aps", "logs")


def test_placeholders_are_noted_not_judged(tmp_path: Path) -> None:
    text = ("remote_write:\n  - url: {{endpoint}}\n    sigv4:\n      region: ${REGION}\n"
            "  - url: '<YOUR_ENDPOINT>'\n    sigv4: {region: '<YOUR_REGION>'}\n")
    j, _ = judge(tmp_path, "p.yml", text)
    assert ids(j) == set()
    cfg = j.findings[0]
    assert "placeholder" in cfg.message
    assert set(cfg.evidence["placeholders"]) == {"{{endpoint}}", "${REGION}", "<YOUR_ENDPOINT>", "<YOUR_REGION>"}


def test_river_env_calls_resolve_from_the_agents_environment(tmp_path: Path) -> None:
    text = ('prometheus.remote_write "amp" {\n  endpoint {\n    url = env("AMP_URL")\n'
            '    sigv4 {\n      region = env("AMP_REGION")\n    }\n  }\n}\n')
    j, _ = judge(tmp_path, "c.alloy", text, {"AMP_URL": AMP_E1, "AMP_REGION": "us-west-2"})
    assert only(j, "agent.region-mismatch").evidence["signing_region"] == "us-west-2"
    j, _ = judge(tmp_path, "c.alloy", text, {})
    assert ids(j) == set()
    assert j.findings[0].evidence["placeholders"] == ['⟨env("AMP_URL")⟩', '⟨env("AMP_REGION")⟩']


@pytest.mark.parametrize(("name", "text", "message"), [
    ("c.river", 'prometheus.remote_write "x" {\n  endpoint {\n', "missing '}'"),
    ("p.yml", "remote_write: [\n", "not valid YAML"),
    ("p.yml", "global:\n  scrape_interval: 15s\n", "not an agent configuration"),
])
def test_unreadable_configs_say_why(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        judge(tmp_path, name, text)


def test_river_reader_subset() -> None:
    doc = river.parse('// comment\n/* block\ncomment */\na.b "x" {\n  v = [1, 2.5, true, null, {k = "v"}]\n'
                      '  w = "a" + env("NOPE")\n  r = `raw\\n`\n  h = otelcol.auth.sigv4.x.handler\n'
                      '  inner { n = -3 }\n}\n', {})
    blk = doc.root.blocks[0]
    assert (blk.name, blk.label) == ("a.b", "x")
    assert blk.attrs["v"] == [1, 2.5, True, None, {"k": "v"}]
    assert blk.attrs["w"] == river.Expr('"a" + env("NOPE")')
    assert blk.attrs["r"] == "raw\\n"
    assert blk.attrs["h"] == river.Ref("otelcol.auth.sigv4.x.handler")
    assert blk.child("inner") is not None and blk.child("inner").attrs == {"n": -3}  # type: ignore[union-attr]


def test_alloy_config_inside_a_helm_configmap(tmp_path: Path) -> None:
    body = RIVER_MISMATCH.replace("\n", "\n    ")
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alloy\ndata:\n  config.alloy: |\n    {body}\n"
    j, _ = judge(tmp_path, "alloy-cm.yaml", text)
    assert j.findings[0].evidence["kind"] == "Kubernetes manifest: Grafana Alloy (River)"
    assert only(j, "agent.region-mismatch").evidence["component"].startswith("ConfigMap alloy key config.alloy")


def test_grafana_agent_integrations_remote_write(tmp_path: Path) -> None:
    text = f"integrations:\n  prometheus_remote_write:\n    - url: {AMP_W2}\n"
    j, _ = judge(tmp_path, "agent.yaml", text)
    assert only(j, "agent.request-not-signed").evidence["component"].startswith("integrations.")
