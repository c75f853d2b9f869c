"""Environment keys, shared files and profiles: who wins, and what the user is told."""

from __future__ import annotations

from collections.abc import Callable

from tests.creds.conftest import Env, Result

Probe = Callable[..., Result]
AKIA = "AKIAIOSFODNN7EXAMPLE"
ASIA = "ASIAIOSFODNN7EXAMPLE"


def keys(env: Env, key: str = AKIA, secret: str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY01") -> None:
    env.vars["AWS_ACCESS_KEY_ID"] = key
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret(secret)


def test_empty_environment_has_no_credentials(env: Env, probe: Probe) -> None:
    r = probe(env)
    assert r.winner is None
    assert r.findings()["credentials.no-credentials"] == "fail"
    assert r.findings()["credentials.winner"] == "fail"
    assert "credentials.imds-unreachable" not in r.findings()
    assert str(r.outcome.status) == "fail"
    assert all(s["state"] == "absent" for s in r.creds["sources"])
    assert r.state("iam-role") == "absent" and "AWS_EC2_METADATA_DISABLED" in r.detail("iam-role")


def test_env_keys_win_and_are_masked(env: Env, probe: Probe) -> None:
    keys(env)
    r = probe(env)
    assert r.winner == "env"
    assert r.creds["access_key_id"] == "AKIA…MPLE"
    assert r.findings() == {
        "credentials.files": "pass",
        "credentials.winner": "pass",
        "credentials.long-lived-keys": "warn",
    }
    assert str(r.outcome.status) == "warn"
    assert AKIA not in r.text()
    chain = r.ctx.state.chain.get()
    assert chain is not None and chain.winner == "env"
    assert chain.credentials.method == "env"
    assert chain.session is not None


def test_key_id_without_secret_is_incomplete(env: Env, probe: Probe) -> None:
    env.vars["AWS_ACCESS_KEY_ID"] = AKIA
    r = probe(env)
    assert r.winner is None
    assert r.state("env") == "failed"
    f = r.finding("env-credentials-incomplete")
    assert str(f.status) == "fail"
    assert {"var": "AWS_SECRET_ACCESS_KEY", "issue": f.evidence["problems"][0]["issue"]} in f.evidence["problems"]


def test_empty_key_id_with_secret_is_incomplete(env: Env, probe: Probe) -> None:
    env.vars["AWS_ACCESS_KEY_ID"] = ""
    env.vars["AWS_SECRET_ACCESS_KEY"] = env.secret("someSecretValue0123456789abcdefghijklmno")
    r = probe(env)
    assert r.winner is None
    assert "AWS_ACCESS_KEY_ID set but empty" in r.finding("env-credentials-incomplete").message


def test_trailing_newline_in_secret_is_named_not_shown(env: Env, probe: Probe) -> None:
    keys(env, secret="wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWLINE01\n")
    r = probe(env)
    assert r.winner == "env"
    f = r.finding("env-credentials-incomplete")
    assert f.message == "AWS_SECRET_ACCESS_KEY contains trailing newline"


def test_temporary_key_without_session_token(env: Env, probe: Probe) -> None:
    keys(env, key=ASIA)
    r = probe(env)
    assert r.winner == "env"
    f = r.finding("session-token-missing")
    assert str(f.status) == "fail" and "AWS_SESSION_TOKEN" in f.message
    assert "credentials.long-lived-keys" not in r.findings()


def test_temporary_key_with_session_token_is_fine(env: Env, probe: Probe) -> None:
    keys(env, key=ASIA)
    env.vars["AWS_SESSION_TOKEN"] = env.secret("IQoJb3JpZ2luX2VjEXAMPLETOKEN" + "A" * 60)
    r = probe(env)
    assert set(r.findings()) == {"credentials.files", "credentials.winner"}
    assert str(r.outcome.status) == "pass"


def test_expired_env_session_credentials(env: Env, probe: Probe) -> None:
    keys(env, key=ASIA)
    env.vars["AWS_SESSION_TOKEN"] = env.secret("IQoJb3JpZ2luX2VjEXPIREDTOKEN" + "B" * 60)
    env.vars["AWS_CREDENTIAL_EXPIRATION"] = "2020-01-01T00:00:00Z"
    r = probe(env)
    assert r.winner == "env"
    f = r.finding("credentials-expired")
    assert str(f.status) == "fail" and f.evidence["expiry"] == "2020-01-01T00:00:00Z"


def test_shared_credentials_file_wins_and_is_listed(env: Env, probe: Probe) -> None:
    path = env.credentials(
        f"[default]\naws_access_key_id = {AKIA}\naws_secret_access_key = {env.secret('fileSecret0123456789abcdefghijklmnopqrstu')}\n"
    )
    r = probe(env)
    assert r.winner == "shared-credentials-file"
    assert r.state("env") == "absent"
    files = r.finding("files").evidence["files"]
    assert {"kind": "credentials", "path": path, "exists": True, "from": "AWS_SHARED_CREDENTIALS_FILE"} in files


def test_config_file_keys_win(env: Env, probe: Probe) -> None:
    env.config(
        f"[profile ops]\naws_access_key_id = {ASIA}\naws_secret_access_key = {env.secret('cfgSecret0123456789abcdefghijklmnopqrstuv')}\n"
    )
    env.vars["AWS_PROFILE"] = "ops"
    r = probe(env)
    assert r.winner == "config-file"
    assert r.creds["profile"] == "ops" and r.creds["profile_source"] == "AWS_PROFILE"
    assert "aws_session_token" in r.finding("session-token-missing").message


def test_explicit_profile_drops_env_keys(env: Env, probe: Probe) -> None:
    keys(env)
    env.credentials(
        f"[ops]\naws_access_key_id = {ASIA}\naws_secret_access_key = {env.secret('opsSecret0123456789abcdefghijklmnopqrstuv')}\naws_session_token = {env.secret('opsToken' + 'C' * 60)}\n"
    )
    r = probe(env, profile="ops")
    assert r.winner == "shared-credentials-file"
    assert r.state("env") == "configured"
    assert "--profile" in r.detail("env")
    assert r.creds["profile_source"] == "--profile"


def test_aws_profile_env_keeps_env_keys_first(env: Env, probe: Probe) -> None:
    keys(env)
    env.credentials(
        f"[ops]\naws_access_key_id = {ASIA}\naws_secret_access_key = {env.secret('opsSecret0123456789abcdefghijklmnopqrstuv')}\n"
    )
    env.vars["AWS_PROFILE"] = "ops"
    r = probe(env)
    assert r.winner == "env"
    assert r.state("shared-credentials-file") == "shadowed"


def test_unknown_profile_lists_what_exists(env: Env, probe: Probe) -> None:
    cfg = env.config("[profile prod]\nregion = us-east-1\n[staging]\nregion = eu-west-1\n")
    env.vars["AWS_PROFILE"] = "staging"
    r = probe(env)
    assert r.winner is None
    f = r.finding("profile-invalid")
    assert str(f.status) == "fail"
    assert "'staging'" in f.message and "AWS_PROFILE" in f.message
    assert f.evidence["profiles"][cfg] == ["prod"]
    assert any("[profile staging]" in line for line in f.evidence["fix"])
    assert str(r.finding("files").status) == "warn"


def test_source_profile_loop(env: Env, probe: Probe) -> None:
    env.config(
        "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n"
    )
    env.vars["AWS_PROFILE"] = "a"
    r = probe(env)
    assert r.winner is None
    assert r.state("assume-role") == "failed"
    assert "loop" in r.finding("profile-invalid").message.lower()


def test_role_arn_without_source(env: Env, probe: Probe) -> None:
    env.config("[default]\nrole_arn = arn:aws:iam::123456789012:role/agent\n")
    r = probe(env)
    assert r.winner is None
    assert "source_profile or credential_source" in r.finding("profile-invalid").message


def test_failing_credential_process_reports_exit_code(env: Env, probe: Probe) -> None:
    script = env.file(
        "bin/creds.sh", "#!/bin/sh\necho 'vault: permission denied for token s3cr3tT0kenValue' >&2\nexit 3\n", 0o755
    )
    env.secret("s3cr3tT0kenValue")
    env.config(f"[default]\ncredential_process = {script} --token s3cr3tT0kenValue\n")
    r = probe(env)
    assert r.winner is None
    f = r.finding("profile-invalid")
    assert f.evidence["exit_code"] == 3
    assert "exited with code 3" in f.message
    assert "s3cr3tT0kenValue" not in r.text()


def test_credential_process_success(env: Env, probe: Probe) -> None:
    body = '{"Version": 1, "AccessKeyId": "ASIAPROCESS000000XYZ", "SecretAccessKey": "procSecret0123456789", "SessionToken": "procTokenValue0123456789"}'
    env.secret("procSecret0123456789")
    env.secret("procTokenValue0123456789")
    script = env.file("bin/ok.sh", f"#!/bin/sh\necho '{body}'\n", 0o755)
    env.config(f"[default]\ncredential_process = {script}\n")
    r = probe(env)
    assert r.winner == "custom-process"
    assert r.creds["access_key_id"] == "ASIA…0XYZ"


def test_sso_without_cached_token(env: Env, probe: Probe) -> None:
    env.config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Agent\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    )
    r = probe(env, profile="dev")
    assert r.winner == "sso"
    assert r.state("sso") == "failed"
    f = r.finding("profile-invalid")
    assert "aws sso login" in f.message
    assert str(f.status) == "fail"


def test_home_unset_is_reported(env: Env, probe: Probe) -> None:
    del env.vars["HOME"]
    r = probe(env)
    f = r.finding("files")
    assert str(f.status) == "warn"
    assert f.evidence["home_from"] == "passwd"


def test_sso_with_expired_cached_token(env: Env, probe: Probe) -> None:
    import hashlib
    import json

    env.config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Agent\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    )
    cache = f"home/.aws/sso/cache/{hashlib.sha1(b'corp').hexdigest()}.json"
    token = env.secret("aoaAAAAAexpiredSsoAccessToken0123456789")
    env.file(cache, json.dumps({"accessToken": token, "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1"}))
    r = probe(env, profile="dev")
    assert r.winner == "sso"
    assert "expired at 2020-01-01T00:00:00Z" in r.finding("profile-invalid").message


def test_hanging_credential_process_is_cut_short(env: Env, probe: Probe) -> None:
    script = env.file("bin/hang.sh", "#!/bin/sh\nsleep 30\n", 0o755)
    env.config(f"[default]\ncredential_process = {script}\n")
    r = probe(env, compare=False, deadline_s=1.0)
    assert r.winner is None
    assert "timed out" in r.finding("profile-invalid").message
