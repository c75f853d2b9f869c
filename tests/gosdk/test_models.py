"""The Go SDK models on their own (no Go needed): versions, reachability and the errors the SDKs raise before any
request. The real-SDK agreement is test_matrix.py's job."""

from __future__ import annotations

from pathlib import Path

from sigdoctor.gosdk import v1, v2
from sigdoctor.gosdk.common import EC2_ROLE, ENDPOINT, GoInput, parse_ini
from tests.gosdk import harness
from tests.gosdk.cases import CASES
from tests.gosdk.test_matrix import predictions

POD = {
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
}


def inp(env: dict[str, str], files: dict[str, str] | None = None, **kw: object) -> GoInput:
    fs = files or {}
    return GoInput(env=env, read=fs.get, home="/home/agent", **kw)  # type: ignore[arg-type]


def test_pod_identity_is_refused_by_sdks_older_than_the_feature() -> None:
    files = {POD["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]: "tok"}
    old1 = v1.predict(inp(POD, files, version="v1.44.300"))
    old2 = v2.predict(inp(POD, files, version="v1.18.0"))
    assert old1.source is None and "only loopback hosts are allowed" in old1.why and "1.47.11" in old1.why
    assert old2.source is None and "only loopback hosts are allowed" in old2.why
    new1 = v1.predict(inp(POD, files, version="v1.55.5"))
    new2 = v2.predict(inp(POD, files, version="v1.27.0"))
    assert new1.source == new2.source == ENDPOINT


def test_unknown_version_assumes_a_current_sdk_and_says_so() -> None:
    p = v2.predict(inp(POD, {POD["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]: "tok"}))
    assert p.source == ENDPOINT and "older versions refuse" in p.why


def test_an_unanswering_imds_means_no_credentials_and_unknown_means_the_pick() -> None:
    env = {"HOME": "/home/agent"}
    assert v1.predict(inp(env, reachable={"imds": False})).source is None
    assert v2.predict(inp(env, reachable={"imds": None})).source == EC2_ROLE
    assert "not verified" in v2.predict(inp(env)).why


def test_config_file_keys_need_load_config_in_v1_only() -> None:
    files = {"/home/agent/.aws/config": "[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"}
    assert v1.predict(inp({}, files)).source == EC2_ROLE
    assert v1.predict(inp({}, files), shared_config=True).source == "SharedConfigCredentials: /home/agent/.aws/config"
    assert v1.predict(inp({"AWS_SDK_LOAD_CONFIG": "true"}, files)).source.startswith("SharedConfigCredentials")  # type: ignore[union-attr]
    assert v2.predict(inp({}, files)).source == "SharedConfigCredentials: /home/agent/.aws/config"


def test_configuration_errors_are_reported_as_the_sdk_failing_to_start() -> None:
    cfg = {"/home/agent/.aws/config": "[default]\nsource_profile = base\n"}
    p1 = v1.predict(inp({}, cfg), shared_config=True)
    p2 = v2.predict(inp({}, cfg))
    assert p1.source is None and p1.why.startswith("session.NewSession fails") and "requires role_arn" in p1.why
    assert p2.source is None and p2.why.startswith("config.LoadDefaultConfig fails")


def test_mfa_profiles_cannot_be_used_by_an_agent() -> None:
    files = {
        "/home/agent/.aws/config": "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\nmfa_serial = m\n",
        "/home/agent/.aws/credentials": "[b]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n",
    }
    assert "MFA" in v1.predict(inp({}, files), shared_config=True).why
    assert "MFA" in v2.predict(inp({}, files)).why


def test_ini_parsing_keeps_section_names_and_drops_comments() -> None:
    sections = parse_ini("# top\n[profile  dev]\nregion = eu-west-1 ; comment\n;x\nrole_arn=arn\n")
    assert sections == {"profile dev": {"region": "eu-west-1", "role_arn": "arn"}}


def test_explanations_survive_the_redactor_untouched(tmp_path: Path) -> None:
    # The why texts name files and variables, never secrets: nothing in them may look like one to the redactor
    # (a "…/token: Assume…" once did), or the report shows ‹redacted› where the explanation should be.
    from sigdoctor.redact import Redactor

    for case in CASES:
        m = harness.materialise(case, tmp_path)
        for run, p in predictions(m).items():
            assert Redactor().text(p.why) == p.why, f"{case.id} {run}: {p.why}"
