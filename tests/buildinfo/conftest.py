"""Go binaries built offline for the build-info tests, and a maker of hand-made ELF files for the edge cases.

How the Go builds work without a network: module mode (needed for the `dep` lines) with every dependency
`replace`d by a local directory — Debian's `golang-github-aws-aws-sdk-go-dev` (/usr/share/gocode/src/...) for the
real aws-sdk-go, and tiny stub modules written here for aws-sdk-go-v2, prometheus/sigv4 and the OTel extension.
The version in `require` is what the build info reports, so one source tree yields "old" and "new" SDKs.
`GOPROXY=off GOFLAGS=-mod=mod GOSUMDB=off` keeps the go command off the network; local replacements need no go.sum.
CI needs the apt packages `golang-go` and `golang-github-aws-aws-sdk-go-dev`.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

DEBIAN_GOCODE = Path("/usr/share/gocode/src")
DEBIAN_SDK = DEBIAN_GOCODE / "github.com/aws/aws-sdk-go"


def _go_env(work: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "GOPATH": str(work / "gopath"),
        "GOCACHE": str(work / "gocache"),
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GOSUMDB": "off",
        "GOTOOLCHAIN": "local",
        "CGO_ENABLED": "0",
    }


@pytest.fixture(scope="session")
def go_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """build(name, module, requires={path: version}, stubs={path: package}, imports=[...], goarch=...) → binary."""
    if shutil.which("go") is None:
        pytest.skip("needs the Go toolchain (apt-get install golang-go) to build test binaries offline")
    work = tmp_path_factory.mktemp("go")
    stubs_dir = work / "stubs"

    def build(name: str, module: str, requires: dict[str, str], *, stubs: dict[str, str] | None = None,
              imports: list[str] | None = None, goarch: str = "amd64") -> Path:
        src = work / name
        src.mkdir()
        replaces: dict[str, Path] = {}
        for path in requires:
            if path == "github.com/aws/aws-sdk-go":
                if not DEBIAN_SDK.is_dir():
                    pytest.skip("needs golang-github-aws-aws-sdk-go-dev (Debian's aws-sdk-go sources)")
                replaces[path] = DEBIAN_SDK
                for dep in ("github.com/jmespath/go-jmespath", "golang.org/x/net", "golang.org/x/text",
                            "golang.org/x/sys", "github.com/pkg/errors"):
                    replaces.setdefault(dep, DEBIAN_GOCODE / dep)
            else:
                stub = stubs_dir / path
                if not stub.exists():
                    stub.mkdir(parents=True)
                    (stub / "go.mod").write_text(f"module {path}\n\ngo 1.19\n")
                    pkg = (stubs or {}).get(path, "stub")
                    (stub / "stub.go").write_text(f"package {pkg}\n\nconst Name = {path!r}\n".replace("'", '"'))
                replaces[path] = stub
        req = "\n".join(f"\t{p} {v}" for p, v in requires.items())
        if "github.com/aws/aws-sdk-go" in requires:
            req += "\n\tgithub.com/jmespath/go-jmespath v0.4.0"
        rep = "\n".join(f"\t{p} => {d}" for p, d in replaces.items())
        (src / "go.mod").write_text(f"module {module}\n\ngo 1.19\n\nrequire (\n{req}\n)\n\nreplace (\n{rep}\n)\n")
        imps = imports if imports is not None else list(requires)
        body = "\n".join(f"\t_ {p!r}".replace("'", '"') for p in imps)
        (src / "main.go").write_text(f"package main\n\nimport (\n{body}\n)\n\nfunc main() {{}}\n")
        out = src / name
        env = {**_go_env(work), "GOARCH": goarch}
        res = subprocess.run(["go", "build", "-o", str(out), "."], cwd=src, env=env, capture_output=True,
                             text=True, timeout=300)
        if res.returncode != 0:
            raise AssertionError(f"go build failed:\n{res.stderr[-2000:]}")
        return out

    return build


@pytest.fixture(scope="session")
def go_version_m() -> Callable[[Path], str]:
    """`go version -m BINARY`: the Go toolchain's own reading of the build info, to compare against."""

    def run(binary: Path) -> str:
        return subprocess.run(["go", "version", "-m", str(binary)], capture_output=True, text=True, check=True,
                              env={"PATH": os.environ.get("PATH", ""), "HOME": "/tmp", "GOFLAGS": ""}).stdout

    return run


# ---------------------------------------------------------------------------------------- hand-made ELF files

BASE_VADDR = 0x400000


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")


def modinfo(text: str) -> bytes:
    return SENTINEL_START + text.encode() + SENTINEL_END


def make_elf(*, is64: bool = True, big: bool = False, section: Callable[[int], bytes] | bytes,
             extra: bytes = b"", with_sections: bool = True) -> bytes:
    """An ELF file with one PT_LOAD segment mapping the whole file at BASE_VADDR and a `.go.buildinfo` section.

    `section` is the section's bytes, or a function of the section's file offset (for pointer-format
    build info, whose pointers must name virtual addresses inside the file); `extra` follows the section."""
    o = ">" if big else "<"
    ehsize, phsize, shsize = (64, 56, 64) if is64 else (52, 32, 40)
    shstr = b"\0.shstrtab\0.go.buildinfo\0"
    shstr_off = ehsize + phsize
    bi_off = (shstr_off + len(shstr) + 15) // 16 * 16
    body = section(bi_off) if callable(section) else section
    extra_off = bi_off + len(body)
    sh_off = (extra_off + len(extra) + 7) // 8 * 8
    total = sh_off + 3 * shsize
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if big else 1, 1]) + b"\0" * 9
    if is64:
        eh = ident + struct.pack(o + "HHIQQQIHHHHHH", 2, 62, 1, 0, ehsize, sh_off, 0, ehsize, phsize, 1, shsize,
                                 3 if with_sections else 0, 1)
        ph = struct.pack(o + "IIQQQQQQ", 1, 6, 0, BASE_VADDR, BASE_VADDR, total, total, 0x1000)
        sh = (b"\0" * shsize
              + struct.pack(o + "IIQQQQIIQQ", 1, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
              + struct.pack(o + "IIQQQQIIQQ", 11, 1, 3, BASE_VADDR + bi_off, bi_off, len(body), 0, 0, 16, 0))
    else:
        eh = ident + struct.pack(o + "HHIIIIIHHHHHH", 2, 3, 1, 0, ehsize, sh_off, 0, ehsize, phsize, 1, shsize,
                                 3 if with_sections else 0, 1)
        ph = struct.pack(o + "IIIIIIII", 1, 0, BASE_VADDR, BASE_VADDR, total, total, 6, 0x1000)
        sh = (b"\0" * shsize
              + struct.pack(o + "IIIIIIIIII", 1, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
              + struct.pack(o + "IIIIIIIIII", 11, 1, 3, BASE_VADDR + bi_off, bi_off, len(body), 0, 0, 16, 0))
    out = bytearray(total)
    out[0:ehsize] = eh
    out[ehsize:ehsize + phsize] = ph
    out[shstr_off:shstr_off + len(shstr)] = shstr
    out[bi_off:bi_off + len(body)] = body
    out[extra_off:extra_off + len(extra)] = extra
    out[sh_off:sh_off + len(sh)] = sh
    return bytes(out)


def inline_section(version: str, info: bytes, *, ptr_size: int = 8, big: bool = False) -> bytes:
    flags = 0x2 | (0x1 if big else 0)
    header = b"\xff Go buildinf:" + bytes([ptr_size, flags])
    header += b"\0" * (32 - len(header))
    return header + varint(len(version)) + version.encode() + varint(len(info)) + info


def pointer_section(version: str, info: bytes, *, ptr_size: int, big: bool) -> Callable[[int], bytes]:
    """Pre-1.18 layout: two pointers to Go string headers {ptr, len}, strings stored after the headers."""
    o = ">" if big else "<"
    f = "Q" if ptr_size == 8 else "I"

    def build(off: int) -> bytes:
        header_len = 32
        hdrs_off = off + header_len
        strs_off = hdrs_off + 4 * ptr_size
        v_addr = BASE_VADDR + strs_off
        m_addr = v_addr + len(version)
        head = b"\xff Go buildinf:" + bytes([ptr_size, 0x1 if big else 0])
        head += struct.pack(o + f + f, BASE_VADDR + hdrs_off, BASE_VADDR + hdrs_off + 2 * ptr_size)
        head += b"\0" * (header_len - len(head))
        hdrs = struct.pack(o + f * 4, v_addr, len(version), m_addr, len(info))
        return head + hdrs + version.encode() + info

    return build
