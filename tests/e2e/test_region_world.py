"""End to end: a region botocore refuses (a trailing space, an escape sequence, a 900 kB paste in ~/.aws/config) is
the finding — with where it was set — and its cause comes first; no probe crashes on it and DNS is not blamed.
A bad `--region` is a usage error."""

from __future__ import annotations

from typing import Any

from tests.world import Result, World

ALL_PROBES = ("credentials", "identity", "clock", "dns", "connectivity", "permissions", "signature")


def run_all(w: World, *extra: str) -> tuple[Result, dict[str, Any]]:
    w.sts()
    w.env_keys("AKIA")
    r = w.run("run", "--format", "json", "--deadline", "20", *extra)
    r.assert_no_secrets()
    assert not r.timed_out, r.describe()
    assert "crashed" not in r.stdout and "internal error" not in r.stderr, r.describe()
    return r, r.json


def top(r: Result, rep: dict[str, Any]) -> dict[str, Any]:
    causes = rep["root_causes"]
    assert causes, r.describe()
    return dict(causes[0])


def test_trailing_space_in_aws_region_is_named(world: World) -> None:
    world.env(AWS_REGION="us-east-1 ")
    r, rep = run_all(world)
    cause = top(r, rep)
    assert r.rc == 1, r.describe()
    assert cause["id"] == "region-mismatch", [c["id"] for c in rep["root_causes"]]
    assert "AWS_REGION='us-east-1 ' (trailing space) is not a valid region" in cause["evidence"], cause
    assert "dns-resolution-failed" not in [c["id"] for c in rep["root_causes"]]
    identity = next(p for p in rep["probes"] if p["id"] == "identity")
    assert identity["status"] == "skip" and "not a valid region" in identity["summary"], identity
    assert rep["environment"]["region"] == "us-east-1" and "trailing space" in rep["environment"]["region_guessed"]


def test_escape_sequence_in_aws_region_is_shown_not_sent_to_the_terminal(world: World) -> None:
    world.env(AWS_REGION="us-east-1\x1b[31m")
    world.sts()
    world.env_keys("AKIA")
    r = world.run("run", "--deadline", "20")
    assert not r.timed_out and r.rc == 1, r.describe()
    assert "\x1b" not in r.stdout, r.describe()
    assert "AWS_REGION='us-east-1\\x1b[31m' (contains control characters) is not a valid region" in r.stdout
    assert "crashed" not in r.stdout


def test_huge_region_in_the_profile_is_cut_and_blames_the_profile(world: World) -> None:
    world.unset_env("AWS_REGION", "AWS_DEFAULT_REGION")
    world.file("~/.aws/config", "[default]\nregion = eu-" + "x" * 900_000 + "\n")
    r, rep = run_all(world)
    cause = top(r, rep)
    assert r.rc == 1, r.describe()
    assert cause["id"] == "profile-invalid", [c["id"] for c in rep["root_causes"]]
    line = next(e for e in cause["evidence"] if "not a valid region" in e)
    assert line.startswith("region='eu-xxxxxxxx") and "in profile default of ~/.aws/config" in line, line
    assert "878.9 KiB long" in line and len(line) < 300, line
    assert len(r.stdout) < 200_000, len(r.stdout)


def test_bad_region_flag_is_a_usage_error(world: World) -> None:
    r = world.run("run", "--region", "bad region")
    assert r.rc == 2, r.describe()
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--region 'bad region': not a valid region" in lines[0] and "hint:" in lines[0], lines
    assert "Traceback" not in r.stderr
