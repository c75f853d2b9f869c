"""The causes engine and the knowledge files shipped with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigdoctor.catalog import CATALOG
from sigdoctor.causes import CauseFileError, diagnose, load_rules
from sigdoctor.model import Finding, ProbeResult, Severity, Status
from sigdoctor.probes import PROBES
from sigdoctor.resources import docs_dir

PAGE_SECTIONS = ("## What it means", "## Symptoms", "## How sigdoctor knows", "## Fix")


def _write(folder: Path, cid: str, when: list[str], suppresses: list[str] = (), severity: str = "error",
           priority: int = 50, confidence: str = "high") -> None:
    (folder / f"{cid}.toml").write_text(
        f'id = "{cid}"\ntitle = "T {cid}"\nseverity = "{severity}"\nconfidence = "{confidence}"\n'
        f'priority = {priority}\nsummary = "S"\nwhen = {when!r}\nsuppresses = {list(suppresses)!r}\n'
        f'fix = ["generic fix for {cid}"]\n'.replace("'", '"')
    )


def _result(*findings: Finding) -> ProbeResult:
    return ProbeResult("credentials", "C", Status.FAIL, "", 1, findings)


def test_shipped_cause_files_load_and_reference_emitted_findings() -> None:
    rules = load_rules()
    from sigdoctor.decode.probe import EMITS as DECODE_EMITS

    emitted = {fid for p in PROBES for fid in p.emits} | set(DECODE_EMITS)
    for rule in rules.values():
        assert rule.id in CATALOG
        unknown = set(rule.when) - emitted
        assert not unknown, f"{rule.id}.toml references findings no probe emits: {sorted(unknown)}"


def test_every_cause_file_has_a_page_with_the_fixed_sections() -> None:
    for cid in load_rules():
        page = (docs_dir() / f"{cid}.md").read_text()
        for section in PAGE_SECTIONS:
            assert section in page, f"docs/causes/{cid}.md lacks {section!r}"


def test_every_page_belongs_to_a_catalog_cause() -> None:
    for page in docs_dir().glob("*.md"):
        assert page.stem in CATALOG, f"{page.name} is not a catalog cause"


def test_ranking_severity_then_confidence_then_priority(tmp_path: Path) -> None:
    _write(tmp_path, "long-lived-keys", ["credentials.a"], severity="warning", priority=1)
    _write(tmp_path, "no-credentials", ["credentials.b"], priority=90)
    _write(tmp_path, "imds-hop-limit", ["credentials.c"], priority=10)
    _write(tmp_path, "imds-no-role", ["credentials.d"], priority=5, confidence="medium")
    res = _result(*(Finding(f"credentials.{x}", Status.FAIL, x) for x in "abcd"))
    assert [c.id for c in diagnose([res], load_rules(tmp_path))] == [
        "imds-hop-limit", "no-credentials", "imds-no-role", "long-lived-keys",
    ]


def test_symptom_is_folded_into_the_cause_that_explains_it(tmp_path: Path) -> None:
    _write(tmp_path, "no-credentials", ["credentials.none"], priority=90)
    _write(tmp_path, "imds-hop-limit", ["credentials.hop"], suppresses=["no-credentials"], priority=10)
    res = _result(Finding("credentials.none", Status.FAIL, "nothing worked"),
                  Finding("credentials.hop", Status.FAIL, "token PUT timed out", {"fix": "raise the hop limit"}))
    causes = diagnose([res], load_rules(tmp_path))
    assert [c.id for c in causes] == ["imds-hop-limit"]
    assert causes[0].evidence == ("token PUT timed out", "no-credentials: nothing worked")
    assert causes[0].fix == ("raise the hop limit", "generic fix for imds-hop-limit")


def test_warn_findings_make_at_most_a_warning_and_pass_findings_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "no-credentials", ["credentials.x"])
    causes = diagnose([_result(Finding("credentials.x", Status.WARN, "w"))], load_rules(tmp_path))
    assert causes[0].severity is Severity.WARNING
    assert diagnose([_result(Finding("credentials.x", Status.PASS, "p"))], load_rules(tmp_path)) == ()


def test_broken_cause_files_fail_fast_with_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "clock-skew.toml").write_text('id = "clock-skew"\n')
    with pytest.raises(CauseFileError, match=r"clock-skew\.toml: missing keys"):
        load_rules(tmp_path)
    (tmp_path / "clock-skew.toml").unlink()
    _write(tmp_path, "not-a-cause", ["x.y"])
    with pytest.raises(CauseFileError, match="catalog id"):
        load_rules(tmp_path)
    (tmp_path / "not-a-cause.toml").unlink()
    _write(tmp_path, "clock-skew", ["x.y"], suppresses=["dns-resolution-failed"])
    _write(tmp_path, "dns-resolution-failed", ["x.z"], suppresses=["clock-skew"])
    with pytest.raises(CauseFileError, match="suppress each other"):
        load_rules(tmp_path)


def test_a_lower_layer_ranks_before_a_higher_one_of_equal_severity(tmp_path: Path) -> None:
    _write(tmp_path, "no-credentials", ["credentials.none"], priority=90)
    _write(tmp_path, "dns-resolution-failed", ["dns.nx"], priority=10)
    results = [
        ProbeResult("credentials", "C", Status.FAIL, "", 1, (Finding("credentials.none", Status.FAIL, "none"),)),
        ProbeResult("dns", "D", Status.FAIL, "", 1, (Finding("dns.nx", Status.FAIL, "nxdomain"),)),
    ]
    assert [c.id for c in diagnose(results, load_rules(tmp_path))] == ["no-credentials", "dns-resolution-failed"]
