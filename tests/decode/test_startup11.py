"""What `decode` costs before it reads anything: the modules it does not import and the regexes it does not compile
(sigdoctor/lazyre.py), and that what it leaves for later is still checked here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sigdoctor.awserrors import clues
from sigdoctor.awserrors.generic_readings import pairs
from sigdoctor.lazyre import LazyPattern
from tests.core.clirun import clean_env

ROOT = Path(__file__).resolve().parents[2]
PASTE = ("An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request "
         "signature we calculated does not match the signature you provided.\n")
# A decode as the console script runs it, then the modules it imported and the lazy patterns it compiled.
_RUN = """
import json, sys
sys.argv = ["sigdoctor", "decode", sys.argv[1], "--format", "json"]
import sigdoctor.entry as entry
entry._exit_now = lambda code: None
entry.main()
from sigdoctor.lazyre import LazyPattern
import sigdoctor.awserrors.clues as clues
lazy = [v for v in vars(clues).values() if isinstance(v, LazyPattern)]
print(json.dumps({"modules": sorted(sys.modules), "clues": [len(lazy), sum(p._rx is not None for p in lazy)]}))
"""


def _decode(tmp_path: Path, text: str) -> dict[str, list[str]]:
    paste = tmp_path / "paste.txt"
    paste.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _RUN, str(paste)], cwd=ROOT, capture_output=True, text=True,
                          env=clean_env(tmp_path), check=False, timeout=60)
    assert proc.stderr == ""
    last: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    report = json.loads("\n".join(proc.stdout.strip().splitlines()[:-1]))
    assert report["root_causes"][0]["id"] == "secret-key-mismatch"
    return last


def test_decode_imports_no_aws_sdk_and_no_toml_parser(tmp_path: Path) -> None:
    modules = set(_decode(tmp_path, PASTE)["modules"])
    # boto3/botocore are the `run` probes' (and ~0.3 s to import); tomllib only parses knowledge the JSON copy lacks.
    assert not {m for m in modules if m.split(".")[0] in ("boto3", "botocore", "s3transfer", "tomllib")}


def test_a_paste_compiles_only_the_clues_it_reads(tmp_path: Path) -> None:
    defined, compiled = _decode(tmp_path, PASTE)["clues"]
    assert defined >= 20 and compiled < defined // 2


def test_every_lazy_pattern_compiles() -> None:
    """A typo in a lazily compiled pattern would fail only when a text first reaches it; here it fails at once."""
    import sigdoctor.awserrors.awshosts
    import sigdoctor.awserrors.clock_readings
    import sigdoctor.awserrors.clues_unsent
    import sigdoctor.awserrors.clues_wrappers
    import sigdoctor.decode.client
    import sigdoctor.decode.reader

    modules = [clues, sigdoctor.awserrors.awshosts, sigdoctor.awserrors.clock_readings,
               sigdoctor.awserrors.clues_unsent, sigdoctor.awserrors.clues_wrappers, sigdoctor.decode.client,
               sigdoctor.decode.reader]
    found = [v for m in modules for v in vars(m).values() if isinstance(v, LazyPattern)]
    found += [v for m in modules for t in vars(m).values() if isinstance(t, tuple) for v in t
              if isinstance(v, LazyPattern)]
    assert len(found) >= 50
    for p in found:
        assert p.compiled.pattern == p.pattern


def test_every_generic_word_compiles() -> None:
    """checks/errors/generic.toml's words are compiled when first searched, no longer when the file is loaded."""
    table = pairs()
    for w in (*table.failures, *table.objects):
        assert w.regex.compiled.flags & 2  # re.I


def test_every_prose_pattern_compiles() -> None:
    """prose11.toml's word groups are compiled when first searched, no longer when the file is loaded."""
    from sigdoctor.awserrors.prose_readings import prose

    table = prose()
    found = [table.negation] + [p for e in table.entries for p in (e.mechanism, e.symptom, e.unless) if p is not None]
    assert len(found) >= 2 * len(table.entries) + 1
    for p in found:
        assert p.compiled.flags & 2  # re.I
