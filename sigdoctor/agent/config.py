"""What an agent's configuration file says about signing: where it sends, and how it signs each request.

Reads Grafana Alloy / Agent Flow (River), Grafana Agent static YAML (`metrics.configs[].remote_write[]`),
Prometheus YAML (`remote_write[].sigv4`), OpenTelemetry Collector YAML (`sigv4auth` extensions and the exporters
whose `auth.authenticator` names one; `awsemf`/`awsxray` sign with the AWS SDK themselves), Kubernetes manifests
embedding one of those in a ConfigMap, and a bare Prometheus `sigv4:` block. Everything becomes `Endpoint`s with
an optional `Signer`; `judge` turns them into findings and the settings the other probes use.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from sigdoctor import boundedio
from sigdoctor.agent import river, yamlconf
from sigdoctor.model import Finding, Status
from sigdoctor.records import datarecord
from sigdoctor.redact import Redactor, mask_key_id
from sigdoctor.sts.arns import assumes_itself, parse_principal, parse_role_arn
from sigdoctor.targets import Target, TargetError, parse_target

P = "agent."
# Template placeholders (mustache, Terraform/OTel `${…}`, `<YOUR_REGION>`) and River expressions left unevaluated,
# which `_str` wraps in ⟨…⟩.
PLACEHOLDER_RE = re.compile(r"\{\{[^}]*\}\}|\$\{[^}]*\}|<[A-Z][A-Z0-9_ ]*>|⟨[^⟩]*⟩")
_OTEL_ENV_RE = re.compile(r"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
REGION_RE = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$")
# Prometheus' sigv4 signs for `aps` unless service_name says otherwise.
PROMETHEUS_DEFAULT_SERVICE = "aps"

# Signers: who signs, which decides defaults and fallbacks.
PROM = "prometheus-sigv4"  # Prometheus / Grafana Agent / Alloy remote_write `sigv4`
OTEL = "otel-sigv4auth"  # OTel Collector `sigv4auth` / Alloy `otelcol.auth.sigv4`
AWS_SDK = "aws-sdk"  # exporters that are AWS SDK clients (awsemf, awsxray): the SDK signs


class ConfigError(ValueError):
    """The file cannot be read as any agent configuration sigdoctor knows."""


@datarecord
class Signer:
    kind: str
    where: str
    region: str | None = None
    service: str | None = None
    role_arn: str | None = None
    profile: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    external_id: str | None = None
    sts_region: str | None = None
    enabled: bool = True

    def public(self) -> dict[str, Any]:
        """What may be shown: never the secret key, and the access key id masked."""
        return {
            "kind": self.kind, "where": self.where, "region": self.region, "service": self.service,
            "role_arn": self.role_arn, "profile": self.profile,
            "access_key": mask_key_id(self.access_key) if self.access_key else None,
            "secret_key": "set" if self.secret_key else None, "sts_region": self.sts_region,
        }


@datarecord
class Endpoint:
    component: str
    url: str | None
    signer: Signer | None
    notes: list[str] = field(default_factory=list)


@datarecord
class AgentConfig:
    path: str
    kind: str
    endpoints: list[Endpoint] = field(default_factory=list)
    # Signers not attached to any endpoint (a bare sigv4 block, an extension no exporter uses).
    loose: list[Signer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    base_roles: list[str] = field(default_factory=list)

    def signers(self) -> list[Signer]:
        seen: list[Signer] = []
        for s in [e.signer for e in self.endpoints if e.signer] + self.loose:
            if s is not None and all(s is not x for x in seen):
                seen.append(s)
        return seen


# ---------------------------------------------------------------------------------------------------- reading


def load(path: str | Path, env: Mapping[str, str], redactor: Redactor | None = None) -> AgentConfig:
    p = Path(path)
    try:
        text = boundedio.read_text(p, boundedio.AGENT_CONFIG_LIMIT, errors="replace")
    except OSError as e:
        raise ConfigError(f"cannot read {p}: {e.strerror or e}") from e
    cfg = parse(text, env, name=str(p))
    if redactor is not None:
        for s in cfg.signers():
            redactor.add_secret(s.secret_key)
    return cfg


def parse(text: str, env: Mapping[str, str], name: str = "config") -> AgentConfig:
    suffix = Path(name).suffix.lower()
    if suffix in (".river", ".alloy") or (suffix not in (".yaml", ".yml", ".json") and river.looks_like_river(text)):
        return _from_river(text, env, name)
    try:
        loaded = yamlconf.load(text)
    except yamlconf.YamlConfigError as e:
        raise ConfigError(f"{name}: {e}") from e
    cfg = AgentConfig(path=name, kind="unknown", notes=list(loaded.notes), base_roles=list(loaded.service_account_roles))
    kinds: list[str] = []
    for where, src in loaded.river_sources:
        try:
            embedded = _from_river(src, env, f"{name} ({where})")
        except ConfigError as e:
            cfg.notes.append(str(e))
            continue
        for ep in embedded.endpoints:
            ep.component = f"{where}: {ep.component}"
        cfg.endpoints += embedded.endpoints
        cfg.loose += embedded.loose
        cfg.notes += embedded.notes
        kinds.append("Grafana Alloy (River)")
    for where, doc in loaded.documents:
        if not isinstance(doc, dict):
            continue
        doc = _expand_env(doc, env, cfg)
        prefix = f"{where}: " if where else ""
        found = _from_yaml_doc(doc, prefix, cfg)
        if found:
            kinds.append(found)
    if not kinds:
        raise ConfigError(f"{name}: no remote_write, sigv4, OTel exporter or River component found — "
                          "not an agent configuration sigdoctor knows")
    cfg.kind = " + ".join(dict.fromkeys(kinds))
    if any(w.startswith("ConfigMap") for w, _ in [*loaded.documents, *loaded.river_sources]):
        cfg.kind = "Kubernetes manifest: " + cfg.kind
    _collect_placeholders(cfg)
    return cfg


def _expand_env(value: Any, env: Mapping[str, str], cfg: AgentConfig) -> Any:
    """`${env:X}` / `${X}` as the OTel Collector expands them, from the diagnosed process's environment."""
    if isinstance(value, str):
        def sub(m: re.Match[str]) -> str:
            if m.group(1) in env:
                return env[m.group(1)]
            if m.group(2) is not None:
                return m.group(2)
            return m.group(0)
        return _OTEL_ENV_RE.sub(sub, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, env, cfg) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, env, cfg) for v in value]
    return value


def _str(v: Any) -> str | None:
    if v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, river.Expr):
        return f"⟨{v.text}⟩"
    if isinstance(v, river.Ref):
        return f"⟨{v.name}⟩"
    s = str(v).strip()
    return s or None


def _prom_signer(block: Mapping[str, Any], where: str) -> Signer:
    return Signer(kind=PROM, where=where, region=_str(block.get("region")),
                  service=_str(block.get("service_name")), role_arn=_str(block.get("role_arn")),
                  profile=_str(block.get("profile")), access_key=_str(block.get("access_key")),
                  secret_key=_str(block.get("secret_key")), external_id=_str(block.get("external_id")))


def _otel_signer(block: Mapping[str, Any] | None, assume: Mapping[str, Any] | None, where: str) -> Signer:
    block = block or {}
    assume = assume or {}
    return Signer(kind=OTEL, where=where, region=_str(block.get("region")), service=_str(block.get("service")),
                  role_arn=_str(assume.get("arn")), sts_region=_str(assume.get("sts_region")))


_SIGV4_KEYS = {"region", "access_key", "secret_key", "profile", "role_arn", "external_id", "use_fips_sts_endpoint",
               "service_name"}


def _from_yaml_doc(doc: dict[str, Any], prefix: str, cfg: AgentConfig) -> str | None:
    kinds: list[str] = []
    if isinstance(doc.get("remote_write"), list):
        kinds.append("Prometheus")
        _remote_writes(doc["remote_write"], f"{prefix}remote_write", cfg)
    metrics = doc.get("metrics")
    if isinstance(metrics, dict) and ("configs" in metrics or "global" in metrics):
        kinds.append("Grafana Agent static")
        glob = metrics.get("global") or {}
        glob_rw = glob.get("remote_write") if isinstance(glob, dict) else None
        instances = [c for c in metrics.get("configs") or [] if isinstance(c, dict)]
        # global.remote_write is the default of every instance that declares none of its own.
        for i, inst in enumerate(instances):
            label = inst.get("name", i)
            if isinstance(inst.get("remote_write"), list):
                _remote_writes(inst["remote_write"], f"{prefix}metrics.configs[{label}].remote_write", cfg)
            elif isinstance(glob_rw, list):
                _remote_writes(glob_rw, f"{prefix}metrics.configs[{label}] (global remote_write)", cfg)
        if not instances and isinstance(glob_rw, list):
            _remote_writes(glob_rw, f"{prefix}metrics.global.remote_write", cfg)
    integrations = doc.get("integrations")
    if isinstance(integrations, dict) and isinstance(integrations.get("prometheus_remote_write"), list):
        kinds.append("Grafana Agent static")
        _remote_writes(integrations["prometheus_remote_write"], f"{prefix}integrations.prometheus_remote_write",
                       cfg)
    if isinstance(doc.get("exporters"), dict) or isinstance(doc.get("extensions"), dict):
        kinds.append("OpenTelemetry Collector")
        _otel(doc, prefix, cfg)
    if not kinds and doc and set(doc) <= _SIGV4_KEYS:
        cfg.loose.append(_prom_signer(doc, f"{prefix}sigv4 block"))
        kinds.append("Prometheus sigv4 block")
    return " + ".join(dict.fromkeys(kinds)) or None


def _remote_writes(items: list[Any], where: str, cfg: AgentConfig) -> None:
    for i, rw in enumerate(items):
        if not isinstance(rw, dict):
            continue
        label = f"{where}[{rw['name'] if rw.get('name') else i}]"
        sig = rw.get("sigv4")
        signer = _prom_signer(sig if isinstance(sig, dict) else {}, f"{label}.sigv4") if "sigv4" in rw else None
        cfg.endpoints.append(Endpoint(component=label, url=_str(rw.get("url")), signer=signer))


def _otel(doc: dict[str, Any], prefix: str, cfg: AgentConfig) -> None:
    service = doc.get("service") if isinstance(doc.get("service"), dict) else {}
    # None: the file has no service.extensions at all (a fragment), so nothing can be said about enabling.
    enabled_ext = set(service.get("extensions") or []) if isinstance(service, dict) and "extensions" in service \
        else None
    used_exporters: set[str] = set()
    pipelines = service.get("pipelines") if isinstance(service, dict) else None
    for pipe in (pipelines or {}).values() if isinstance(pipelines, dict) else []:
        if isinstance(pipe, dict):
            used_exporters.update(x for x in pipe.get("exporters") or [] if isinstance(x, str))
    signers: dict[str, Signer] = {}
    for name, ext in (doc.get("extensions") or {}).items():
        if str(name).split("/")[0] != "sigv4auth":
            continue
        body = ext if isinstance(ext, dict) else {}
        s = _otel_signer(body, body.get("assume_role") if isinstance(body.get("assume_role"), dict) else None,
                         f"{prefix}extensions.{name}")
        s.enabled = enabled_ext is None or name in enabled_ext
        signers[str(name)] = s
    attached: set[str] = set()
    for name, exp in (doc.get("exporters") or {}).items():
        body = exp if isinstance(exp, dict) else {}
        base = str(name).split("/")[0]
        where = f"{prefix}exporters.{name}"
        notes: list[str] = []
        if used_exporters and name not in used_exporters:
            notes.append("not used by any pipeline")
        if base in ("awsemf", "awsxray", "awscloudwatchlogs", "awskinesis", "awss3"):
            # AWS SDK clients: they sign themselves; their endpoint comes from region (or `endpoint`).
            s = Signer(kind=AWS_SDK, where=where, region=_str(body.get("region")),
                       role_arn=_str(body.get("role_arn")))
            cfg.endpoints.append(Endpoint(where, _str(body.get("endpoint")), s,
                                          [f"{base} is an AWS SDK client: the SDK signs", *notes]))
            continue
        if base == "awsprometheusremotewrite":
            aws_auth = body.get("aws_auth") if isinstance(body.get("aws_auth"), dict) else None
            s2 = Signer(kind=OTEL, where=f"{where}.aws_auth", region=_str((aws_auth or {}).get("region")),
                        service=_str((aws_auth or {}).get("service"))) if aws_auth else None
            cfg.endpoints.append(Endpoint(where, _str(body.get("endpoint")), s2,
                                          ["legacy exporter (removed from the collector): use "
                                           "prometheusremotewrite with sigv4auth", *notes]))
            continue
        url = _str(body.get("endpoint"))
        auth = body.get("auth") if isinstance(body.get("auth"), dict) else {}
        authenticator = _str(auth.get("authenticator")) if auth else None
        signer = None
        if authenticator and authenticator.split("/")[0] == "sigv4auth":
            signer = signers.get(authenticator)
            attached.add(authenticator)
            if signer is None:
                notes.append(f"auth.authenticator {authenticator} is not defined under extensions")
            elif not signer.enabled:
                notes.append(f"extension {authenticator} is not listed in service.extensions: the collector "
                             "refuses to start")
        elif authenticator:
            notes.append(f"authenticates with {authenticator}, not SigV4")
        if url is None and not authenticator:
            continue
        cfg.endpoints.append(Endpoint(where, url, signer, notes))
    for name, s in signers.items():
        if name not in attached:
            cfg.loose.append(s)
            cfg.notes.append(f"extension {name} is defined but no exporter uses it (auth.authenticator)")


def _from_river(text: str, env: Mapping[str, str], name: str) -> AgentConfig:
    try:
        doc = river.parse(text, env)
    except river.RiverError as e:
        raise ConfigError(f"{name}: not valid River: {e}") from e
    cfg = AgentConfig(path=name, kind="Grafana Alloy / Agent Flow (River)")
    sigv4_components: dict[str, Signer] = {}
    for b in doc.root.blocks:
        if b.name == "otelcol.auth.sigv4":
            sigv4_components[f"otelcol.auth.sigv4.{b.label}"] = _otel_signer(
                b.attrs, (b.child("assume_role") or river.Block("assume_role")).attrs, b.address)
    used: set[str] = set()
    for b in doc.root.blocks:
        if b.name == "prometheus.remote_write":
            for i, ep in enumerate(b.children("endpoint")):
                label = f'{b.address} endpoint[{_str(ep.attrs.get("name")) or i}]'
                sig = ep.child("sigv4")
                signer = _prom_signer(sig.attrs, f"{label}.sigv4") if sig is not None else None
                cfg.endpoints.append(Endpoint(label, _str(ep.attrs.get("url")), signer))
        elif b.name.startswith("otelcol.exporter."):
            client = b.child("client")
            if client is None:
                continue
            url = _str(client.attrs.get("endpoint"))
            auth = client.attrs.get("auth")
            signer = None
            notes: list[str] = []
            if isinstance(auth, river.Ref):
                comp = auth.name.removesuffix(".handler")
                if comp.startswith("otelcol.auth.sigv4."):
                    signer = sigv4_components.get(comp)
                    used.add(comp)
                    if signer is None:
                        notes.append(f"auth refers to {comp}, which is not defined in this file")
                else:
                    notes.append(f"authenticates with {comp}, not SigV4")
            cfg.endpoints.append(Endpoint(b.address, url, signer, notes))
    for comp, s in sigv4_components.items():
        if comp not in used:
            cfg.loose.append(s)
            cfg.notes.append(f"{s.where} is defined but no exporter uses its handler")
    if not cfg.endpoints and not cfg.loose:
        raise ConfigError(f"{name}: no prometheus.remote_write or otelcol.exporter / otelcol.auth.sigv4 component")
    _collect_placeholders(cfg)
    return cfg


def _collect_placeholders(cfg: AgentConfig) -> None:
    values: list[str | None] = []
    for e in cfg.endpoints:
        values.append(e.url)
    for s in cfg.signers():
        values += [s.region, s.service, s.role_arn, s.profile]
    for v in values:
        if v and PLACEHOLDER_RE.search(v) and v not in cfg.placeholders:
            cfg.placeholders.append(v)


def has_placeholder(v: str | None) -> bool:
    return bool(v) and PLACEHOLDER_RE.search(v or "") is not None


# ---------------------------------------------------------------------------------------------------- judging


@datarecord
class Judgement:
    findings: list[Finding]
    settings: dict[str, Any]
    data: dict[str, Any]


def _fallback_region(env: Mapping[str, str], profile: str | None, config_text: str | None) -> tuple[str | None, str]:
    """The region the SDK falls back to when the config names none, and where it came from."""
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(var):
            return env[var], var
    if config_text:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(config_text)
        except configparser.Error:
            return None, "nowhere"
        prof = profile or env.get("AWS_PROFILE") or "default"
        section = "default" if prof == "default" else f"profile {prof}"
        if parser.has_option(section, "region"):
            return parser.get(section, "region"), f"region of profile {prof} in the shared config file"
    return None, "nowhere"


def _target(url: str | None) -> Target | None:
    if not url or has_placeholder(url):
        return None
    if "://" not in url and not re.match(r"^[\w.-]+\.amazonaws\.com", url):
        return None  # host:port gRPC endpoints and the like are not AWS URLs
    try:
        t = parse_target(url)
    except TargetError:
        return None
    return t if t.recognised else None


def _otel_inferred(url: str | None) -> tuple[str | None, str | None]:
    """What sigv4auth infers when region/service are unset: only hosts starting `aps-workspaces` or `search-`."""
    if not url:
        return None, None
    from urllib.parse import urlsplit

    host = urlsplit(url if "://" in url else "https://" + url).hostname or ""
    for prefix, service in (("aps-workspaces", "aps"), ("search-", "es")):
        if host.startswith(prefix):
            rest = host.split(".", 1)[1] if "." in host else ""
            return service, (rest.split(".", 1)[0] or None) if rest else None
    return None, None


def judge(cfg: AgentConfig, env: Mapping[str, str], *, identity: Any = None,
          shared_config_text: str | None = None) -> Judgement:
    findings: list[Finding] = []
    rows: list[dict[str, Any]] = []
    targets: list[str] = []
    regions: list[str] = []
    services: list[str] = []
    role_arns: list[str] = []
    profiles: list[str] = []
    key_places: list[dict[str, Any]] = []

    declared_regions: list[str] = []
    declared_services: list[str] = []
    for s in cfg.signers():
        _check_signer(s, findings, key_places)
        if s.region and not has_placeholder(s.region) and REGION_RE.match(s.region):
            declared_regions.append(s.region)
        if s.service and not has_placeholder(s.service):
            declared_services.append(s.service)
        if s.role_arn and parse_role_arn(s.role_arn) is not None:
            role_arns.append(s.role_arn)
            _check_self_assumption(s, env, identity, cfg.base_roles, findings)
        if s.profile and not has_placeholder(s.profile):
            profiles.append(s.profile)

    for ep in cfg.endpoints:
        t = _target(ep.url)
        row: dict[str, Any] = {"component": ep.component, "url": ep.url, "signed": ep.signer is not None,
                               "signer": ep.signer.public() if ep.signer else None, "notes": list(ep.notes),
                               "aws": t is not None}
        rows.append(row)
        if ep.url and has_placeholder(ep.url):
            row["notes"].append("URL is a template placeholder: pass the real URL with --target")
        if t is None:
            continue
        row["service"], row["url_region"] = t.kind, t.region
        if ep.url:
            targets.append(ep.url)
        signer = ep.signer
        if signer is None:
            findings.append(Finding(P + "request-not-signed", Status.FAIL,
                                    f"{ep.component} sends to AWS ({t.host}) without SigV4: AWS answers "
                                    "403 Missing Authentication Token",
                                    {"component": ep.component, "url": ep.url,
                                     "fix": _unsigned_fix(ep.component)}))
            continue
        region, service = _effective(signer, ep, t, env, shared_config_text, findings)
        if region:
            regions.append(region)
        if service:
            services.append(service)

    settings = {
        "targets": list(dict.fromkeys(targets)),
        # The region requests to AWS are signed for; else what the config declares for signing at all.
        "region": _one(regions) or _one(declared_regions),
        "role_arn": _one(role_arns),
        "profile": _one(profiles),
        "service": _one(services) or _one(declared_services),
    }
    signed = sum(1 for r in rows if r["signed"])
    aws = [r for r in rows if r["aws"]]
    msg = (f"{cfg.kind}: {len(rows)} endpoint(s), {signed} signed with SigV4, {len(aws)} to AWS"
           + (f"; settings derived: region {settings['region']}" if settings["region"] else ""))
    evidence: dict[str, Any] = {"path": cfg.path, "kind": cfg.kind, "endpoints": len(rows),
                                "aws_targets": settings["targets"]}
    if cfg.placeholders:
        evidence["placeholders"] = cfg.placeholders
        msg += f"; {len(cfg.placeholders)} template placeholder(s) left unresolved (pass --target/--region)"
    if cfg.notes:
        evidence["notes"] = cfg.notes
    findings.insert(0, Finding(P + "config", Status.PASS, msg, evidence))
    if key_places:
        findings.append(Finding(P + "long-lived-keys", Status.WARN,
                                "static access keys are written in the agent's configuration file "
                                f"({', '.join(k['where'] for k in key_places)})",
                                {"places": key_places, "path": cfg.path,
                                 "fix": ["Remove access_key/secret_key from the config and let the SDK's default "
                                         "chain find a role (IRSA, Pod Identity, instance profile)"]}))
    data = {"config": {"path": cfg.path, "kind": cfg.kind, "endpoints": rows, "notes": cfg.notes,
                       "placeholders": cfg.placeholders, "base_roles": cfg.base_roles}}
    return Judgement(findings, settings, data)


def _one(values: list[str]) -> str | None:
    uniq = list(dict.fromkeys(values))
    return uniq[0] if len(uniq) == 1 else (uniq[0] if uniq else None)


def _unsigned_fix(component: str) -> list[str]:
    if "exporters." in component:
        return ["Add the sigv4auth extension and `auth: {authenticator: sigv4auth}` to this exporter, and list "
                "sigv4auth under service.extensions"]
    if component.startswith("otelcol.exporter"):
        return ["Add an `otelcol.auth.sigv4` component and set `auth = otelcol.auth.sigv4.<name>.handler` in client"]
    return ["Add a `sigv4` block (with `region`) to this remote_write endpoint"]


def _check_signer(s: Signer, findings: list[Finding], key_places: list[dict[str, Any]]) -> None:
    if s.region and not has_placeholder(s.region) and not REGION_RE.match(s.region):
        findings.append(Finding(P + "config-invalid", Status.WARN,
                                f"{s.where}: region {s.region!r} is not an AWS region name (like us-east-1)",
                                {"where": s.where, "region": s.region}))
    if s.access_key or s.secret_key:
        if bool(s.access_key) != bool(s.secret_key):
            missing = "secret_key" if s.access_key else "access_key"
            findings.append(Finding(P + "config-invalid", Status.FAIL,
                                    f"{s.where}: access_key and secret_key must be set together ({missing} is "
                                    "missing); the agent refuses this configuration",
                                    {"where": s.where, "missing": missing}))
        key_places.append({"where": s.where,
                           "access_key": mask_key_id(s.access_key) if s.access_key else None})
    if s.role_arn and not has_placeholder(s.role_arn) and parse_role_arn(s.role_arn) is None:
        findings.append(Finding(P + "config-invalid", Status.WARN,
                                f"{s.where}: role_arn {s.role_arn!r} is not an IAM role ARN "
                                "(arn:aws:iam::ACCOUNT:role/NAME); STS will reject it",
                                {"where": s.where, "role_arn": s.role_arn}))


def _check_self_assumption(s: Signer, env: Mapping[str, str], identity: Any, base_roles: list[str],
                           findings: list[Finding]) -> None:
    role = parse_role_arn(s.role_arn or "")
    if role is None:
        return
    base_arn: str | None = None
    source = ""
    ident_arn = identity.get("arn") if isinstance(identity, dict) else getattr(identity, "arn", None)
    if isinstance(ident_arn, str):
        base = parse_principal(ident_arn)
        if assumes_itself(base, role):
            base_arn, source = ident_arn, "the caller identity STS reported"
    if base_arn is None:
        for arn, src in [(env.get("AWS_ROLE_ARN"), "AWS_ROLE_ARN (IRSA web identity role)"),
                         *((r, "the ServiceAccount's eks.amazonaws.com/role-arn") for r in base_roles)]:
            other = parse_role_arn(arn or "")
            if other and other.arn == role.arn:
                base_arn, source = arn, src
                break
    if base_arn is None:
        return
    findings.append(Finding(P + "role-self-assumption", Status.WARN,
                            f"{s.where}: role_arn {role.arn} is the agent's own base role ({source}): the role "
                            "assumes itself, which needs a trust policy naming it explicitly and is rarely intended",
                            {"where": s.where, "role_arn": role.arn, "base": base_arn,
                             "fix": ["Remove role_arn when the base credentials already are that role"]}))


def _effective(s: Signer, ep: Endpoint, t: Target, env: Mapping[str, str], shared_config_text: str | None,
               findings: list[Finding]) -> tuple[str | None, str | None]:
    """The region and service this endpoint's requests are signed for, with findings on how they go wrong."""
    region = s.region if s.region and not has_placeholder(s.region) else None
    service = s.service if s.service and not has_placeholder(s.service) else None
    ev_base = {"component": ep.component, "url": ep.url, "url_region": t.region, "where": s.where}
    if s.kind == AWS_SDK:
        return region or t.region, service or t.signing_name
    if s.kind == OTEL and (region is None or service is None):
        inf_service, inf_region = _otel_inferred(ep.url)
        unset = [n for n, v in (("region", s.region), ("service", s.service)) if not v]
        if inf_service is None and unset:
            findings.append(Finding(
                P + "sigv4auth-cannot-infer", Status.WARN,
                f"{s.where}: {' and '.join(unset)} not set, and sigv4auth infers them only from hosts starting "
                f"with aps-workspaces or search- — not from {t.host}"
                + (" (a VPC endpoint name)" if t.vpce else ""),
                {**ev_base, "unset": unset,
                 "fix": [f"Set region: {t.region or '<region>'} and service: {t.signing_name or '<service>'} in "
                         f"{s.where}"]}))
        region = region or inf_region
        service = service or inf_service
    if region is None and s.region and has_placeholder(s.region):
        return None, service  # a template placeholder: nothing to judge until it is filled in
    if region is None:
        fb, src = _fallback_region(env, s.profile, shared_config_text)
        if s.kind == OTEL:
            findings.append(Finding(P + "region-missing", Status.WARN,
                                    f"{s.where}: no region, and none can be inferred from {t.host}: requests "
                                    "are signed with an empty region and rejected",
                                    {**ev_base, "fix": [f"Set region: {t.region} in {s.where}"]}))
            return None, service
        fb_msg = f"{fb} from {src}" if fb else "nothing (no AWS_REGION, AWS_DEFAULT_REGION or profile region)"
        findings.append(Finding(P + "region-missing", Status.WARN if fb else Status.FAIL,
                                f"{s.where}: no region in the sigv4 block; the SDK falls back to {fb_msg}"
                                + ("" if fb else ": the agent fails with 'region not configured in sigv4'"),
                                {**ev_base, "fallback": fb, "fallback_from": src,
                                 "fix": [f"Set region: {t.region} in {s.where}"] if t.region else []}))
        region = fb
        if region and t.region and region != t.region:
            findings.append(_mismatch(s, ep, t, region, f"the fallback region from {src}"))
        return region, service or (PROMETHEUS_DEFAULT_SERVICE if s.kind == PROM else None)
    if t.region and region != t.region:
        findings.append(_mismatch(s, ep, t, region, "the sigv4 block"))
    if s.kind == PROM and service is None:
        service = PROMETHEUS_DEFAULT_SERVICE
    if service and t.signing_name and service != t.signing_name:
        findings.append(Finding(P + "service-name-mismatch", Status.FAIL,
                                f"{s.where}: signs for service {service!r} but {t.host} expects "
                                f"{t.signing_name!r}" + (" (Prometheus sigv4 defaults to 'aps')"
                                                         if s.kind == PROM and not s.service else ""),
                                {**ev_base, "service": service, "expected": t.signing_name,
                                 "fix": [f"Set {'service_name' if s.kind == PROM else 'service'}: "
                                         f"{t.signing_name} in {s.where}"]}))
    return region, service


def _mismatch(s: Signer, ep: Endpoint, t: Target, region: str, source: str) -> Finding:
    return Finding(P + "region-mismatch", Status.FAIL,
                   f"{ep.component}: signs for {region} ({source}) but {t.host} is in {t.region}: AWS rejects "
                   "the signature (credential scope region)",
                   {"component": ep.component, "url": ep.url, "where": s.where, "signing_region": region,
                    "url_region": t.region, "fix": [f"Set region: {t.region} in {s.where}"]})
