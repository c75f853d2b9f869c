#!/usr/bin/env python3
"""How often an error is right: for each reading path that makes decode's *first error-severity* cause, how often
the text's label is that cause (the calibration of `error` against the corpus, issue 11's "an error only where the
text decides").

    PYTHONPATH=. .venv/bin/python bench/severity.py [BATCH ...] [--blind BATCH] [--json] [--min N]

Every text of tests/corpus/batch*/ is decoded in this process (the CLI's own `main(["decode", "--format", "json",
FILE])`) while each reading (awserrors.hit.Hit) is tagged with the function that made it; a hit read from the error
table (checks/errors/*.toml) is named by its entry (`table:<entry name>`). For the first error-severity root cause of
each report the path is that of the failing finding behind it. Per (cause, path) it prints, for the tuned batches and
the blind one separately (default blind: the highest-numbered batch):

* n — texts whose first error is this cause from this path;
* right — of them, the label is that cause;
* ooc — the label is `out-of-catalog` (any error there is a false diagnosis);
* other — another catalog cause is the label;
* and per decide.toml judgement (`yes` / `partly` / `no`: does the text alone show its labelled cause) how many.

A path whose error is right well under ~80 % and whose texts hold no words that decide it belongs in the undecided
form (awserrors/rules.py `_undecided`: ranked warnings, each with what it needs and the command that decides).
Nothing is asserted: figures are reported, as bench/corpus.py's.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import CORPUS, OUT_OF_CATALOG, decode_in_process, load_decide, load_index  # noqa: E402

_TAG = "_reading"
_SKIP = ("sigdoctor/records.py", "sigdoctor/awserrors/hit.py")


def _instrument() -> None:
    """Tag every Hit with the function that built it (the first frame outside the record machinery)."""
    from sigdoctor.awserrors.hit import Hit

    init = Hit.__init__

    def tagged(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        f = sys._getframe(1)
        while f is not None and f.f_code.co_filename.endswith(_SKIP):
            f = f.f_back
        if f is not None and _TAG not in self.extra:
            mod = Path(f.f_code.co_filename).stem
            self.extra = {**self.extra, _TAG: f"{mod}.{f.f_code.co_name}"}

    Hit.__init__ = tagged  # type: ignore[method-assign]


def first_error(report: dict[str, Any]) -> tuple[str, str] | None:
    """(cause, path) of the report's first error-severity root cause, or None when it names no error."""
    cause = next((c["id"] for c in report.get("root_causes", []) if c.get("severity") == "error"), None)
    if cause is None:
        return None
    findings = [f for p in report.get("probes", []) for f in p.get("findings", []) if f.get("id") == f"decode.{cause}"]
    ev = next((f.get("evidence", {}) for f in findings if f.get("status") == "fail"), None)
    if ev is None:  # an error only through a symptom folded into it (causes.diagnose)
        return cause, "folded"
    if ev.get("error_entry"):
        return cause, f"table:{ev['error_entry']}"
    return cause, str(ev.get(_TAG, "?"))


def _batch_no(name: str) -> int:
    m = re.search(r"(\d+)$", name)
    return int(m.group(1)) if m else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("batches", nargs="*", help="batch directory names (default: every tests/corpus/batch*)")
    ap.add_argument("--blind", help="the batch reported apart (default: the highest-numbered)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min", type=int, default=1, help="only paths with at least N texts (tuned + blind)")
    args = ap.parse_args(argv)
    names = args.batches or sorted((p.name for p in CORPUS.glob("batch*") if p.is_dir()), key=_batch_no)
    blind = args.blind or max(names, key=_batch_no)
    _instrument()
    table: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: {"tuned": defaultdict(int), "blind": defaultdict(int)})
    exits = {"tuned": [0, 0], "blind": [0, 0]}  # texts with an error, texts
    for name in names:
        batch = CORPUS / name
        shows = load_decide(batch)
        side = "blind" if name == blind else "tuned"
        for entry in load_index(batch):
            try:
                report = decode_in_process(batch / entry["file"])
            except Exception:  # bench/corpus.py reports failures; here they name no error
                report = {}
            got = first_error(report)
            exits[side][1] += 1
            if got is None:
                continue
            exits[side][0] += 1
            row = table[got][side]
            row["n"] += 1
            label = entry["cause"]
            row["right" if label == got[0] else "ooc" if label == OUT_OF_CATALOG else "other"] += 1
            if shows.get(entry["id"]):
                row[f"shows_{shows[entry['id']]}"] += 1
    rows = sorted(table.items(), key=lambda kv: (kv[0][0], -(kv[1]["tuned"]["n"] + kv[1]["blind"]["n"])))
    rows = [r for r in rows if r[1]["tuned"]["n"] + r[1]["blind"]["n"] >= args.min]
    if args.json:
        print(json.dumps({"blind": blind, "texts_with_error": exits,
                          "paths": [{"cause": c, "path": p, **{k: dict(v) for k, v in d.items()}}
                                    for (c, p), d in rows]}, indent=1))
        return 0

    def cell(d: dict[str, int]) -> str:
        n = d["n"]
        if not n:
            return ""
        pct = f"{100 * d['right'] / n:.0f}%"
        return (f"n={n} right {pct} ooc {d['ooc']} other {d['other']} "
                f"(y/p/n {d['shows_yes']}/{d['shows_partly']}/{d['shows_no']})")

    print(f"first error-severity cause by reading path — tuned: every batch but {blind}; blind: {blind}")
    print(f"texts naming an error: tuned {exits['tuned'][0]}/{exits['tuned'][1]}, "
          f"blind {exits['blind'][0]}/{exits['blind'][1]}\n")
    print(f"| cause | path | tuned | {blind} |\n| --- | --- | --- | --- |")
    for (cause, path), d in rows:
        print(f"| {cause} | {path} | {cell(d['tuned'])} | {cell(d['blind'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
