"""No private botocore name outside sigdoctor/botoseam.py: a botocore release that moves one breaks the seam, and
only the seam (tests/seam/test_botoseam.py names it)."""

from __future__ import annotations

import re
from pathlib import Path

from sigdoctor import botoseam

PKG = Path(botoseam.__file__).resolve().parent
SEAM = PKG / "botoseam.py"
# `x._name` where x is not self/cls, in modules that import botocore or boto3.
_PRIVATE_ACCESS = re.compile(r"\b(?!self\b|cls\b)([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?\.(_[a-z][A-Za-z0-9_]*)\b")
_USES_BOTO = re.compile(r"^\s*(?:import|from)\s+(?:botocore|boto3)\b", re.M)
# Private names of the standard library (not botocore's) that botocore-importing modules use, with why.
STDLIB = {
    ("netconn/tls.py", "ssl", "_ssl"): "ssl._ssl._test_decode_cert: the only parser of a PEM certificate's fields",
    ("entry.py", "os", "_exit"): "the entry point's exit",
}

# Standard-library names that botocore's private names happen to share, in modules that use the stdlib's, with why.
STDLIB_SAME_NAME = {
    ("recache.py", "re._cache"): "re's own pattern cache (CPython 3.11), which recache.py fills; not botocore's _cache",
    ("recache.py", 'getattr(re, "_cache"'): "the same, looked up where it may be missing",
}


def _sources() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if p != SEAM)


def test_seam_names_appear_nowhere_else() -> None:
    names = {p.name for p in botoseam.PRIVATE}
    found = []
    for path in _sources():
        for no, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            for (file, allowed), _why in STDLIB_SAME_NAME.items():
                if str(path.relative_to(PKG)) == file:
                    code = code.replace(allowed, "")
            for name in names:
                if re.search(rf"[.\"']{re.escape(name)}\b", code):
                    found.append(f"{path.relative_to(PKG)}:{no}: {name} — call the botoseam function instead")
    assert not found, "\n".join(found)


def test_no_other_private_attribute_in_botocore_modules() -> None:
    found = []
    for path in _sources():
        text = path.read_text()
        if not _USES_BOTO.search(text):
            continue
        rel = str(path.relative_to(PKG))
        for no, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if '"""' in line or code.strip().startswith(("'", '"')):
                continue  # docstrings name botocore internals they mirror; they do not use them
            for receiver, name in _PRIVATE_ACCESS.findall(code):
                if (rel, receiver, name) not in STDLIB:
                    found.append(f"{rel}:{no}: {receiver}.{name} — move it into sigdoctor/botoseam.py")
    assert not found, "\n".join(found)


def test_no_class_swap_and_no_private_botocore_import_outside_the_seam() -> None:
    found = []
    for path in _sources():
        for no, line in enumerate(path.read_text().splitlines(), 1):
            if "__class__ =" in line or re.search(r"from botocore[.\w]* import .*\b_[a-z]", line) or \
                    re.search(r"import botocore\.[\w.]*\._", line):
                found.append(f"{path.relative_to(PKG)}:{no}: {line.strip()}")
    assert not found, "\n".join(found)
