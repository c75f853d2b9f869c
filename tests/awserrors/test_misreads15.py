"""Words read against their sentence (pass 15): a state the sentence says things work in is no failure, and a
Kubernetes annotation key that holds an AWS domain is no AWS endpoint.

The texts are written from the phrasing (AWS's setting names, kube2iam's and kiam's annotation keys), not copied from
the corpus; hosts, buckets and roles are made up.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.generic_readings import find
from sigdoctor.awserrors.prose_readings import read
from sigdoctor.model import Severity
from tests.decode.conftest import read_causes, text_causes


def prose_causes(text: str) -> list[str]:
    return [s.entry.cause for s in read(text)]


# Sentences in which instance metadata is not what failed: IMDSv2 "disabled" is HttpTokens optional (the service still
# answers), and a state in which the client works is not its failure.
NOT_UNREACHABLE = [
    ("works-when-v2-off", "The exporter uploads fine when IMDSv2 is disabled on the instance. With IMDSv2 required "
                          "it fails."),
    ("able-to-when-off", "The sidecar is able to reach its queue when the metadata service is turned off in the "
                         "pod spec, so it fails only with the node's metadata."),
]


@pytest.mark.parametrize(("name", "text"), NOT_UNREACHABLE, ids=[r[0] for r in NOT_UNREACHABLE])
def test_metadata_off_in_a_sentence_that_says_it_works_is_not_unreachable(name: str, text: str) -> None:
    assert "imds-unreachable" not in prose_causes(text)


def test_metadata_service_disabled_is_still_read_as_unreachable() -> None:
    text = "The agent fails at startup: the instance metadata service is disabled on these hosts."
    assert "imds-unreachable" in prose_causes(text)


# Kubernetes annotation and label keys are PREFIX/NAME; kube2iam and kiam put iam.amazonaws.com in theirs.
ANNOTATIONS = [
    ("yaml-pod", "annotations:\n  iam.amazonaws.com/role: arn:aws:iam::123456789012:role/uploader\n"
                 "upload failed: 404 Not Found"),
    ("prose-key", "uploads fail with 404 Not Found until the iam.amazonaws.com/role annotation is set on the pod"),
    ("json-key", '{"metadata": {"annotations": {"iam.amazonaws.com/role": "uploader"}}} error: 404 Not Found'),
    ("namespace-key", "namespace annotation iam.amazonaws.com/permitted: \".*\" and the step fails: 404 Not Found"),
    ("other-prefix", "labels:\n  example.amazonaws.com/team: data\nsync error: 404 Not Found"),
]


@pytest.mark.parametrize(("name", "text"), ANNOTATIONS, ids=[r[0] for r in ANNOTATIONS])
def test_an_annotation_key_is_not_an_aws_endpoint(name: str, text: str) -> None:
    found = find(text)
    assert found is None or found.object.id != "aws-host"
    assert "target-not-found" not in [c for c, _ in read_causes(text)]


@pytest.mark.parametrize("text", [
    'upload: Put "https://uploads.s3.eu-west-1.amazonaws.com/reports/": 404 Not Found',
    "Get https://s3.amazonaws.com/reports-archive: 404 Not Found",
])
def test_a_url_with_a_path_is_still_an_aws_endpoint(text: str) -> None:
    found = find(text)
    assert found is not None and found.object.id in {"aws-host", "s3"}


def test_a_bare_host_beside_not_found_is_still_read() -> None:
    causes = text_causes("sync: logs.us-east-1.amazonaws.com answered 404 Not Found for the group")
    assert causes and causes[0] == ("target-not-found", Severity.WARNING)


def test_a_denial_of_the_anonymous_caller_reads_the_missing_signature_first() -> None:
    # OpenSearch's answer to a request with no SigV4 signature names the caller `anonymous`; "no resource-based
    # policy allows" is then about a caller with no identity: the signature is missing, the policy comes second.
    text = ('{"Message":"User: anonymous is not authorized to perform: es:ESHttpPost because no resource-based '
            'policy allows the es:ESHttpPost action"}')
    causes = text_causes(text)
    assert causes[0] == ("request-not-signed", Severity.ERROR)
    assert ("permission-missing", Severity.WARNING) in causes[1:3]


def test_a_signed_callers_resource_policy_denial_still_reads_permission_missing() -> None:
    text = ("User: arn:aws:sts::123456789012:assumed-role/indexer/i-0abc is not authorized to perform: es:ESHttpPost "
            "because no resource-based policy allows the es:ESHttpPost action")
    assert text_causes(text)[0] == ("permission-missing", Severity.ERROR)
