"""A denial that names an EC2 instance's role session (`assumed-role/ROLE/i-…`) where the text shows the pod was
given its own role (IRSA, EKS Pod Identity): the SDK fell back to the node's instance role, so the likeliest reading
is an SDK that did not use the pod's source; the missing permission of the node role stays the second reading.
Accounts, roles and instance ids are made up; each text has the shape its client prints."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

GO1_DENIED = ("level=error msg=\"flush failed\" err=\"AccessDenied: User: arn:aws:sts::111122223333:assumed-role/"
              "eks-node-group-role/i-0abc123def4567890 is not authorized to perform: s3:PutObject on resource: "
              "arn:aws:s3:::loki-chunks/fake/1 because no identity-based policy allows the s3:PutObject action\\n"
              "\\tstatus code: 403, request id: 4B2A7C9D1E0F3A5B\"")
IRSA_VALUES = ("serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: "
               "arn:aws:iam::111122223333:role/loki-s3\n")
POD_IDENTITY_ENV = ("$ kubectl exec loki-0 -- env | grep AWS_\nAWS_CONTAINER_CREDENTIALS_FULL_URI="
                    "http://169.254.170.23/v1/credentials\nAWS_REGION=eu-west-1\n")


@pytest.mark.parametrize("config", [IRSA_VALUES, POD_IDENTITY_ENV])
def test_the_node_role_denied_where_the_pod_has_its_own_role_reads_an_sdk_that_ignored_it(config: str) -> None:
    causes = text_causes(config + GO1_DENIED)
    assert causes[0] == ("sdk-unsupported-credential-source", Severity.ERROR)
    assert causes[1] == ("permission-missing", Severity.WARNING)


def test_the_node_role_denied_with_no_pod_role_in_sight_is_a_missing_permission() -> None:
    causes = text_causes(GO1_DENIED)
    assert causes[0] == ("permission-missing", Severity.ERROR)


def test_a_pod_role_denied_under_its_own_session_is_a_missing_permission() -> None:
    text = IRSA_VALUES + GO1_DENIED.replace("eks-node-group-role/i-0abc123def4567890", "loki-s3/1700000000000000000")
    causes = text_causes(text)
    assert causes[0] == ("permission-missing", Severity.ERROR)
