"""The `go_sdk` part of the credentials section, and where the Go SDKs part ways with botocore.

Inputs come from what the credentials probe already learnt (the diagnosed environment and files, whether IMDS and
the container endpoint answered) and, when known, the SDK versions linked into the agent's binary
(`ctx.state.agent_sdk_versions`: module path → version, from its Go build info) and the SDK the agent probe says
signs (`ctx.state.agent_sdk_model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.gosdk import v1, v2
from sigdoctor.gosdk.common import BOTOCORE_KIND, GoInput, Prediction, kind_of
from sigdoctor.records import datarecord

V1_MODULE = "github.com/aws/aws-sdk-go"
V2_MODULES = ("github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2")


@datarecord(frozen=True)
class GoSdkView:
    predictions: dict[str, Prediction]  # model name → prediction, only the models that apply
    versions: dict[str, str | None]
    load_config: Prediction | None  # v1 with SharedConfigEnable, when it differs from the default


def _reader(ctx: Context) -> Any:
    def read(path: str) -> str | None:
        try:
            return boundedio.read_text(ctx.path(path), boundedio.CONFIG_LIMIT, errors="replace")
        except (OSError, ValueError):
            return None

    return read


def view(ctx: Context, home: str | None, reachable: Mapping[str, bool | None]) -> GoSdkView:
    """The models that apply: the one the agent probe identified (`ctx.state.agent_sdk_model`), else those linked
    into the binary (`ctx.state.agent_sdk_versions`), else both. The agent probe has finished before the credentials
    probe starts."""
    linked: Mapping[str, str] = ctx.state.agent_sdk_versions.wait(0) or {}
    v1_version = linked.get(V1_MODULE)
    v2_version = next((linked[m] for m in V2_MODULES if m in linked), None)
    model = ctx.state.agent_sdk_model.wait(0)
    if model in (v1.NAME, v2.NAME):
        wanted = {model}
    elif v1_version or v2_version:
        wanted = {name for name, ver in ((v1.NAME, v1_version), (v2.NAME, v2_version)) if ver}
    else:
        wanted = {v1.NAME, v2.NAME}

    def inp(version: str | None) -> GoInput:
        return GoInput(
            env=ctx.env, read=_reader(ctx), home=home, profile=ctx.profile, reachable=reachable, version=version
        )

    preds: dict[str, Prediction] = {}
    versions: dict[str, str | None] = {}
    load_config = None
    if v1.NAME in wanted:
        preds[v1.NAME] = v1.predict(inp(v1_version))
        versions[v1.NAME] = v1_version
        enabled = v1.predict(inp(v1_version), shared_config=True)
        if enabled.source != preds[v1.NAME].source:
            load_config = enabled
    if v2.NAME in wanted:
        preds[v2.NAME] = v2.predict(inp(v2_version))
        versions[v2.NAME] = v2_version
    return GoSdkView(preds, versions, load_config)


def section(v: GoSdkView) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, p in v.predictions.items():
        entry: dict[str, Any] = p.as_dict()
        if name == v1.NAME and v.load_config is not None:
            entry["with_shared_config"] = v.load_config.as_dict()
        if v.versions.get(name):
            entry["version"] = v.versions[name]
        out[name] = entry
    return out


def differences(
    v: GoSdkView, botocore_winner: str | None, botocore_known: bool, botocore_fails: bool = False
) -> list[str]:
    """One sentence per disagreement: a Go model vs botocore's winner, and v1 vs v2. When botocore's winner fails
    (e.g. an unreadable token file) and the Go SDK ends without credentials too, they agree."""
    lines: list[str] = []
    boto_kind = BOTOCORE_KIND.get(botocore_winner or "", botocore_winner)
    for name, p in v.predictions.items():
        if not botocore_known or p.kind == boto_kind or (p.source is None and botocore_fails):
            continue
        go = p.source or "no credentials"
        boto = (botocore_winner or "no credentials") + (", which fails" if botocore_fails else "")
        lines.append(f"{name} will use {go}, not what botocore (and the AWS CLI) pick ({boto}): {p.why}")
    if v1.NAME in v.predictions and v2.NAME in v.predictions:
        a, b = v.predictions[v1.NAME], v.predictions[v2.NAME]
        if kind_of(a.source) != kind_of(b.source):
            lines.append(
                f"aws-sdk-go (v1: Grafana Agent, Prometheus < 3.5) uses {a.source or 'no credentials'} while "
                f"aws-sdk-go-v2 (Alloy, Prometheus ≥ 3.5, OTel sigv4auth) uses {b.source or 'no credentials'}"
            )
    return lines


def fixes(v: GoSdkView, botocore_winner: str | None) -> list[str]:
    if v.load_config is None or not v.load_config.source:
        return []
    fix = "set AWS_SDK_LOAD_CONFIG=1 in the agent's environment: aws-sdk-go then reads ~/.aws/config too and uses "
    fix += v.load_config.source
    if BOTOCORE_KIND.get(botocore_winner or "") == v.load_config.kind:
        fix += " like botocore"
    return [fix]
