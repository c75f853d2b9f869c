"""Loading agent YAML as people actually ship it: templates with `{{placeholders}}`, Kubernetes manifests that
embed the real config in a ConfigMap, and template fragments whose first line sits at another indentation.

PyYAML's safe loader does the parsing; this module only makes such files parseable and says what it had to do.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any

import yaml

from sigdoctor.agent import river
from sigdoctor.records import datarecord

# `endpoint: {{endpoint}}` is a YAML flow mapping with an unhashable key, and `[ ${a}:${b} ]` breaks a flow
# sequence: placeholders are swapped for plain tokens while parsing and restored in the parsed strings.
_PLACEHOLDER = re.compile(r"\{\{\s*[\w.-]+\s*\}\}|\$\{[^}\n]*\}")
_TOKEN = "SIGDOCTORPLACEHOLDER{}X"
_TOKEN_RE = re.compile(r"SIGDOCTORPLACEHOLDER(\d+)X")


class YamlConfigError(ValueError):
    pass


@datarecord
class Loaded:
    """Documents of one file (or of configs embedded in it), with what was done to read them."""

    documents: list[tuple[str, Any]] = field(default_factory=list)  # (where, document)
    # River sources embedded in a ConfigMap (the Alloy Helm chart's `config.alloy` key): (where, text).
    river_sources: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # IRSA role of a ServiceAccount in the same manifest (eks.amazonaws.com/role-arn): the agent's base role.
    service_account_roles: list[str] = field(default_factory=list)


def _load_all(text: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _reindent(text: str) -> str | None:
    """A fragment cut from a larger template: line 1 at column 0, the rest sharing a deeper indentation."""
    lines = text.splitlines()
    if not lines or lines[0][:1].isspace():
        return None
    rest = [ln for ln in lines[1:] if ln.strip() and not ln.lstrip().startswith("#")]
    if not rest:
        return None
    top = min(len(ln) - len(ln.lstrip(" ")) for ln in rest)
    if top == 0:
        return None
    # The first line's children are indented deeper than the common margin; shift everything but line 1.
    return "\n".join([lines[0], *(ln[top:] if ln[:top].isspace() else ln.lstrip(" ") for ln in lines[1:])])


def load(text: str) -> Loaded:
    out = Loaded()
    seen: list[str] = []

    def swap(m: re.Match[str]) -> str:
        seen.append(m.group())
        return _TOKEN.format(len(seen) - 1)

    fixed = _PLACEHOLDER.sub(swap, text)
    try:
        docs = _load_all(fixed)
    except yaml.YAMLError as first:
        again = _reindent(fixed)
        if again is None:
            raise YamlConfigError(_yaml_message(first)) from first
        try:
            docs = _load_all(again)
        except yaml.YAMLError:
            raise YamlConfigError(_yaml_message(first)) from first
        out.notes.append("not valid YAML as written (its first line is indented differently from the rest: a "
                         "fragment of a larger template?); read after re-indenting — the agent would reject it as is")
    docs = [_restore(d, seen) for d in docs]
    for i, doc in enumerate(docs):
        where = f"document {i + 1}" if len(docs) > 1 else ""
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
            _kubernetes(doc, out)
        else:
            out.documents.append((where, doc))
    return out


def _restore(value: Any, seen: list[str]) -> Any:
    if isinstance(value, str):
        return _TOKEN_RE.sub(lambda m: seen[int(m.group(1))], value)
    if isinstance(value, dict):
        return {_restore(k, seen): _restore(v, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, seen) for v in value]
    return value


def _kubernetes(doc: dict[str, Any], out: Loaded) -> None:
    kind = doc.get("kind")
    meta = doc.get("metadata") or {}
    name = meta.get("name", "?") if isinstance(meta, dict) else "?"
    if kind == "ServiceAccount" and isinstance(meta, dict):
        role = (meta.get("annotations") or {}).get("eks.amazonaws.com/role-arn")
        if isinstance(role, str):
            out.service_account_roles.append(role)
            out.notes.append(f"ServiceAccount {name} uses IRSA role {role}")
    if kind != "ConfigMap" or not isinstance(doc.get("data"), dict):
        return
    for key, value in doc["data"].items():
        if not isinstance(value, str):
            continue
        if str(key).endswith((".alloy", ".river")) or river.looks_like_river(value):
            out.river_sources.append((f"ConfigMap {name} key {key}", value))
            continue
        if ":" not in value:
            continue
        try:
            inner = load(value)
        except YamlConfigError:
            continue
        for where, d in inner.documents:
            if isinstance(d, dict):
                out.documents.append((f"ConfigMap {name} key {key}" + (f" {where}" if where else ""), d))
        out.river_sources.extend(inner.river_sources)
        out.notes.extend(inner.notes)
        out.service_account_roles.extend(inner.service_account_roles)


def _yaml_message(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return f"not valid YAML: {problem}" + (f" (line {mark.line + 1}, column {mark.column + 1})" if mark else "")
