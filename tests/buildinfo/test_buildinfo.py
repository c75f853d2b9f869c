"""Go build info as sigdoctor reads it, against binaries the Go toolchain built and hand-made edge cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sigdoctor.agent import buildinfo
from sigdoctor.agent.buildinfo import V1, V2, BuildInfo, BuildInfoError, Module
from tests.buildinfo.conftest import inline_section, make_elf, modinfo, pointer_section

INFO_TEXT = ("path\tgithub.com/grafana/agent/cmd/grafana-agent\n"
             "mod\tgithub.com/grafana/agent\tv0.39.1\th1:abc=\n"
             "dep\tgithub.com/aws/aws-sdk-go\tv1.45.25\th1:x=\n"
             "dep\tgithub.com/prometheus/common\tv0.45.0\th1:y=\n"
             "dep\tgithub.com/prometheus/common/sigv4\tv0.1.0\th1:z=\n"
             "build\tGOARCH=amd64\n")


# ------------------------------------------------------------------------------------- real Go binaries


@pytest.fixture(scope="module")
def v1_old(go_build: Callable[..., Path]) -> Path:
    return go_build("old", "github.com/grafana/agent", {"github.com/aws/aws-sdk-go": "v1.44.133"},
                    imports=["github.com/aws/aws-sdk-go/aws/session"])


def test_real_binary_with_debian_aws_sdk_go_matches_go_version_m(
        v1_old: Path, go_version_m: Callable[[Path], str]) -> None:
    info = buildinfo.read(v1_old)
    listed = go_version_m(v1_old)
    assert "\tdep\tgithub.com/aws/aws-sdk-go\tv1.44.133" in listed
    assert info.go_version == listed.split(":", 1)[1].split()[0]
    assert info.main == Module("github.com/grafana/agent", "(devel)")
    assert info.watched() == {"github.com/aws/aws-sdk-go": "v1.44.133"}
    assert info.deps["github.com/aws/aws-sdk-go"].replaced_by.startswith("/usr/share/gocode/src/")
    assert buildinfo.sdk_model(info).model == V1
    assert buildinfo.pod_identity_blockers(info, V1) == ["github.com/aws/aws-sdk-go v1.44.133 < v1.47.11"]


def test_real_binary_new_enough_for_pod_identity(go_build: Callable[..., Path]) -> None:
    binary = go_build("new", "example.com/agent", {"github.com/aws/aws-sdk-go": "v1.47.11"},
                      imports=["github.com/aws/aws-sdk-go/aws/session"])
    info = buildinfo.read(binary)
    assert info.version_of("github.com/aws/aws-sdk-go") == "v1.47.11"
    assert buildinfo.pod_identity_blockers(info, V1) == []


def test_real_alloy_like_binary_uses_the_v2_model(go_build: Callable[..., Path]) -> None:
    binary = go_build("alloy", "github.com/grafana/alloy", {
        "github.com/aws/aws-sdk-go-v2": "v1.24.0",
        "github.com/aws/aws-sdk-go-v2/config": "v1.24.0",
        "github.com/aws/aws-sdk-go-v2/credentials": "v1.15.2",
        "github.com/prometheus/sigv4": "v0.2.0",
    })
    info = buildinfo.read(binary)
    assert info.main is not None and info.main.path == "github.com/grafana/alloy"
    model = buildinfo.sdk_model(info)
    assert (model.model, "prometheus/sigv4 v0.2.0" in model.why) == (V2, True)
    assert buildinfo.pod_identity_blockers(info, V2) == [
        "github.com/aws/aws-sdk-go-v2/credentials v1.15.2 < v1.16.0",
        "github.com/aws/aws-sdk-go-v2/config v1.24.0 < v1.25.0",
    ]


@pytest.mark.parametrize(("goarch", "ptr", "big"), [("386", 4, False), ("s390x", 8, True)])
def test_real_cross_built_binaries_32_bit_and_big_endian(
        go_build: Callable[..., Path], goarch: str, ptr: int, big: bool) -> None:
    binary = go_build(f"x-{goarch}", "example.com/otelcol", {
        "github.com/open-telemetry/opentelemetry-collector-contrib/extension/sigv4authextension": "v0.90.1",
        "github.com/aws/aws-sdk-go-v2/credentials": "v1.16.0",
        "github.com/aws/aws-sdk-go-v2/config": "v1.25.0",
    }, goarch=goarch)
    info = buildinfo.read(binary)
    assert (info.ptr_size, info.big_endian) == (ptr, big)
    assert buildinfo.sdk_model(info).model == V2
    assert buildinfo.pod_identity_blockers(info, V2) == []


# ------------------------------------------------------------------------------------------ hand-made ELFs


@pytest.mark.parametrize(("is64", "big"), [(True, False), (False, False), (True, True), (False, True)])
def test_inline_format_any_class_and_byte_order(tmp_path: Path, is64: bool, big: bool) -> None:
    f = tmp_path / "bin"
    f.write_bytes(make_elf(is64=is64, big=big, section=inline_section(
        "go1.21.5", modinfo(INFO_TEXT), ptr_size=8 if is64 else 4, big=big)))
    info = buildinfo.read(f)
    assert info.go_version == "go1.21.5"
    assert info.path == "github.com/grafana/agent/cmd/grafana-agent"
    assert info.watched() == {"github.com/aws/aws-sdk-go": "v1.45.25", "github.com/prometheus/common": "v0.45.0",
                              "github.com/prometheus/common/sigv4": "v0.1.0"}
    assert info.settings == {"GOARCH": "amd64"}


@pytest.mark.parametrize(("ptr", "big"), [(8, False), (4, False), (8, True), (4, True)])
def test_pre_118_pointer_format_is_followed_through_the_segments(tmp_path: Path, ptr: int, big: bool) -> None:
    f = tmp_path / "bin"
    f.write_bytes(make_elf(is64=ptr == 8, big=big,
                           section=pointer_section("go1.16.15", modinfo(INFO_TEXT), ptr_size=ptr, big=big)))
    info = buildinfo.read(f)
    assert (info.go_version, info.inline) == ("go1.16.15", False)
    assert info.version_of("github.com/aws/aws-sdk-go") == "v1.45.25"


def test_magic_found_without_section_headers(tmp_path: Path) -> None:
    f = tmp_path / "stripped"
    f.write_bytes(make_elf(section=inline_section("go1.22.0", modinfo(INFO_TEXT)), with_sections=False))
    assert buildinfo.read(f).main == Module("github.com/grafana/agent", "v0.39.1")


@pytest.mark.parametrize("cut", [40, 60, 200])
def test_truncated_build_info_is_an_error_not_a_crash(tmp_path: Path, cut: int) -> None:
    body = inline_section("go1.21.5", modinfo(INFO_TEXT))
    f = tmp_path / "cut"
    f.write_bytes(make_elf(section=body[:cut]))
    with pytest.raises(BuildInfoError, match="truncated"):
        buildinfo.read(f)


@pytest.mark.parametrize(("content", "reason"), [
    (b"#!/bin/sh\necho hi\n", "not an ELF"),
    (b"", "empty"),
])
def test_not_a_go_binary(tmp_path: Path, content: bytes, reason: str) -> None:
    f = tmp_path / "f"
    f.write_bytes(content)
    with pytest.raises(BuildInfoError, match=reason):
        buildinfo.read(f)


def test_c_binary_has_no_build_info() -> None:
    with pytest.raises(BuildInfoError, match="no Go build info"):
        buildinfo.read("/bin/sh")


def test_missing_file() -> None:
    with pytest.raises(BuildInfoError, match="cannot read"):
        buildinfo.read("/nonexistent/agent")


# ---------------------------------------------------------------------------------------- the chain model


def _info(main: str, version: str, **deps: str) -> BuildInfo:
    return BuildInfo("go1.22.0", main=Module(main, version),
                     deps={p.replace("__", "/").replace("_", "-"): Module(p, v) for p, v in deps.items()})


@pytest.mark.parametrize(("info", "model"), [
    (_info("github.com/prometheus/prometheus", "v0.304.2"), V1),
    (_info("github.com/prometheus/prometheus", "v0.305.0"), V2),
    (_info("github.com/grafana/agent", "v0.40.0"), V1),
    (_info("github.com/grafana/alloy", "v1.9.0"), V2),
    (BuildInfo("go1.22", main=Module("x", "v1"), deps={"github.com/prometheus/sigv4": Module("", "v0.1.2"),
                                                        "github.com/aws/aws-sdk-go-v2": Module("", "v1.30.0")}), V1),
    (BuildInfo("go1.22", main=Module("x", "v1"), deps={"github.com/aws/aws-sdk-go-v2": Module("", "v1.30.0")}), V2),
    (BuildInfo("go1.22", main=Module("x", "v1"), deps={"github.com/aws/aws-sdk-go": Module("", "v1.30.0"),
                                                        "github.com/aws/aws-sdk-go-v2": Module("", "v1.3.0")}), None),
])
def test_which_sdk_signs(info: BuildInfo, model: str | None) -> None:
    assert buildinfo.sdk_model(info).model == model


@pytest.mark.parametrize(("text", "parsed"), [
    ("v1.47.11", (1, 47, 11)), ("v0.0.0-20231114-abcdef", (0, 0, 0)), ("v2.1.0+incompatible", (2, 1, 0)),
    ("(devel)", None), ("", None),
])
def test_semver(text: str, parsed: tuple[int, int, int] | None) -> None:
    assert buildinfo.semver(text) == parsed
