"""AWS's bare invalid-token answer ("The security token included in the request is invalid", InvalidClientTokenId /
UnrecognizedClientException) reads first as an unknown access key, then as a temporary key sent without its token.
Two things the text can show settle it: the call that failed was STS GetSessionToken (always signed with a long-term
key and no token, so the key is what AWS refused), or the code passes an STS answer's AccessKeyId and SecretAccessKey
fields without its SessionToken (those keys are always temporary). Keys, profiles and hosts are made up; each text
has the shape its tool prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

# aws-vault 4.x (vault/provider.go: log "Getting new session token for profile %s", then the STS error) and the CLI.
VAULT_GET_SESSION = ("2018/03/03 23:49:57 Getting new session token for profile work\n"
                     "aws-vault: error: Failed to get credentials for work: InvalidClientTokenId: The security token "
                     "included in the request is invalid.\n\tstatus code: 403, request id: "
                     "0f6f6a8e-1f3b-11e8-9b1e-4d2c1a9e6b11")
CLI_GET_SESSION = ("$ aws sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/dev --token-code 123456\n"
                   "An error occurred (InvalidClientTokenId) when calling the GetSessionToken operation: The security "
                   "token included in the request is invalid.")


@pytest.mark.parametrize("text", [VAULT_GET_SESSION, CLI_GET_SESSION])
def test_an_invalid_token_answered_to_get_session_token_is_the_long_term_key(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("access-key-invalid", Severity.ERROR)
    assert "session-token-missing" not in [c for c, _ in causes[:1]]


def test_a_session_token_named_by_the_user_still_reads_as_a_missing_token() -> None:
    # The user's own words that temporary credentials are in use (not a GetSessionToken call): the token reading leads.
    text = ("I export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the assumed role but not the session token.\n"
            "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token "
            "included in the request is invalid.")
    assert text_causes(text)[0] == ("session-token-missing", Severity.ERROR)


# The key pair of an STS answer's Credentials structure read by field, the token left out, in four languages.
R_PAWS = ("> con <- dbConnect(RAthena::athena(),\n"
          "+                  aws_access_key_id = credentials$AccessKeyId,\n"
          "+                  aws_secret_access_key = credentials$SecretAccessKey,\n"
          "+                  region_name='eu-west-1')\n"
          "Error: An error occurred (UnrecognizedClientException) when calling the GetDatabases operation: The security "
          "token included in the request is invalid.")
BOTO3 = ("creds = sts.assume_role(RoleArn=arn, RoleSessionName='job')['Credentials']\n"
         "ddb = boto3.client('dynamodb', aws_access_key_id=creds['AccessKeyId'],\n"
         "                   aws_secret_access_key=creds['SecretAccessKey'])\n"
         "botocore.exceptions.ClientError: An error occurred (UnrecognizedClientException) when calling the ListTables "
         "operation: The security token included in the request is invalid.")
NODE = ("const client = new AWS.S3({ accessKeyId: data.Credentials.AccessKeyId, secretAccessKey: "
        "data.Credentials.SecretAccessKey });\n"
        "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.")


@pytest.mark.parametrize("text", [R_PAWS, BOTO3, NODE])
def test_an_sts_answers_key_pair_without_its_token_reads_as_the_missing_token(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("session-token-missing", Severity.ERROR)


def test_iam_create_access_key_fields_are_a_long_term_key() -> None:
    # IAM CreateAccessKey's answer (AccessKey.AccessKeyId) holds a long-term key: an unknown key stays first.
    text = ("s3 = boto3.client('s3', aws_access_key_id=new['AccessKey']['AccessKeyId'],\n"
            "                  aws_secret_access_key=new['AccessKey']['SecretAccessKey'])\n"
            "botocore.exceptions.ClientError: An error occurred (InvalidClientTokenId) when calling the "
            "GetCallerIdentity operation: The security token included in the request is invalid.")
    assert undecided_first(text) == "access-key-invalid"
