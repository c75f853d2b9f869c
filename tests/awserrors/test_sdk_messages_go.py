"""What `decode` makes of the AWS SDKs for Go when a profile cannot work, a credential_process fails, instance
metadata is switched off or lists no role (checks/errors/sdk-go.toml), and of Go's "no … role found" wrapper around a
role-list request that never got an answer (sigdoctor/awserrors/sources.py status_refutes_no_role).

Each text has the shape aws-sdk-go 1.44 / aws-sdk-go-v2 print it (files cited in the table); ids are made up.
"""

from __future__ import annotations

import pytest

from tests.decode.conftest import decode_text, text_causes, top_cause

MESSAGES = [
    ("go1-source-profile-without-keys", "SharedConfigAssumeRoleError: failed to load assume role for arn:aws:iam::"
                                        "111122223333:role/telemetry, source profile base has no shared credentials",
     "profile-invalid"),
    ("go2-role-arn-missing", "failed to refresh cached credentials, failed to load assume role arn:aws:iam::111122223333"
                             ":role/telemetry, of profile telemetry, credential type source_profile requires role_arn, "
                             "profile telemetry", "profile-invalid"),
    ("go1-two-sources", "SharedConfigErr: only one credential type may be specified per profile: source profile, "
                        "credential source, credential process, web identity token, or sso", "profile-invalid"),
    ("go2-ecs-source-outside-ecs", "failed to load configuration: EcsContainer was specified as the credential_source, "
                                   "but 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' was not set", "profile-invalid"),
    ("go1-mfa-profile", "AssumeRoleTokenNotAvailable: assume role with MFA enabled, but AssumeRoleTokenProvider session "
                        "option not set.", "sdk-unsupported-credential-source"),
    ("go1-credential-process", "NoCredentialProviders: no valid providers in chain. Deprecated.\nProcessProvider"
                               "ExecutionError: error in credential_process\ncaused by: exit status 1",
     "profile-invalid"),
    ("go2-credential-process", "failed to refresh cached credentials, process provider error: missing AccessKeyId in "
                               "process output", "profile-invalid"),
    ("go2-imds-disabled", "failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: "
                          "GetMetadata, access disabled to EC2 IMDS via client option, or \"AWS_EC2_METADATA_DISABLED\" "
                          "environment variable", "no-credentials"),
    ("go1-empty-role-list", "EmptyEC2RoleList: empty EC2 Role list", "imds-no-role"),
]


@pytest.mark.parametrize(("printer", "text", "cause"), MESSAGES, ids=[c[0] for c in MESSAGES])
def test_each_go_message_gives_its_cause(printer: str, text: str, cause: str) -> None:
    assert top_cause(decode_text(text)) == cause, printer


def test_a_role_list_request_that_could_not_connect_is_no_missing_role() -> None:
    # On Fargate no route to 169.254.169.254 exists: the kernel refuses the connect (EINVAL) and aws-sdk-go-v2 still
    # says "no EC2 IMDS role found" — the instance was never asked.
    text = ("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
            "request send failed, Get \"http://169.254.169.254/latest/meta-data/iam/security-credentials/\": dial tcp "
            "169.254.169.254:80: connect: invalid argument")
    causes = [c for c, _ in text_causes(text)]
    assert causes[0] == "no-credentials"
    assert "imds-no-role" not in causes[:3]
