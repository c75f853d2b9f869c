"""What a `--target` is: from a URL (as in the agent's config) or an ARN, derive the service, signing name, region,
partition, account, resource ARN and the IAM actions the agent needs.

Per-service knowledge lives in checks/targets/<id>.toml; partitions, DNS suffixes and region patterns come from
botocore's own endpoint data (no hand-written partition tables).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sigdoctor.records import datarecord
from sigdoctor.resources import targets_dir

_REQUIRED = {"id", "title", "signing_name", "botocore_service", "hosts", "arns", "url_from_arn", "default_actions",
             "resource", "harmless"}
_FIELD_RE = re.compile(r"\{(\w+)\}")


class TargetError(ValueError):
    """A target that cannot be read at all (not a URL, not an ARN)."""


@datarecord(frozen=True)
class Partition:
    name: str
    dns_suffix: str
    region_regex: str

    def has_region(self, region: str) -> bool:
        return re.match(self.region_regex, region) is not None


@datarecord(frozen=True)
class _PathRule:
    match: re.Pattern[str]
    actions: tuple[str, ...]
    when_host_lacks: str | None


@datarecord(frozen=True)
class TargetKind:
    id: str
    title: str
    signing_name: str
    botocore_service: str
    hosts: tuple[re.Pattern[str], ...]
    arns: tuple[re.Pattern[str], ...]
    url_from_arn: str
    default_actions: tuple[str, ...]
    resource: str
    resources: dict[str, str]
    paths: tuple[_PathRule, ...]
    harmless: dict[str, str]


@datarecord(frozen=True)
class Target:
    input: str
    kind: str | None
    title: str
    url: str | None = None
    host: str | None = None
    port: int | None = None
    region: str | None = None
    partition: str | None = None
    dns_suffix: str | None = None
    signing_name: str | None = None
    account: str | None = None
    vpce: str | None = None
    fips: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    # action -> resource ARN template ({account} may still be open until identity fills it)
    resource_templates: dict[str, str] = field(default_factory=dict)
    harmless: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def recognised(self) -> bool:
        return self.kind is not None

    def permissions(self, account: str | None = None) -> list[tuple[str, str]]:
        """(action, resource ARN) pairs; unknown parts of the ARN become `*`."""
        values = {"partition": self.partition or "aws", "region": self.region or "*",
                  "account": self.account or account or "*", **self.fields}
        return [(a, _fill(self.resource_templates.get(a, "*"), values)) for a in self.actions]

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input, "service": self.kind, "title": self.title, "url": self.url, "host": self.host,
            "region": self.region, "partition": self.partition, "signing_name": self.signing_name,
            "account": self.account, "vpc_endpoint": self.vpce, "fips": self.fips, "resource": dict(self.fields),
            "permissions": [{"action": a, "resource": r} for a, r in self.permissions()],
            "harmless_request": self.harmless.get("description"), "notes": list(self.notes),
        }


def _fill(template: str, values: dict[str, str]) -> str:
    return _FIELD_RE.sub(lambda m: values.get(m.group(1)) or "*", template)


@cache
def partitions() -> tuple[Partition, ...]:
    import botocore.loaders

    # partitions.json (9 KB) has the names, DNS suffixes and region patterns of endpoints.json (1.2 MB, ~30 ms
    # to parse), in the same order for the partitions that share a suffix (aws before aws-us-gov).
    data = botocore.loaders.create_loader().load_data("partitions")
    return tuple(Partition(p["id"], p["outputs"]["dnsSuffix"], p["regionRegex"]) for p in data["partitions"])


def partition_for_region(region: str) -> Partition | None:
    return next((p for p in partitions() if p.has_region(region)), None)


@cache
def kinds(folder: Path | None = None) -> tuple[TargetKind, ...]:
    out = []
    for path in sorted((folder or targets_dir()).glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        missing = _REQUIRED - raw.keys()
        if missing or raw["id"] != path.stem:
            raise ValueError(f"{path.name}: missing keys {sorted(missing)} or id != file name")
        out.append(TargetKind(
            id=raw["id"], title=raw["title"], signing_name=raw["signing_name"],
            botocore_service=raw["botocore_service"],
            hosts=tuple(re.compile(h) for h in raw["hosts"]), arns=tuple(re.compile(a) for a in raw["arns"]),
            url_from_arn=raw["url_from_arn"], default_actions=tuple(raw["default_actions"]),
            resource=raw["resource"], resources=dict(raw.get("resources", {})),
            paths=tuple(_PathRule(re.compile(p["match"]), tuple(p["actions"]), p.get("when_host_lacks"))
                        for p in raw.get("paths", [])),
            harmless=dict(raw["harmless"]),
        ))
    return tuple(out)


def parse_target(text: str, *, region: str | None = None) -> Target:
    """Parse a --target. `region` is the agent's signing region (--region), used only where the target names none."""
    text = text.strip()
    if not text:
        raise TargetError("empty --target")
    if text.startswith("arn:"):
        return _from_arn(text)
    return _from_url(text, region)


def _from_arn(arn: str) -> Target:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise TargetError(f"{arn!r} is not an ARN (arn:partition:service:region:account:resource)")
    for kind in kinds():
        for pattern in kind.arns:
            m = pattern.match(arn)
            if not m:
                continue
            groups = {k: v for k, v in m.groupdict().items() if v}
            part = next((p for p in partitions() if p.name == groups.get("partition")), None)
            region = groups.get("region")
            notes = [f"service {kind.id} from the ARN"]
            url = None
            if kind.url_from_arn and part and region:
                url = _fill(kind.url_from_arn, {**groups, "dns_suffix": part.dns_suffix})
            elif kind.id == "s3":
                notes.append("bucket region unknown from an S3 ARN: pass --region or the bucket URL")
            return _build(kind, arn, url=url, region=region, partition=part, account=groups.get("account"),
                          fields=groups, notes=notes, host_groups={})
    return Target(input=arn, kind=None, title="unrecognised ARN", account=_digits(parts[4]),
                  region=parts[3] or None, partition=parts[1],
                  notes=(f"ARN service {parts[2]!r} is not a target sigdoctor knows "
                         f"({', '.join(k.id for k in kinds())}); its actions are not inferred",))


def _digits(s: str) -> str | None:
    return s if re.fullmatch(r"\d{12}", s) else None


def _from_url(url: str, region: str | None) -> Target:
    if "://" not in url:
        url = "https://" + url
    try:
        split = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL": an unclosed [
        raise TargetError(f"{url!r} is not a valid URL: {exc}") from exc
    host = (split.hostname or "").lower().rstrip(".")
    if not host:
        raise TargetError(f"{url!r} has no host name")
    try:
        port = split.port or (443 if split.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetError(f"{url!r}: {exc}") from exc
    suffix_part = _partition_by_suffix(host)
    if suffix_part is not None:
        labels = host[: -len(suffix_part.dns_suffix) - 1]
        for kind in kinds():
            for pattern in kind.hosts:
                m = pattern.match(labels)
                if not m:
                    continue
                groups = {k: v for k, v in m.groupdict().items() if v}
                host_region = groups.get("region")
                notes: list[str] = [f"service {kind.id} from host {host}"]
                if not host_region:
                    host_region = "us-east-1" if kind.id == "s3" and labels in ("s3",) else region
                    notes.append(f"region not in the host name; using {host_region or 'none (pass --region)'}")
                part = partition_for_region(host_region) if host_region else suffix_part
                return _build(kind, url, url=url, region=host_region, partition=part or suffix_part,
                              account=None, fields=groups, notes=notes, host_groups=groups, path=split.path,
                              host=host, port=port)
    return Target(
        input=url, kind=None, title="unrecognised endpoint", url=url, host=host, port=port, region=region,
        partition=suffix_part.name if suffix_part else None,
        notes=(f"host {host} is not an endpoint sigdoctor knows "
               f"({', '.join(k.id for k in kinds())}); signing name and actions not inferred — pass --service",),
    )


def _partition_by_suffix(host: str) -> Partition | None:
    best: Partition | None = None
    for p in partitions():
        if host.endswith("." + p.dns_suffix) and (best is None or len(p.dns_suffix) > len(best.dns_suffix)):
            best = p
    return best


def _build(kind: TargetKind, text: str, *, url: str | None, region: str | None, partition: Partition | None,
           account: str | None, fields: dict[str, str], notes: list[str], host_groups: dict[str, str],
           path: str = "", host: str | None = None, port: int | None = None) -> Target:
    fields = {k: v for k, v in fields.items() if k not in ("partition", "region", "account", "fips", "vpce")}
    actions = kind.default_actions
    for rule in kind.paths:
        if rule.when_host_lacks and rule.when_host_lacks in host_groups:
            continue
        m = rule.match.match(path or "/")
        if m:
            fields.update({k: v for k, v in m.groupdict().items() if v})
            actions = rule.actions
            break
    if url and host is None:
        split = urlsplit(url)
        host, port = split.hostname, split.port or 443
    open_fields = sorted(set(_FIELD_RE.findall(kind.resource)) - {"partition", "region", "account"} - fields.keys())
    if open_fields:
        notes.append(f"{', '.join(open_fields)} not in the target: resource ARN uses * there")
    if account is None and "{account}" in kind.resource:
        notes.append("account not in the target: taken from the caller's identity")
    templates = {a: kind.resources.get(a, kind.resource) for a in actions}
    return Target(
        input=text, kind=kind.id, title=kind.title, url=url, host=host, port=port, region=region,
        partition=partition.name if partition else None, dns_suffix=partition.dns_suffix if partition else None,
        signing_name=kind.signing_name, account=account, vpce=host_groups.get("vpce"),
        fips=bool(host_groups.get("fips")), fields=fields, actions=actions, resource_templates=templates,
        harmless=kind.harmless, notes=tuple(notes),
    )
