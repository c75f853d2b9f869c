"""`sigdoctor chain`: every source of the chain in order, the winner marked, then what is wrong with it."""

from __future__ import annotations

import re

from sigdoctor.model import Report
from sigdoctor.render.chain import render_chain_markdown, render_chain_text


def _rows(out: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^(→| ) {1,2}(\S+) +(absent|configured|failed|winner|shadowed)(?:  |$)", out, flags=re.M)


def test_every_source_in_chain_order(several_causes_report: Report) -> None:
    assert several_causes_report.credentials is not None
    expected = [(s["method"], s["state"]) for s in several_causes_report.credentials["sources"]]
    for width in (100, 60):
        out = render_chain_text(several_causes_report, color=False, width=width)
        assert [(m, s) for _, m, s in _rows(out)] == expected, width


def test_only_the_winner_is_marked(several_causes_report: Report, no_credentials_report: Report) -> None:
    out = render_chain_text(several_causes_report, color=False)
    assert [(mark, m) for mark, m, _ in _rows(out) if mark == "→"] == [("→", "env")]
    assert "Winner: env (AKIA…WXYZ)" in out
    none = render_chain_text(no_credentials_report, color=False)
    assert not [r for r in _rows(none) if r[0] == "→"]
    assert "Winner: none (no source yields credentials)" in none


def test_profile_files_and_problems_follow_the_table(several_causes_report: Report) -> None:
    out = render_chain_text(several_causes_report, color=False)
    assert out.index("iam-role") < out.index("Profile: [prod] (from AWS_PROFILE)")
    assert "Config file: /home/agent/.aws/config (exists, from AWS_CONFIG_FILE)" in out
    assert "aws-sdk-go-v2 would use: EnvConfigCredentials — AWS_ACCESS_KEY_ID is set" in out
    assert out.rstrip().endswith("! Long-lived AKIA… key in use")
    assert "Credentials come from env" not in out  # pass findings are not problems


def test_chain_not_examined(probe_error_report: Report) -> None:
    out = render_chain_text(probe_error_report, color=False)
    assert "The credential chain was not examined." in out
    assert "✗ (probe error) KeyError: 'credential_source'" in out


def test_no_ansi_without_color(any_report: Report) -> None:
    assert "\x1b" not in render_chain_text(any_report, color=False)


def test_markdown(several_causes_report: Report) -> None:
    md = render_chain_markdown(several_causes_report)
    assert md.startswith("# sigdoctor credential chain\n")
    assert "Winner: **env (AKIA…WXYZ)**" in md
    assert "| **`env`** | **winner** |" in md
    assert "- fail `credentials.env-shadows-role` — Static keys in the environment win" in md
