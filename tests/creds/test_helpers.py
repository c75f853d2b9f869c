"""The small judgements the findings rest on: key characters, role ARNs, JWT claims, container URIs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sigdoctor.creds import jwt
from sigdoctor.creds.container import uri_problem
from sigdoctor.creds.env import odd_characters
from sigdoctor.creds.web_identity import role_arn_problem
from tests.creds.conftest import Env, Result
from tests.creds.fakes import make_jwt


@pytest.mark.parametrize(
    "value,expected",
    [
        ("AKIAIOSFODNN7EXAMPLE", []),
        ("AKIAIOSFODNN7EXAMPLE\n", ["trailing newline"]),
        (" AKIAIOSFODNN7EXAMPLE", ["leading space"]),
        ("abc def", ["inside space"]),
        ('"secret"', ["leading and trailing double quote"]),
        ("sec\tret\r\n", ["trailing newline", "trailing carriage return", "inside tab"]),
    ],
)
def test_odd_characters_name_the_class_and_place(value: str, expected: list[str]) -> None:
    assert sorted(odd_characters(value)) == sorted(expected)


@pytest.mark.parametrize(
    "arn,fragment",
    [
        ("arn:aws:iam::123456789012:role/agent", None),
        ("arn:aws-cn:iam::123456789012:role/path/agent", None),
        ("arn:aws:iam::12345678901:role/agent", "not 12 digits"),
        ("arn:aws:sts::123456789012:assumed-role/agent/x", "not iam"),
        ("arn:aws:iam::123456789012:instance-profile/agent", "not a role/"),
        ("agent-role", "is not an ARN"),
        ("arn:aws:iam::123456789012:role/agent ", "whitespace"),
    ],
)
def test_role_arn_problems(arn: str, fragment: str | None) -> None:
    problem = role_arn_problem(arn)
    assert (problem is None) if fragment is None else (problem is not None and fragment in problem)


def test_jwt_claims_without_verification() -> None:
    token = make_jwt(
        {"iss": "https://issuer", "sub": "system:serviceaccount:a:b", "aud": "sts.amazonaws.com", "exp": 1}
    )
    assert jwt.claims(token) == {
        "iss": "https://issuer",
        "sub": "system:serviceaccount:a:b",
        "aud": "sts.amazonaws.com",
        "exp": 1,
    }
    with pytest.raises(jwt.NotAJwt, match="3"):
        jwt.claims("not-a-token")


@pytest.mark.parametrize(
    "uri,refused",
    [
        ("http://127.0.0.1:8080/creds", False),
        ("http://169.254.170.23/v1/credentials", False),
        ("http://[fd00:ec2::23]/v1/credentials", False),
        ("https://creds.example.internal/v1", False),
        ("http://10.0.0.5/creds", True),
        ("ftp://127.0.0.1/creds", True),
    ],
)
def test_container_uri_rules_match_botocore(uri: str, refused: bool) -> None:
    assert (uri_problem(uri) is not None) == refused


def test_profile_env_vars_that_disagree_are_noted(env: Env, probe: Callable[..., Result]) -> None:
    env.config("[profile a]\nregion = us-east-1\n[profile b]\nregion = us-east-1\n")
    env.vars["AWS_PROFILE"] = "a"
    env.vars["AWS_DEFAULT_PROFILE"] = "b"
    r = probe(env)
    assert r.creds["profile"] == "b" and r.creds["profile_source"] == "AWS_DEFAULT_PROFILE"
    assert "Go SDKs use a" in r.finding("files").message
