"""The header of a decode report describes the pasted text, not the machine decode runs on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.clirun import sd

EXPIRED = '{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}\n'


def test_decode_report_names_no_region_of_the_decoding_machine(tmp_path: Path) -> None:
    # The laptop is set up for eu-west-1 both ways botocore reads a region; the log came from somewhere else.
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n")
    log = tmp_path / "agent.log"
    log.write_text(EXPIRED)
    out = sd(tmp_path, "decode", str(log), "--format", "json", AWS_REGION="eu-west-1", AWS_CONFIG_FILE=str(config))
    report = json.loads(out.stdout)
    assert out.returncode == 1, out.stderr
    assert report["command"] == "decode"
    assert report["environment"]["region"] is None
    assert "region_guessed" not in report["environment"]
    assert [c["id"] for c in report["root_causes"]][:1] == ["credentials-expired"]
    for fmt in ("text", "markdown"):
        shown = sd(tmp_path, "decode", str(log), "--format", fmt, AWS_REGION="eu-west-1").stdout
        assert "eu-west-1" not in shown
