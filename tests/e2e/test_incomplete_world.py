"""End to end: a diagnosis that did not finish is never an all-clear (GitHub issue 12, "Completeness is part of the
verdict"). Each scenario is one a user meets: a network where nothing answers while IRSA is configured, a web
identity token file that blocks, a credential_process that hangs, a source_profile chain deeper than Python's stack.
The exit code and the top root cause are what is asserted; `diagnosis-incomplete` names what did not finish.
"""

from __future__ import annotations

import os
from typing import Any

from tests.e2e.test_network_causes_world import NetWorld, log_scenario
from tests.world import ACCOUNT, World

IRSA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/agent-irsa-role"


def blackholed_irsa(world: World) -> NetWorld:
    """Everything silent — the resolver answers no name, IMDS drops SYNs, Amazon Time Sync reads and never replies —
    in a pod with IRSA configured (shared with bench/scenarios.py)."""
    net = NetWorld(world).ntp(mode="silent")
    world.dns("*", "TIMEOUT")
    net.blackhole("169.254.169.254", 80, mode="drop-syn")
    world.web_identity(IRSA_ROLE)
    world.env(KUBERNETES_SERVICE_HOST="10.100.0.1")
    return net


def causes(rep: dict[str, Any]) -> list[str]:
    return [c["id"] for c in rep["root_causes"]]


def incomplete_evidence(rep: dict[str, Any]) -> str:
    cause = next(c for c in rep["root_causes"] if c["id"] == "diagnosis-incomplete")
    return " | ".join(cause["evidence"])


def test_blackholed_pod_with_irsa_never_ends_in_an_all_clear(world: World) -> None:
    r = blackholed_irsa(world).run("--deadline", "5", "--format", "json", timeout=40)
    assert not r.timed_out, r.describe()
    rep = r.json
    assert r.rc == 1, f"causes={causes(rep)}\n{r.describe()}"
    assert causes(rep)[0] in ("dns-resolution-failed", "diagnosis-incomplete"), causes(rep)
    # The network probes do not wait for the web identity exchange: the resolver's silence is in the report.
    assert "dns-resolution-failed" in causes(rep), causes(rep)
    dns = next(p for p in rep["probes"] if p["id"] == "dns")
    assert dns["status"] == "fail" and "deadline" not in dns["summary"], dns["summary"]
    r.assert_no_secrets()
    log_scenario(r)


def _config(world: World, text: str) -> None:
    world.file("~/.aws/config", text)
    world.env(AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1")


def test_chain_with_a_token_file_that_blocks_is_not_an_all_clear(world: World) -> None:
    fifo = world.home / "token-fifo"
    os.mkfifo(fifo)
    world.env(AWS_ROLE_ARN=IRSA_ROLE, AWS_WEB_IDENTITY_TOKEN_FILE=str(fifo), AWS_CONFIG_FILE="/dev/null",
              AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1")
    r = world.run("chain", "--deadline", "3", "--format", "json", timeout=30)
    assert not r.timed_out, r.describe()
    rep = r.json
    assert r.rc == 1, f"causes={causes(rep)}\n{r.describe()}"
    # Either the token file is refused for what it is, or the read that never ends is named as what did not finish.
    assert causes(rep)[0] in ("web-identity-token-unreadable", "diagnosis-incomplete"), causes(rep)
    evidence = " ".join(rep["root_causes"][0]["evidence"])
    assert str(fifo) in evidence or "token file" in evidence, evidence
    r.assert_no_secrets()


def test_run_with_a_credential_process_that_hangs_is_not_an_all_clear(world: World) -> None:
    _config(world, "[default]\ncredential_process = /bin/sleep 30\n")
    r = world.run("run", "--deadline", "3", "--format", "json", timeout=30)
    assert not r.timed_out, r.describe()
    rep = r.json
    assert r.rc == 1, r.describe()
    # The timeout is evidence: the process that did not answer is the finding, whoever stopped it.
    assert causes(rep)[0] in ("profile-invalid", "diagnosis-incomplete"), causes(rep)
    evidence = " ".join(rep["root_causes"][0]["evidence"])
    assert "credential_process" in evidence and "did not finish" in evidence, evidence
    r.assert_no_secrets()


def test_chain_with_a_3000_deep_source_profile_chain_gives_a_clear_finding(world: World) -> None:
    depth = 3000
    profiles = [f"[profile p{i}]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/r{i}\nsource_profile = p{i + 1}\n"
                for i in range(depth)]
    profiles.append(f"[profile p{depth}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                    "aws_secret_access_key = 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\n")
    _config(world, "\n".join(profiles))
    world.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYDEEPCHAIN1")
    world.env(AWS_PROFILE="p0")
    r = world.run("chain", "--deadline", "10", "--format", "json", timeout=60)
    assert not r.timed_out, r.describe()
    assert "Traceback" not in r.stderr, r.describe()
    rep = r.json
    assert r.rc == 1, f"causes={causes(rep)}\n{r.describe()}"
    assert causes(rep)[0] == "profile-invalid", causes(rep)
    cause = rep["root_causes"][0]
    assert "source_profile" in " ".join(cause["evidence"]), cause["evidence"]
    r.assert_no_secrets()


def test_pod_without_credentials_whose_imds_is_dropped_names_the_path_to_imds(world: World) -> None:
    net = NetWorld(world).aws().trust_system("amazon").ntp()
    net.blackhole("169.254.169.254", 80, mode="drop-syn")
    world.env(KUBERNETES_SERVICE_HOST="10.100.0.1")
    r = net.run("--format", "json", timeout=60)
    rep = r.json
    assert r.rc == 1, r.describe()
    assert causes(rep)[0] == "imds-unreachable", causes(rep)
    evidence = " ".join(rep["root_causes"][0]["evidence"])
    assert "Kubernetes pod" in evidence and "169.254.169.254" in evidence, evidence
    r.assert_no_secrets()
    log_scenario(r)
