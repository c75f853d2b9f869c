"""Go build info, read in pure Python from an ELF binary's `.go.buildinfo` section (what `go version -m` prints).

Layout (Go's debug/buildinfo): a 32-byte header starting with the magic `\\xff Go buildinf:`, then the pointer size
and a flags byte (bit 0: big-endian, bit 1: strings inline). Go ≥ 1.18 writes two varint-length-prefixed strings
right after the header (runtime version, module info); older toolchains write two pointers to Go string headers
that must be followed through the program headers. Module info is wrapped in 16-byte sentinels.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import field
from pathlib import Path
from typing import Any

from sigdoctor import boundedio
from sigdoctor.records import datarecord

MAGIC = b"\xff Go buildinf:"
HEADER_LEN = 32
FLAG_BIG_ENDIAN = 0x1
FLAG_INLINE = 0x2
# The binary is mapped, not read: agents are 100-300 MB and only a few pages are ever touched.
Data = bytes | mmap.mmap

AWS_SDK_V1 = "github.com/aws/aws-sdk-go"
AWS_SDK_V2 = "github.com/aws/aws-sdk-go-v2"
WATCHED = (
    "github.com/aws/aws-sdk-go",
    "github.com/aws/aws-sdk-go-v2",
    "github.com/aws/aws-sdk-go-v2/config",
    "github.com/aws/aws-sdk-go-v2/credentials",
    "github.com/prometheus/sigv4",
    "github.com/prometheus/common",
    "github.com/prometheus/common/sigv4",
    "github.com/open-telemetry/opentelemetry-collector-contrib/extension/sigv4authextension",
)


class BuildInfoError(ValueError):
    """The file is not a Go binary we can read build info from (with the reason)."""


@datarecord(frozen=True)
class Module:
    path: str
    version: str
    replaced_by: str | None = None


@datarecord(frozen=True)
class BuildInfo:
    go_version: str
    path: str | None = None
    main: Module | None = None
    deps: dict[str, Module] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    ptr_size: int = 8
    big_endian: bool = False
    inline: bool = True

    def version_of(self, module: str) -> str | None:
        m = self.deps.get(module)
        return m.version if m else None

    def aws_sdk(self) -> dict[str, str]:
        """Versions of the AWS SDK for Go modules linked in (aws-sdk-go; aws-sdk-go-v2 and its submodules)."""
        return {p: m.version for p, m in self.deps.items()
                if p in (AWS_SDK_V1, AWS_SDK_V2) or p.startswith(AWS_SDK_V2 + "/")}

    def watched(self) -> dict[str, str]:
        """Versions of the modules that decide how the agent finds credentials and signs."""
        return {p: self.deps[p].version for p in WATCHED if p in self.deps}

    def to_dict(self) -> dict[str, Any]:
        return {
            "go": self.go_version,
            "path": self.path,
            "main": {"path": self.main.path, "version": self.main.version} if self.main else None,
            "sdk": self.watched(),
        }


def read(path: str | Path) -> BuildInfo:
    """Build info of the Go binary at `path`; BuildInfoError if it is not one (or not readable as one). Like every
    user-named path, it is opened bounded (boundedio): a FIFO does not block the probe, a device or a file over
    BINARY_LIMIT is refused instead of scanned."""
    p = Path(path)
    try:
        fd = boundedio.open_regular(p, boundedio.BINARY_LIMIT)
    except OSError as e:
        raise BuildInfoError(f"cannot read {p}: {e.strerror or e}") from e
    try:
        if os.fstat(fd).st_size == 0:
            raise BuildInfoError(f"{p} is empty")
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
            return parse(data)
    except OSError as e:
        raise BuildInfoError(f"cannot read {p}: {e.strerror or e}") from e
    finally:
        os.close(fd)


def parse(data: Data) -> BuildInfo:
    if data[:4] != b"\x7fELF":
        raise BuildInfoError("not an ELF file")
    elf = _Elf(data)
    section = elf.section(".go.buildinfo")
    if section is not None:
        start, end = section
        blob = data[start:end]
        off = blob.find(MAGIC)
        if off != 0:
            raise BuildInfoError(".go.buildinfo section without the Go build info magic")
        return _decode(data, start, elf, end)
    # Stripped section headers: Go's own reader scans the writable data for the magic at 16-byte alignment.
    found = _scan(data)
    if found is None:
        raise BuildInfoError("no Go build info (not a Go binary, or built before Go 1.13)")
    return _decode(data, found, elf, len(data))


def _scan(data: Data) -> int | None:
    i = data.find(MAGIC)
    while i != -1:
        if i % 16 == 0:
            return i
        i = data.find(MAGIC, i + 1)
    return None


def _decode(data: Data, base: int, elf: _Elf, limit: int) -> BuildInfo:
    # Inline strings must lie inside the section: reading on past it would parse unrelated bytes.
    header = data[base:min(base + HEADER_LEN, limit)]
    if len(header) < HEADER_LEN:
        raise BuildInfoError("Go build info header truncated")
    ptr_size, flags = header[14], header[15]
    big = bool(flags & FLAG_BIG_ENDIAN)
    if flags & FLAG_INLINE:
        pos = base + HEADER_LEN
        version, pos = _varint_string(data, pos, limit)
        modinfo, _ = _varint_string(data, pos, limit)
        inline = True
    else:
        if ptr_size not in (4, 8):
            raise BuildInfoError(f"Go build info with pointer size {ptr_size}")
        order = ">" if big else "<"
        fmt = order + ("Q" if ptr_size == 8 else "I")
        try:
            vptr = struct.unpack_from(fmt, data, base + 16)[0]
            mptr = struct.unpack_from(fmt, data, base + 16 + ptr_size)[0]
        except struct.error as e:
            raise BuildInfoError("Go build info pointers truncated") from e
        version = _go_string(data, elf, vptr, fmt, ptr_size)
        modinfo = _go_string(data, elf, mptr, fmt, ptr_size)
        inline = False
    if not version.startswith("go") and not version.startswith("devel"):
        raise BuildInfoError(f"unexpected Go version string {version[:40]!r}")
    info = _parse_modinfo(_strip_sentinels(modinfo))
    return BuildInfo(go_version=version, ptr_size=ptr_size, big_endian=big, inline=inline, **info)


def _varint_string(data: Data, pos: int, limit: int) -> tuple[str, int]:
    n, shift = 0, 0
    while True:
        if pos >= limit:
            raise BuildInfoError("Go build info truncated (string length)")
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
        if shift > 63:
            raise BuildInfoError("Go build info: bad string length")
    if pos + n > limit:
        raise BuildInfoError("Go build info truncated (string body)")
    return data[pos:pos + n].decode("utf-8", "replace"), pos + n


def _go_string(data: Data, elf: _Elf, addr: int, fmt: str, ptr_size: int) -> str:
    """Follow a pointer to a Go string header {data pointer, length} (pre-1.18 layout)."""
    hdr = elf.at(addr, 2 * ptr_size)
    sptr = struct.unpack_from(fmt, hdr, 0)[0]
    slen = struct.unpack_from(fmt, hdr, ptr_size)[0]
    if slen == 0:
        return ""
    if slen > 1 << 24:
        raise BuildInfoError("Go build info: implausible string length")
    return elf.at(sptr, slen).decode("utf-8", "replace")


def _strip_sentinels(modinfo: str) -> str:
    # 16 bytes of sentinel before and after; the trailing one follows a newline.
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        return modinfo[16:-16]
    return modinfo


def _parse_modinfo(text: str) -> dict[str, Any]:
    path: str | None = None
    main: Module | None = None
    deps: dict[str, Module] = {}
    settings: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        parts = line.split("\t")
        kind = parts[0]
        if kind == "path" and len(parts) >= 2:
            path = parts[1]
        elif kind == "mod" and len(parts) >= 3:
            main = Module(parts[1], parts[2])
        elif kind == "dep" and len(parts) >= 3:
            deps[parts[1]] = Module(parts[1], parts[2])
            last = parts[1]
        elif kind == "=>" and len(parts) >= 2 and last is not None:
            old = deps[last]
            repl = parts[1] + (f" {parts[2]}" if len(parts) >= 3 and parts[2] else "")
            deps[last] = Module(old.path, old.version, replaced_by=repl)
        elif kind == "build" and len(parts) >= 2 and "=" in parts[1]:
            k, _, v = parts[1].partition("=")
            settings[k] = v
    return {"path": path, "main": main, "deps": deps, "settings": settings}


class _Elf:
    """Just enough ELF: section headers by name, and virtual address → file bytes through PT_LOAD segments."""

    def __init__(self, data: Data) -> None:
        if len(data) < 52:
            raise BuildInfoError("ELF header truncated")
        self.data = data
        cls, enc = data[4], data[5]
        if cls not in (1, 2) or enc not in (1, 2):
            raise BuildInfoError("unknown ELF class or byte order")
        self.is64 = cls == 2
        self.order = "<" if enc == 1 else ">"
        try:
            if self.is64:
                (self.phoff, self.shoff) = struct.unpack_from(self.order + "QQ", data, 0x20)
                (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = struct.unpack_from(
                    self.order + "HHHHH", data, 0x36)
            else:
                (self.phoff, self.shoff) = struct.unpack_from(self.order + "II", data, 0x1C)
                (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = struct.unpack_from(
                    self.order + "HHHHH", data, 0x2A)
        except struct.error as e:
            raise BuildInfoError("ELF header truncated") from e

    def _sections(self) -> list[tuple[int, int, int]]:
        """(name offset, file offset, size) of every section; empty when the headers are missing or cut."""
        out = []
        fmt = self.order + ("IIQQQQ" if self.is64 else "IIIIII")
        for i in range(self.shnum):
            off = self.shoff + i * self.shentsize
            try:
                name, _typ, _flags, _addr, foff, size = struct.unpack_from(fmt, self.data, off)
            except struct.error:
                return []
            out.append((name, foff, size))
        return out

    def section(self, wanted: str) -> tuple[int, int] | None:
        secs = self._sections()
        if not secs or self.shstrndx >= len(secs):
            return None
        _, str_off, str_size = secs[self.shstrndx]
        names = self.data[str_off:str_off + str_size]
        for name, foff, size in secs:
            end = names.find(b"\0", name)
            if names[name:end if end != -1 else None].decode("ascii", "replace") == wanted:
                if foff + size > len(self.data):
                    raise BuildInfoError(f"{wanted} section runs past the end of the file (truncated binary?)")
                return foff, foff + size
        return None

    def at(self, vaddr: int, size: int) -> bytes:
        fmt = self.order + ("IIQQQQ" if self.is64 else "IIIIII")
        for i in range(self.phnum):
            off = self.phoff + i * self.phentsize
            try:
                if self.is64:
                    typ, _flags, foff, seg_vaddr, _paddr, filesz = struct.unpack_from(fmt, self.data, off)
                else:
                    typ, foff, seg_vaddr, _paddr, filesz, _memsz = struct.unpack_from(fmt, self.data, off)
            except struct.error:
                break
            if typ == 1 and seg_vaddr <= vaddr and vaddr + size <= seg_vaddr + filesz:
                start = foff + vaddr - seg_vaddr
                chunk = self.data[start:start + size]
                if len(chunk) == size:
                    return chunk
        raise BuildInfoError(f"Go build info points to 0x{vaddr:x}, outside the file's loaded segments")


# ------------------------------------------------------------------------------------------- which SDK signs

V1 = "aws-sdk-go"
V2 = "aws-sdk-go-v2"
SIGV4AUTH = "github.com/open-telemetry/opentelemetry-collector-contrib/extension/sigv4authextension"

# First releases that accept the EKS Pod Identity agent (169.254.170.23 / fd00:ec2::23) and read
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: aws-sdk-go v1.47.11 (AWS EKS "minimum SDK" page); aws-sdk-go-v2
# credentials v1.16.0 and config v1.25.0, both 2023-11-14 ("Add support for dynamic auth token from file and EKS
# container host in absolute/relative URIs in the HTTP credential provider", their CHANGELOGs).
POD_IDENTITY_MIN: dict[str, tuple[int, int, int]] = {
    "github.com/aws/aws-sdk-go": (1, 47, 11),
    "github.com/aws/aws-sdk-go-v2/credentials": (1, 16, 0),
    "github.com/aws/aws-sdk-go-v2/config": (1, 25, 0),
}
# Prometheus 3.5 (Go module v0.305.0) moved remote_write signing to prometheus/sigv4 v0.2.0, on aws-sdk-go-v2.
_PROMETHEUS_V2_FROM = (0, 305, 0)
_PROM_SIGV4_V2_FROM = (0, 2, 0)


def semver(v: str | None) -> tuple[int, int, int] | None:
    """`v1.47.11`, `v0.0.0-2023…-abcdef` (pseudo), `v2.1.0+incompatible` → (major, minor, patch)."""
    if not v:
        return None
    core = v.lstrip("v").split("-", 1)[0].split("+", 1)[0]
    bits = core.split(".")
    if len(bits) != 3 or not all(b.isdigit() for b in bits):
        return None
    return int(bits[0]), int(bits[1]), int(bits[2])


@datarecord(frozen=True)
class SdkModel:
    model: str | None  # V1 | V2 | None (cannot tell)
    why: str


def sdk_model(info: BuildInfo) -> SdkModel:
    """Which AWS SDK's credential chain the agent's SigV4 signer uses, and how we know."""
    deps = info.deps
    main = info.main.path if info.main else (info.path or "")
    prom_sigv4 = semver(info.version_of("github.com/prometheus/sigv4"))
    if SIGV4AUTH in deps:
        return SdkModel(V2, f"OTel sigv4auth extension {deps[SIGV4AUTH].version} signs with aws-sdk-go-v2")
    if prom_sigv4 is not None:
        v = info.version_of("github.com/prometheus/sigv4")
        if prom_sigv4 >= _PROM_SIGV4_V2_FROM:
            return SdkModel(V2, f"prometheus/sigv4 {v} signs with aws-sdk-go-v2")
        return SdkModel(V1, f"prometheus/sigv4 {v} (before v0.2.0) signs with aws-sdk-go")
    if "github.com/prometheus/common/sigv4" in deps:
        return SdkModel(V1, "prometheus/common/sigv4 signs with aws-sdk-go")
    if main.startswith("github.com/grafana/agent"):
        return SdkModel(V1, "Grafana Agent signs remote_write with prometheus/common/sigv4 (aws-sdk-go)")
    if main == "github.com/prometheus/prometheus":
        pv = semver(info.main.version if info.main else None)
        if pv is not None and pv >= _PROMETHEUS_V2_FROM:
            return SdkModel(V2, "Prometheus 3.5+ signs with prometheus/sigv4 on aws-sdk-go-v2")
        if pv is not None:
            return SdkModel(V1, "Prometheus before 3.5 signs with prometheus/common/sigv4 (aws-sdk-go)")
    if main.startswith("github.com/grafana/alloy"):
        return SdkModel(V2, "Grafana Alloy signs with prometheus/sigv4 / otelcol.auth.sigv4 on aws-sdk-go-v2")
    has_v1 = "github.com/aws/aws-sdk-go" in deps
    has_v2 = any(p.startswith("github.com/aws/aws-sdk-go-v2") for p in deps)
    if has_v1 and not has_v2:
        return SdkModel(V1, "only aws-sdk-go is linked in")
    if has_v2 and not has_v1:
        return SdkModel(V2, "only aws-sdk-go-v2 is linked in")
    if has_v1 and has_v2:
        return SdkModel(None, "both aws-sdk-go and aws-sdk-go-v2 are linked in and no known signer module tells "
                              "which one signs")
    return SdkModel(None, "no AWS SDK in the build info")


def pod_identity_blockers(info: BuildInfo, model: str | None) -> list[str]:
    """Modules too old for EKS Pod Identity, in the SDK that signs (either SDK when the model is unknown)."""
    wanted = {V1: ("github.com/aws/aws-sdk-go",),
              V2: ("github.com/aws/aws-sdk-go-v2/credentials", "github.com/aws/aws-sdk-go-v2/config")}
    paths = wanted[model] if model else tuple(POD_IDENTITY_MIN)
    out = []
    for p in paths:
        have = semver(info.version_of(p))
        need = POD_IDENTITY_MIN[p]
        if have is not None and have < need:
            out.append(f"{p} {info.version_of(p)} < v{'.'.join(map(str, need))}")
    return out
