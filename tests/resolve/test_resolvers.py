"""One answer per question a run asks more than once: which region, which configured endpoint, how wide a
service's signing window is — and the report says when the region was a guess."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sigdoctor.context import Context
from sigdoctor.doctor import environment
from sigdoctor.endpoints import resolve_region, with_endpoint_override
from sigdoctor.skew_windows import DEFAULT, WINDOWS, window

CLEAN = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
         "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    for k, v in CLEAN.items():
        monkeypatch.setenv(k, v)


def ctx(**env: str) -> Context:
    return Context(env={**CLEAN, **env})


# ---- region ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("context", "want"), [
    (Context(env={**CLEAN, "AWS_REGION": "eu-west-1"}, region="ap-south-1"), ("ap-south-1", "--region")),
    (ctx(AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="us-west-2"), ("eu-west-1", "AWS_REGION")),
    (ctx(AWS_DEFAULT_REGION="us-west-2"), ("us-west-2", "AWS_DEFAULT_REGION")),
])
def test_region_named_by_the_environment(context: Context, want: tuple[str, str]) -> None:
    r = resolve_region(context)
    assert (r.name, r.source, r.guessed) == (*want, None)
    assert environment(context)["region"] == want[0] and "region_guessed" not in environment(context)


def test_region_from_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    r = resolve_region(ctx(AWS_CONFIG_FILE=str(config)))
    assert (r.name, r.source, r.guessed) == ("eu-central-1", "profile", None)


def test_a_guessed_region_is_said_in_the_report() -> None:
    context = ctx()
    r = resolve_region(context)
    assert (r.name, r.source) == ("us-east-1", "guessed")
    env = environment(context)
    assert env["region"] == "us-east-1"
    assert env["region_guessed"] == "no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region"


def test_a_botocore_error_is_a_stated_guess_not_a_silent_default(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nowhere")  # a profile the (empty) config does not have
    r = resolve_region(Context(env={**CLEAN, "AWS_PROFILE": "nowhere"}, profile="nowhere"))
    assert (r.name, r.source) == ("us-east-1", "guessed")
    assert (r.guessed or "").startswith("botocore could not read the configuration (ProfileNotFound")


# ---- configured endpoints ----------------------------------------------------------------------------------------
URL = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write?x=1"


@pytest.mark.parametrize(("env", "service", "want"), [
    ({}, "amp", URL),
    ({"AWS_ENDPOINT_URL_AMP": "http://127.0.0.1:8080"}, "amp",
     "http://127.0.0.1:8080/workspaces/ws-1/api/v1/remote_write?x=1"),
    ({"AWS_ENDPOINT_URL": "https://proxy.internal"}, "amp",
     "https://proxy.internal/workspaces/ws-1/api/v1/remote_write?x=1"),
    ({"AWS_ENDPOINT_URL_AMP": "http://127.0.0.1:8080", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "amp", URL),
    # botocore names the variable after the service id ("API Gateway"), not the service name ("apigateway")
    ({"AWS_ENDPOINT_URL_APIGATEWAY": "http://wrong:1"}, "apigateway", URL),
    ({"AWS_ENDPOINT_URL_API_GATEWAY": "http://right:1"}, "apigateway",
     "http://right:1/workspaces/ws-1/api/v1/remote_write?x=1"),
])
def test_configured_endpoint_by_botocores_rules(env: dict[str, str], service: str, want: str) -> None:
    assert with_endpoint_override(ctx(**env), URL, service) == want


# ---- signing windows ---------------------------------------------------------------------------------------------
def test_signing_windows_per_service_with_their_source() -> None:
    assert (window("s3").seconds, window("sts").seconds, window("aps").seconds, window(None).seconds) == (
        900.0, 900.0, 300.0, 300.0)
    assert all(w.source for w in (DEFAULT, *WINDOWS.values()))


def test_skew_judges_read_the_one_table() -> None:
    from sigdoctor.awserrors import rules, sts
    from sigdoctor.timecheck import verdict

    assert (window(None).seconds, window("s3").seconds) == (verdict.SIGV4_WINDOW_S, verdict.S3_WINDOW_S)
    assert window("sts").seconds == sts.SIGV4_WINDOW_S and window(None).seconds == rules.SKEW_ERROR_S


# ---- import graph ------------------------------------------------------------------------------------------------
def _imports(module: str) -> set[str]:
    path = Path(__file__).resolve().parents[2] / (module.replace(".", "/") + ".py")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_endpoints_does_not_import_the_sts_caller() -> None:
    # sts.caller imports endpoints (region_of); the other direction would be a cycle.
    assert "sigdoctor.endpoints" in _imports("sigdoctor.sts.caller")
    assert not any(m.startswith("sigdoctor.sts") for m in _imports("sigdoctor.endpoints"))


# ---- the run's CA bundle reaches sigdoctor's own AWS clients -----------------------------------------------------
def test_sts_client_verifies_with_the_run_bundle(tmp_path: Path) -> None:
    # A Go agent trusts SSL_CERT_FILE; botocore alone would not. The identity probe's client trusts what the
    # connectivity probe reports (netconn.tls.ca_bundle), not botocore's own default.
    import trustme

    from sigdoctor.netconn.tls import ca_bundle
    from sigdoctor.sts.caller import client

    trustme.CA().cert_pem.write_to_path(str(tmp_path / "corp.pem"))
    context = Context(env={**CLEAN, "AWS_REGION": "eu-west-1", "SSL_CERT_FILE": "/corp.pem"}, root=tmp_path)
    context.state.chain.close()  # the credentials probe ended without an answer: a fresh session is used
    sts = client(context, keys=("AKIDEXAMPLE", "secret", None))
    assert ca_bundle(context).source == "SSL_CERT_FILE"
    assert sts._endpoint.http_session._verify == str(tmp_path / "corp.pem")
