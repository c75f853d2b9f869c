"""Runs a list of sigdoctor invocations inside one world and keeps everything they wrote.

Usage (inside the world): python driver.py CASES.json OUT_DIR. Each case is {"name", "argv", "stdin"?,
"timeout"?}; `{out}` in an argument is that case's own directory (for --output files). Per case the directory gets
stdout, stderr, any crash log (TMPDIR points there) and a line in OUT_DIR/cases.jsonl (name, rc, wall seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    cases = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    prefix = json.loads(os.environ.pop("CANARY_SIGDOCTOR", "null")) or ["sigdoctor"]
    with (out / "cases.jsonl").open("a", encoding="utf-8") as log:
        for case in cases:
            d = out / case["name"]
            d.mkdir(parents=True, exist_ok=True)
            argv = [*prefix, *(a.replace("{out}", str(d)) for a in case["argv"])]
            t0 = time.monotonic()
            try:
                p = subprocess.run(argv, input=case.get("stdin", "").encode(), capture_output=True,
                                   timeout=case.get("timeout", 60), env={**os.environ, "TMPDIR": str(d)})
                rc, so, se = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                rc, so, se = -9, e.stdout or b"", e.stderr or b""
            (d / "stdout").write_bytes(so)
            (d / "stderr").write_bytes(se)
            log.write(json.dumps({"name": case["name"], "rc": rc, "wall": round(time.monotonic() - t0, 2)}) + "\n")
            log.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
