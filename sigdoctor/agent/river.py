"""A reader for the subset of River (Grafana Agent Flow, Grafana Alloy `.alloy`) that agent configs use.

Blocks with optional string labels, attributes, strings (`"..."` with escapes, `` `raw` ``), numbers, bools, null,
lists, objects, references (`otelcol.auth.sigv4.creds.handler`), calls (`env("X")` is resolved from the diagnosed
process's environment when it has the variable), and `//`, `/* */` and `#` comments. Anything richer (operators,
indexing) becomes an `Expr` holding its source text: sigdoctor only needs to know it is not a literal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from sigdoctor.records import datarecord


class RiverError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@datarecord(frozen=True)
class Ref:
    """A reference to another component's export, e.g. `otelcol.auth.sigv4.creds.handler`."""

    name: str


@datarecord(frozen=True)
class Expr:
    """An expression sigdoctor does not evaluate (or a call it could not resolve), kept as source text."""

    text: str


@datarecord
class Block:
    name: str
    label: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    line: int = 0

    def children(self, name: str) -> list[Block]:
        return [b for b in self.blocks if b.name == name]

    def child(self, name: str) -> Block | None:
        found = self.children(name)
        return found[0] if found else None

    @property
    def address(self) -> str:
        return f'{self.name} "{self.label}"' if self.label is not None else self.name


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n)
  | (?P<comment>//[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[{}\[\]().,=+\-*/%<>!:?^])
    """,
    re.VERBOSE | re.DOTALL,
)


@datarecord(frozen=True)
class _Tok:
    kind: str
    text: str
    line: int
    start: int
    end: int


def _tokens(src: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos, line = 0, 1
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m:
            raise RiverError(f"unexpected character {src[pos]!r}", line)
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "nl":
            out.append(_Tok("nl", text, line, m.start(), m.end()))
        elif kind not in ("ws", "comment"):
            out.append(_Tok(kind, text, line, m.start(), m.end()))
        line += text.count("\n")
        pos = m.end()
    out.append(_Tok("eof", "", line, len(src), len(src)))
    return out


class _Parser:
    def __init__(self, src: str, env: Mapping[str, str]) -> None:
        self.src = src
        self.toks = _tokens(src)
        self.i = 0
        self.env = env
        self.unresolved: list[str] = []

    def peek(self, skip_nl: bool = True) -> _Tok:
        j = self.i
        while skip_nl and self.toks[j].kind == "nl":
            j += 1
        return self.toks[j]

    def next(self, skip_nl: bool = True) -> _Tok:
        while skip_nl and self.toks[self.i].kind == "nl":
            self.i += 1
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def expect(self, text: str) -> _Tok:
        t = self.next()
        if t.text != text or t.kind not in ("op",):
            raise RiverError(f"expected {text!r}, found {t.text or 'end of file'!r}", t.line)
        return t

    def body(self, closing: str | None) -> Block:
        blk = Block(name="")
        while True:
            t = self.peek()
            if t.kind == "eof":
                if closing:
                    raise RiverError(f"missing {closing!r}", t.line)
                return blk
            if closing and t.kind == "op" and t.text == closing:
                self.next()
                return blk
            if t.kind != "ident":
                raise RiverError(f"expected an attribute or block name, found {t.text!r}", t.line)
            self.statement(blk)

    def statement(self, parent: Block) -> None:
        first = self.next()
        parts = [first.text]
        while self.peek(skip_nl=False).text == ".":
            self.next(skip_nl=False)
            nt = self.next(skip_nl=False)
            if nt.kind != "ident":
                raise RiverError(f"expected a name after '.', found {nt.text!r}", nt.line)
            parts.append(nt.text)
        t = self.peek(skip_nl=False)
        if t.kind == "op" and t.text == "=" and len(parts) == 1:
            self.next()
            parent.attrs[parts[0]] = self.expr()
            return
        label: str | None = None
        if t.kind in ("string", "raw"):
            self.next()
            label = _unquote(t.text) if t.kind == "string" else t.text[1:-1]
            t = self.peek(skip_nl=False)
        if not (t.kind == "op" and t.text == "{"):
            raise RiverError(f"expected '=' or '{{' after {'.'.join(parts)!r}, found {t.text or 'end of line'!r}",
                             t.line)
        self.next()
        inner = self.body("}")
        inner.name, inner.label, inner.line = ".".join(parts), label, first.line
        parent.blocks.append(inner)

    def expr(self) -> Any:
        start_tok = self.peek()
        value = self.primary()
        nxt = self.peek(skip_nl=False)
        if nxt.kind == "op" and nxt.text not in (",", "}", "]", ")", "="):
            # An operator: skip the rest of the expression (up to the end of line at depth 0) and keep its text.
            depth = 0
            while True:
                t = self.peek(skip_nl=False)
                if t.kind == "eof" or (depth == 0 and (t.kind == "nl" or t.text in (",", "}", "]", ")"))):
                    break
                if t.text in ("(", "[", "{"):
                    depth += 1
                elif t.text in (")", "]", "}"):
                    depth -= 1
                self.next(skip_nl=depth > 0)
            end = self.toks[self.i - 1].end
            text = self.src[start_tok.start:end].strip()
            self.unresolved.append(text)
            return Expr(text)
        return value

    def primary(self) -> Any:
        t = self.next()
        if t.kind == "string":
            return _unquote(t.text)
        if t.kind == "raw":
            return t.text[1:-1]
        if t.kind == "number":
            return float(t.text) if any(c in t.text for c in ".eE") else int(t.text)
        if t.kind == "op" and t.text == "-":
            v = self.primary()
            return -v if isinstance(v, (int, float)) else Expr("-" + str(v))
        if t.kind == "op" and t.text == "[":
            items = []
            while self.peek().text != "]":
                items.append(self.expr())
                if self.peek().text == ",":
                    self.next()
            self.expect("]")
            return items
        if t.kind == "op" and t.text == "{":
            obj: dict[str, Any] = {}
            while self.peek().text != "}":
                k = self.next()
                if k.kind not in ("ident", "string"):
                    raise RiverError(f"expected an object key, found {k.text!r}", k.line)
                key = _unquote(k.text) if k.kind == "string" else k.text
                nt = self.next()
                if nt.text not in ("=", ":"):
                    raise RiverError(f"expected '=' after object key {key!r}", nt.line)
                obj[key] = self.expr()
                if self.peek().text == ",":
                    self.next()
            self.expect("}")
            return obj
        if t.kind == "op" and t.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if t.kind == "ident":
            if t.text in ("true", "false"):
                return t.text == "true"
            if t.text == "null":
                return None
            name = [t.text]
            while self.peek(skip_nl=False).text == ".":
                self.next(skip_nl=False)
                name.append(self.next(skip_nl=False).text)
            dotted = ".".join(name)
            if self.peek(skip_nl=False).text == "(":
                return self.call(dotted, t)
            if self.peek(skip_nl=False).text == "[":
                return self.skip_index(Ref(dotted), t)
            return Ref(dotted)
        raise RiverError(f"unexpected {t.text or 'end of file'!r} in an expression", t.line)

    def call(self, name: str, first: _Tok) -> Any:
        self.expect("(")
        args = []
        while self.peek().text != ")":
            args.append(self.expr())
            if self.peek().text == ",":
                self.next()
        close = self.expect(")")
        text = self.src[first.start:close.end]
        if name in ("env", "sys.env") and len(args) == 1 and isinstance(args[0], str) and args[0] in self.env:
            return self.env[args[0]]
        self.unresolved.append(text)
        return Expr(text)

    def skip_index(self, base: Any, first: _Tok) -> Expr:
        while self.peek(skip_nl=False).text == "[":
            self.next()
            self.expr()
            self.expect("]")
        text = self.src[first.start:self.toks[self.i - 1].end]
        self.unresolved.append(text)
        return Expr(text)


def _unquote(s: str) -> str:
    try:
        out = json.loads(s)
    except json.JSONDecodeError:
        return s[1:-1]
    return out if isinstance(out, str) else s[1:-1]


@datarecord
class Document:
    root: Block
    unresolved: list[str]

    def walk(self) -> list[Block]:
        """Every block, depth first, in file order."""
        out: list[Block] = []

        def visit(b: Block) -> None:
            for c in b.blocks:
                out.append(c)
                visit(c)

        visit(self.root)
        return out


def parse(src: str, env: Mapping[str, str] | None = None) -> Document:
    """Parse River source; `env` resolves `env("X")` calls (left as `Expr` when the variable is not set)."""
    p = _Parser(src, env or {})
    root = p.body(None)
    return Document(root, p.unresolved)


def looks_like_river(src: str) -> bool:
    """A cheap guess for files without a telling extension: a labelled component block at line start."""
    return re.search(r'(?m)^\s*[a-z_][\w]*(\.[a-z_][\w]*)+\s+"[^"]*"\s*\{', src) is not None
