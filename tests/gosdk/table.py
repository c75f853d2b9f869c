"""Print the model-vs-real-SDK matrix as a Markdown table: `python -m tests.gosdk.table` (needs Go, the Debian SDK
packages and `unshare -rn`; builds the harnesses like the tests do)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.gosdk import harness
from tests.gosdk.cases import CASES
from tests.gosdk.test_matrix import predictions


def _short(source: object) -> str:
    if source is None:
        return "—"
    text = str(source)
    return "SharedConfigCredentials: …/" + text.rsplit("/", 1)[-1] if text.startswith("SharedConfig") else text


def main() -> int:
    bins = harness.build()
    with tempfile.TemporaryDirectory() as tmp:
        cases = [harness.materialise(c, Path(tmp)) for c in CASES]
        real = harness.run_matrix(cases, bins, Path(tmp))
        rows = [
            "| environment | botocore (real) | go v1 predicted / real | go v1 +LOAD_CONFIG predicted / real "
            "| go v2 predicted / real |",
            "|---|---|---|---|---|",
        ]
        bad = 0
        for m in cases:
            r = real[m.case.id]
            cells = []
            for run, p in predictions(m).items():
                ok = p.source == r[run]["source"]
                bad += not ok
                cells.append(f"{_short(p.source)} / {_short(r[run]['source'])}" + ("" if ok else " ✗"))
            rows.append(
                f"| {m.case.id}: {m.case.what} | {_short(r['botocore']['source'])} | " + " | ".join(cells) + " |"
            )
    print("\n".join(rows))
    print(f"\n{len(cases)} environments, {3 * len(cases) - bad}/{3 * len(cases)} predictions match the real SDKs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
