"""A metadata-credentials proxy (kube2iam, kiam) assumes a pod's role itself, through the SDK's default chain, meant to
sign with the node's instance role. When AWS names an IAM user as the caller of that AssumeRole, static keys in the
proxy's environment won its chain: env-shadows-role first, the trust-policy reading kept behind it. A denial to a
user anywhere else stays the trust policy's. Accounts, roles and ids are made up; each text has the shape its tool
prints.
"""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

USER_CALLER = ("AccessDenied: User: arn:aws:iam::111122223333:user/ci-deployer is not authorized to perform: "
               "sts:AssumeRole on resource: arn:aws:iam::444455556666:role/s3-reader\n"
               "\tstatus code: 403, request id: 2492776c-b699-11e8-ac31-1f22838ee34f")


def test_a_pods_metadata_request_answered_by_a_users_denial_reads_as_static_keys_shadowing_the_node_role() -> None:
    text = f"$ curl http://169.254.169.254/latest/meta-data/iam/security-credentials/s3-reader\n{USER_CALLER}"
    causes = text_causes(text)
    assert causes[0] == ("env-shadows-role", Severity.ERROR)
    assert ("role-trust-denied", Severity.WARNING) in causes[1:3]


def test_kube2iams_own_log_of_the_same_denial_reads_the_same() -> None:
    # A kube2iam log line (logrus fields) carrying the STS error of the AssumeRole it made for the pod.
    text = ('time="2019-03-01T10:00:00Z" level=error msg="Error assuming role ' + USER_CALLER.replace("\n", " ")
            + '" ns.name=default pod.iam.role="arn:aws:iam::444455556666:role/s3-reader" kube2iam')
    assert text_causes(text)[0] == ("env-shadows-role", Severity.ERROR)


def test_the_node_roles_own_session_denied_through_the_proxy_stays_the_trust_policy() -> None:
    text = ("$ curl http://169.254.169.254/latest/meta-data/iam/security-credentials/s3-reader\n"
            "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/nodes.k8s/i-0abc123def4567890 is not "
            "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/s3-reader")
    causes = text_causes(text)
    assert causes[0] == ("role-trust-denied", Severity.ERROR)
    assert "env-shadows-role" not in [c for c, _ in causes]


def test_a_user_denied_assume_role_without_a_proxy_stays_the_trust_policy() -> None:
    # The X-Ray daemon run with an IAM user's keys and `-r ROLE` off EC2: the user is the intended caller.
    text = ("2019-12-20T00:31:03-03:00 [Error] Sending segment batch failed with: " + USER_CALLER)
    causes = text_causes(text)
    assert causes[0] == ("role-trust-denied", Severity.ERROR)
    assert "env-shadows-role" not in [c for c, _ in causes]
