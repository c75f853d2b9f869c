"""`sigdoctor checks` and `sigdoctor explain`: what sigdoctor can check, and the page of one root cause."""

from __future__ import annotations

import difflib
import json
from typing import Any

from sigdoctor.catalog import CATALOG
from sigdoctor.errors import UsageError
from sigdoctor.resources import docs_dir


def checks_data() -> dict[str, Any]:
    from sigdoctor.causes import load_rules
    from sigdoctor.probes import PROBES

    rules = load_rules()
    docs = docs_dir()
    return {
        "probes": [
            {"id": p.id, "title": p.title, "implemented": p.implemented, "requires": list(p.requires),
             "findings": list(p.emits)}
            for p in PROBES
        ],
        "root_causes": [
            {
                "id": cid,
                "meaning": meaning,
                "severity": rules[cid].severity.value if cid in rules else None,
                "detected": cid in rules,
                "docs": f"docs/causes/{cid}.md" if (docs / f"{cid}.md").is_file() else None,
            }
            for cid, meaning in CATALOG.items()
        ],
    }


def render_checks(fmt: str) -> str:
    data = checks_data()
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    md = fmt == "markdown"
    lines = ["## Probes (in run order)" if md else "Probes (in run order):"]
    for p in data["probes"]:
        state = "" if p["implemented"] else "  (not implemented yet)"
        lines.append(f"{'- ' if md else '  '}{p['id']:<13} {p['title']}{state}")
    lines += ["", "## Root causes" if md else "Root causes (sigdoctor explain ID):"]
    for c in data["root_causes"]:
        sev = c["severity"] or "-"
        state = "" if c["detected"] else "  (not detected yet)"
        lines.append(f"{'- ' if md else '  '}{c['id']:<34} {sev:<8} {c['meaning']}{state}")
    detected = sum(1 for c in data["root_causes"] if c["detected"])
    ready = sum(1 for p in data["probes"] if p["implemented"])
    lines += ["", f"{ready} of {len(data['probes'])} probes implemented; {detected} of {len(CATALOG)} causes detected."]
    return "\n".join(lines) + "\n"


def cause_page(cause_id: str) -> str:
    if cause_id not in CATALOG:
        close = difflib.get_close_matches(cause_id, list(CATALOG), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "sigdoctor checks lists every cause id"
        raise UsageError(f"unknown cause id {cause_id!r}", hint)
    page = docs_dir() / f"{cause_id}.md"
    try:
        return page.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"no documentation page for {cause_id} ({exc.strerror})", "reinstall sigdoctor") from exc
