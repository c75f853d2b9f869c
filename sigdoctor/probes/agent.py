"""The `agent` probe: what the agent's binary and configuration say before any credential is looked at.

The binary (`--agent-binary`, or `/proc/PID/exe` with `--pid`) tells which AWS SDK signs and how old it is — the
chain model the later probes should follow, and whether that SDK can use the configured credential source at all
(EKS Pod Identity needs aws-sdk-go ≥ 1.47.11). The configuration (`--agent-config`, or the file named on the
process's command line) gives targets, region, role and profile, and the mistakes visible in it.

Inputs (set by the CLI / the process reader): ``ctx.agent_binary``, ``ctx.agent_config`` and ``ctx.agent`` (the
``--pid`` process: its executable and command line).
Outputs: ``Outcome.data["agent"]``, ``ctx.state.agent_sdk_model`` ("aws-sdk-go" | "aws-sdk-go-v2"; unset: unknown),
``ctx.state.agent_sdk_versions`` (module path → version of the AWS SDK for Go modules in the binary's build info) and
``ctx.state.agent_settings`` = {"targets", "region", "role_arn", "profile", "service"} for the CLI to use where
the user gave none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sigdoctor import boundedio
from sigdoctor.context import Context
from sigdoctor.model import Finding, Outcome, ProbeResult, Status, worst
from sigdoctor.probes.base import Probe

P = "agent."
EMITS = tuple(P + n for n in (
    "binary",
    "sdk-unsupported-credential-source",
    "config",
    "config-invalid",
    "long-lived-keys",
    "region-mismatch",
    "region-missing",
    "request-not-signed",
    "role-self-assumption",
    "sigv4auth-cannot-infer",
    "service-name-mismatch",
))
POD_IDENTITY_HOSTS = ("169.254.170.23", "fd00:ec2::23")
# Flags agents take their config file from: Prometheus/Agent static `--config.file`, OTel `--config`.
_CONFIG_FLAGS = ("--config.file", "-config.file", "--config", "-config", "--config-file")


def config_from_cmdline(argv: Sequence[str]) -> str | None:
    """The config file named on an agent's command line (`alloy run FILE`, `--config.file=FILE`, `--config FILE`)."""
    args = list(argv[1:])
    for i, a in enumerate(args):
        for flag in _CONFIG_FLAGS:
            if a == flag and i + 1 < len(args):
                return _file_arg(args[i + 1])
            if a.startswith(flag + "="):
                return _file_arg(a.split("=", 1)[1])
    if args and args[0] == "run":  # Alloy / Agent Flow: `run [flags] PATH`
        positional = [a for a in args[1:] if not a.startswith("-")]
        if positional:
            return positional[-1]
    if argv and Path(argv[0]).name == "prometheus":
        return "prometheus.yml"  # Prometheus' default, relative to its working directory
    return None


def _file_arg(v: str) -> str | None:
    # OTel config URIs: `file:/path` is a file; `env:`, `yaml:`, `http:` are not.
    if v.startswith("file:"):
        return v[5:]
    if ":" in v.split("/", 1)[0]:
        return None
    return v


def _pod_identity_uri(env: Mapping[str, str]) -> str | None:
    uri = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if not uri:
        return None
    host = (urlsplit(uri).hostname or "").lower()
    return uri if host in POD_IDENTITY_HOSTS else None


def _binary(ctx: Context, path: str, source: str, findings: list[Finding]) -> dict[str, Any]:
    from sigdoctor.agent import buildinfo  # only with an agent binary: most runs have none

    try:
        info = buildinfo.read(path)
    except buildinfo.BuildInfoError as e:
        findings.append(Finding(P + "binary", Status.SKIP,
                                f"{path}: {e} — the Go SDK chain models do not apply to it",
                                {"path": path, "from": source}))
        return {"path": path, "from": source, "error": str(e)}
    model = buildinfo.sdk_model(info)
    if model.model:
        ctx.state.agent_sdk_model.set(model.model)
    # The credentials probe models the chain of the SDK release the agent links, not of the newest one.
    ctx.state.agent_sdk_versions.set(info.aws_sdk())
    main = f"{info.main.path} {info.main.version}" if info.main else (info.path or "?")
    sdk = info.watched()
    evidence = {"path": path, "from": source, "main": main, "go": info.go_version, "sdk": sdk,
                "model": model.model, "why": model.why}
    sdk_text = ", ".join(f"{k.removeprefix('github.com/')} {v}" for k, v in sdk.items()) or "no AWS SDK"
    findings.append(Finding(P + "binary", Status.PASS,
                            f"{main} built with {info.go_version}; {sdk_text}; credential chain model: "
                            f"{model.model or 'unknown'} ({model.why})", evidence))
    uri = _pod_identity_uri(ctx.env)
    if uri:
        blockers = buildinfo.pod_identity_blockers(info, model.model)
        if blockers:
            findings.append(Finding(
                P + "sdk-unsupported-credential-source", Status.FAIL if model.model else Status.WARN,
                f"EKS Pod Identity is configured (AWS_CONTAINER_CREDENTIALS_FULL_URI={uri}) but the agent's SDK "
                f"is too old to use it: {'; '.join(blockers)}. It refuses the Pod Identity address (\"only "
                "loopback hosts are allowed\") and ends with NoCredentialProviders",
                {"uri": uri, "too_old": blockers, "model": model.model, "main": main,
                 "fix": [f"Upgrade {main} to a release whose build info shows "
                         + ("aws-sdk-go ≥ v1.47.11" if model.model == buildinfo.V1 else
                            "aws-sdk-go-v2/credentials ≥ v1.16.0 and aws-sdk-go-v2/config ≥ v1.25.0"
                            if model.model == buildinfo.V2 else
                            "aws-sdk-go ≥ v1.47.11 and aws-sdk-go-v2/credentials ≥ v1.16.0, config ≥ v1.25.0")
                         + " (check with `go version -m` on the binary)"]}))
    return {**evidence, "replaced": {p: m.replaced_by for p, m in info.deps.items()
                                     if m.replaced_by and p in sdk}}


def _shared_config_text(ctx: Context) -> str | None:
    p = ctx.env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    try:
        return boundedio.read_text(ctx.path(p), boundedio.CONFIG_LIMIT, errors="replace")
    except OSError:
        return None


def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
    binary: str | None = ctx.agent_binary
    source = "--agent-binary"
    if not binary and ctx.agent and ctx.agent.exe:
        binary, source = ctx.agent.exe, "--pid"
    cfg_path: str | None = ctx.agent_config
    cfg_source = "--agent-config"
    cmdline = ctx.agent.cmdline if ctx.agent else None
    if not cfg_path and cmdline:
        named = config_from_cmdline(list(cmdline))
        if named:
            pid = ctx.agent.pid if ctx.agent else None
            if Path(named).is_absolute():
                cfg_path = str(ctx.path(named))
            else:  # relative to the agent's working directory, not ours
                cfg_path = f"/proc/{pid}/cwd/{named}" if pid else named
            cfg_source = f"the process's command line ({named})"
    if not binary and not cfg_path and not cmdline:
        return Outcome(Status.SKIP, "no --pid, --agent-binary or --agent-config given")

    findings: list[Finding] = []
    data: dict[str, Any] = {}
    summary: list[str] = []
    if binary:
        data["binary"] = _binary(ctx, str(binary), source, findings)
        if "main" in data["binary"]:
            summary.append(f"{data['binary']['main']} ({data['binary']['model'] or 'SDK model unknown'})")
    settings: dict[str, Any] = {"targets": [], "region": None, "role_arn": None, "profile": None, "service": None}
    if cfg_path:
        # yaml and the River parser load only when there is a configuration to read (most runs have none).
        from sigdoctor.agent import config

        try:
            cfg = config.load(cfg_path, ctx.env, ctx.redactor)
        except config.ConfigError as e:
            findings.append(Finding(P + "config", Status.FAIL, str(e), {"path": cfg_path, "from": cfg_source}))
            data["config"] = {"path": cfg_path, "error": str(e)}
        else:
            # The agent probe runs first: the caller's identity is not known yet.
            j = config.judge(cfg, ctx.env, shared_config_text=_shared_config_text(ctx))
            findings += j.findings
            data.update(j.data)
            data["config"]["from"] = cfg_source
            settings = j.settings
            summary.append(f"config: {j.findings[0].message}")
    elif cmdline:
        summary.append("config file not found on the command line (pass --agent-config)")
    ctx.state.agent_settings.set(settings)
    data["settings"] = settings
    data["applied"] = _apply_settings(ctx, settings)
    problems: list[Status] = [f.status for f in findings if f.status in (Status.FAIL, Status.WARN)]
    status = worst(problems) if problems else Status.PASS
    return Outcome(status, "; ".join(summary) or "nothing to read", tuple(findings), {"agent": data})


def _apply_settings(ctx: Context, settings: dict[str, Any]) -> list[str]:
    """What the agent's configuration says the later probes should check, where the user named nothing explicitly
    (command-line --target/--region/--role-arn/--profile/--service always win)."""
    applied: list[str] = []
    if not ctx.targets and settings.get("targets"):
        ctx.targets = list(settings["targets"])
        applied.append("targets")
    for name in ("region", "role_arn", "profile", "service"):
        if getattr(ctx, name) is None and settings.get(name):
            setattr(ctx, name, settings[name])
            applied.append(name)
    return applied


PROBE = Probe(
    id="agent",
    title="Agent: its binary, SDK and configuration",
    run=run,
    timeout=5.0,
    emits=EMITS,
)
