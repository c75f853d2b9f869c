"""A local file the operating system refused is not a server's 403 (checks/errors/generic.toml, `denied`): the
tool could not read or create its own file, and no AWS answer is in the text."""

from __future__ import annotations

import pytest

from tests.decode.conftest import read_causes, text_causes

LOCAL = [
    # Python's OSError (errno 13) as the AWS CLI prints it when it cannot create ~/.aws under a HOME it cannot write.
    "$ aws sts get-caller-identity\n\n[Errno 13] Permission denied: '/.aws'\n",
    # Node's fs error: a tool that cannot open its credentials file.
    "Error: EACCES: permission denied, open '/home/agent/.aws/credentials' while calling sts getCallerIdentity",
    "PermissionError: [Errno 13] Permission denied: 'C:\\\\Users\\\\agent\\\\.aws\\\\config' (get-caller-identity)",
]


@pytest.mark.parametrize("text", LOCAL)
def test_a_local_file_refused_by_the_os_is_not_read_as_the_server_refusing_the_key(text: str) -> None:
    causes = [c for c, _ in read_causes(text)]
    assert not {"access-key-invalid", "secret-key-mismatch", "permission-missing"} & set(causes[:3]), causes


def test_a_tool_that_says_permission_denied_of_an_aws_call_is_still_read_as_a_refusal() -> None:
    causes = [c for c, _ in text_causes("mount-s3: HeadBucket failed for bucket my-bucket: Permission denied")]
    assert causes, "the mount helper's refusal of HeadBucket is a server's 403"
