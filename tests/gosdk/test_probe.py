"""What the credentials probe reports about the Go SDKs: `credentials.go_sdk` and `credentials.sdk-chain-differs`."""

from __future__ import annotations

from collections.abc import Callable

from sigdoctor.runstate import RunState
from tests.creds.conftest import Env, Result

Probe = Callable[..., Result]
KEYS = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYGOSDK01\n"


def test_the_go_sdks_agree_with_botocore_on_env_keys(env: Env, probe: Probe) -> None:
    env.vars["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYGOSDK02")
    r = probe(env)
    go = r.creds["go_sdk"]
    assert go["aws-sdk-go"]["source"] == go["aws-sdk-go-v2"]["source"] == "EnvConfigCredentials"
    assert "credentials.sdk-chain-differs" not in r.findings()


def test_config_file_keys_are_invisible_to_aws_sdk_go_without_load_config(env: Env, probe: Probe) -> None:
    env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYGOSDK01")
    path = env.config("[default]\n" + KEYS)
    r = probe(env)
    assert r.winner == "config-file"
    go = r.creds["go_sdk"]
    # IMDS is disabled in the clean test environment: v1 finds nothing at all.
    assert go["aws-sdk-go"]["source"] is None and "AWS_SDK_LOAD_CONFIG" in go["aws-sdk-go"]["why"]
    assert go["aws-sdk-go"]["with_shared_config"]["source"] == f"SharedConfigCredentials: {path}"
    assert go["aws-sdk-go-v2"]["source"] == f"SharedConfigCredentials: {path}"
    assert r.findings()["credentials.sdk-chain-differs"] == "warn"
    finding = r.finding("sdk-chain-differs")
    assert "aws-sdk-go will use no credentials" in finding.message
    assert finding.evidence["fix"] == [
        "set AWS_SDK_LOAD_CONFIG=1 in the agent's environment: aws-sdk-go then reads ~/.aws/config too and uses "
        f"SharedConfigCredentials: {path} like botocore"
    ]


def test_a_profile_naming_nothing_breaks_botocore_but_not_the_go_sdks(env: Env, probe: Probe) -> None:
    env.vars.update(AWS_PROFILE="nope", AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE")
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYGOSDK03")
    r = probe(env, compare=False)
    assert r.winner is None
    assert r.creds["go_sdk"]["aws-sdk-go-v2"]["source"] == "EnvConfigCredentials"
    assert "aws-sdk-go-v2 will use EnvConfigCredentials" in r.finding("sdk-chain-differs").message


def agent_said(**values: object) -> RunState:
    """The run state after the agent probe wrote these fields."""
    state = RunState()
    for name, value in values.items():
        getattr(state, name).set(value)
    return state


def test_only_the_sdk_the_agent_links_is_modelled(env: Env, probe: Probe) -> None:
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://169.254.170.23/v1/credentials"
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = env.file("pod-token", "t")
    r = probe(env, offline=True, state=agent_said(agent_sdk_versions={"github.com/aws/aws-sdk-go": "v1.44.100"}))
    go = r.creds["go_sdk"]
    assert list(go) == ["aws-sdk-go"]
    assert go["aws-sdk-go"]["version"] == "v1.44.100"
    assert go["aws-sdk-go"]["source"] is None and "only loopback hosts are allowed" in go["aws-sdk-go"]["why"]


def test_the_agent_probes_verdict_picks_the_model(env: Env, probe: Probe) -> None:
    env.vars["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYGOSDK04")
    r = probe(env, state=agent_said(agent_sdk_model="aws-sdk-go-v2"))
    assert list(r.creds["go_sdk"]) == ["aws-sdk-go-v2"]


def test_no_disagreement_when_botocores_winner_fails_and_the_go_sdks_find_nothing(env: Env, probe: Probe) -> None:
    env.vars.update(AWS_ROLE_ARN="arn:aws:iam::111122223333:role/agent", AWS_WEB_IDENTITY_TOKEN_FILE="/nonexistent")
    r = probe(env, offline=True)
    assert r.winner == "assume-role-with-web-identity" and r.state("assume-role-with-web-identity") == "failed"
    assert r.creds["go_sdk"]["aws-sdk-go"]["source"] is None
    assert "credentials.sdk-chain-differs" not in r.findings()
