"""One classifier: outside `sigdoctor/awserrors/`, no probe and no `decode` module matches AWS error text itself.

Every string constant (docstrings aside) of those modules is checked against the error table's codes and message
shapes: a module that compares a code or searches for a message is a second classifier that will disagree with the
first one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sigdoctor.awserrors.table import shape_regex, table

PKG = Path(__file__).resolve().parents[2] / "sigdoctor"
MODULES = sorted([*PKG.glob("decode/*.py"), *PKG.glob("probes/*.py"), *PKG.glob("livesign/*.py"),
                  *PKG.glob("sts/*.py"), PKG / "iam" / "live.py"])


_RE_FUNCS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "split"}
_STR_FUNCS = {"startswith", "endswith", "find", "rfind", "index", "count", "removeprefix"}


def _constants(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str | bytes)]


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants a module matches text with: compared (`==`, `in`), searched for (re.*, str.find…),
    or listed in a module-level collection (the `code in _REJECTIONS` kind). Messages shown to users are not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            used += _constants(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in _RE_FUNCS | _STR_FUNCS):
            used += [c for arg in node.args for c in _constants(arg)]
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            value = stmt.value
            if isinstance(value, ast.Call) and value.args:  # frozenset({...}), tuple([...])
                value = value.args[0]
            if isinstance(value, ast.Tuple | ast.List | ast.Set):
                used += _constants(value)
    unique = {id(c): c for c in used}.values()
    return [(c.lineno, c.value.decode("latin-1") if isinstance(c.value, bytes) else c.value) for c in unique]


def _matchers() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for e in table().entries:
        for code in e.codes:
            found.append((code, re.compile(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])")))
        for shape in e.shapes:
            found.append((shape, re.compile(shape_regex(shape), re.I)))
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_aws_error_text_outside_the_knowledge_package(path: Path) -> None:
    hits = [f"{path.relative_to(PKG)}:{line}: {what!r} in {text[:60]!r}"
            for line, text in _strings(path) for what, rx in _matchers() if rx.search(text)]
    assert not hits, "match AWS errors through sigdoctor.awserrors instead:\n" + "\n".join(hits)


def test_the_check_sees_a_second_classifier(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text('def judge(code, text):\n    """Reads SignatureDoesNotMatch."""\n    say = "ExpiredToken means..."\n'
                   '    return code == "ExpiredToken" or text.find("Missing Authentication Token") >= 0\n')
    assert [t for _, t in _strings(bad)] == ["ExpiredToken", "Missing Authentication Token"]
    assert any(rx.search("ExpiredToken") for _, rx in _matchers())


def test_every_cause_the_table_names_is_one_decode_can_report() -> None:
    from sigdoctor.causes import load_rules
    from sigdoctor.decode.probe import CAUSES

    rules = load_rules()
    named = {c.cause for e in table().entries for c in e.causes}
    assert named <= set(CAUSES), named - set(CAUSES)
    assert all(f"decode.{c}" in rules[c].when for c in named), [c for c in named if f"decode.{c}" not in rules[c].when]
    # ...and every entry says where its knowledge comes from.
    assert all(e.source for e in table().entries)
