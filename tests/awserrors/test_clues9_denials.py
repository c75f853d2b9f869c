"""Denials whose text says more than "not authorized" (pass 9): a role asking to assume itself, and an S3 URI with
the endpoint where its bucket goes. Keys, accounts and hosts are made up."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import decode_text, ranked_causes

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _causes(text: str) -> list[tuple[str, Severity]]:
    return ranked_causes(decode_text(text))


def _messages(text: str) -> str:
    return " ".join(f.message for f in decode_text(text).probes[0].findings)


def _assume(caller: str, role: str) -> str:
    return (f"AccessDenied: User: arn:aws:sts::123456789012:assumed-role/{caller}/1691417499559809485 is not "
            f"authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/{role}\n\tstatus "
            "code: 403, request id: 9e390336-c55f-4dd0-9d34-ec8233945ab6")


def test_a_role_assuming_itself_says_so() -> None:
    text = _assume("velero-irsa-Role1-1T470KOHYLTBK", "velero-irsa-Role1-1T470KOHYLTBK")
    assert _causes(text)[0] == ("role-trust-denied", ERROR)
    assert "tried to assume itself" in _messages(text)


def test_a_role_under_a_path_assuming_itself_says_so() -> None:
    text = _assume("deployer", "service-role/deployer")
    assert "tried to assume itself" in _messages(text)


def test_another_role_keeps_the_plain_trust_reading() -> None:
    text = _assume("node-group-NodeInstanceRole", "velero")
    assert _causes(text)[0] == ("role-trust-denied", ERROR)
    assert "itself" not in _messages(text)


HEAD_403 = "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden"


def test_the_endpoint_written_as_the_bucket_is_the_wrong_target() -> None:
    text = ("cloud-init: + aws s3 cp s3://s3.eu-west-2.amazonaws.com/my-bucket/setup.sh /home/centos/setup.sh\n"
            f"cloud-init: {HEAD_403}")
    causes = _causes(text)
    assert causes[0] == ("target-not-found", ERROR)
    assert [c for c, _ in causes][1] == "permission-missing"
    assert "s3.eu-west-2.amazonaws.com" in _messages(text)


def test_a_bucket_named_in_the_uri_keeps_the_bare_head_readings() -> None:
    text = f"+ aws s3 cp s3://my-bucket/setup.sh /home/centos/setup.sh\n{HEAD_403}"
    causes = _causes(text)
    # A HeadObject's bare 403: the missing key first (pass 11, rules._missing_key_first), every reading a warning.
    assert [c for c, _ in causes[:2]] == ["target-not-found", "permission-missing"]
    assert all(s == WARNING for _, s in causes)
