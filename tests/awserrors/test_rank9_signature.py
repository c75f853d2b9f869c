"""A bare SignatureDoesNotMatch answered as a JSON {"message": …} with no code: the REST front of OpenSearch Service
and API Gateway. Its callers mostly sign with a generic signer (requests-aws4auth, awscurl, opensearch-py's
AWSV4SignerAuth, hand-written code), whose usual fault is the canonical request, so canonicalization-mismatch reads
first there; a wrong secret stays second. An AWS SDK's own client (botocore / the CLI) keeps the usual order. Hosts,
ids and keys are made up; each text has the shape its client prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

_MESSAGE = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")

# opensearch-py's AuthorizationException(status, body); awscurl prints the body; a Node client's JSON.stringify(err)
OPENSEARCH_PY = f"opensearchpy.exceptions.AuthorizationException: AuthorizationException(403, '{{\"message\":\"{_MESSAGE}\"}}')"
AWSCURL = f'{{\n  "message": "{_MESSAGE}"\n}}\n'
ESCAPED = f'{{"level":"error","body":"{{\\"message\\":\\"{_MESSAGE}\\"}}","status":403}}'


@pytest.mark.parametrize("text", [OPENSEARCH_PY, AWSCURL, ESCAPED], ids=["opensearch-py", "awscurl", "escaped"])
def test_the_rest_fronts_bare_answer_reads_canonicalization_first(text: str) -> None:
    causes = text_causes(text)
    assert causes[0] == ("canonicalization-mismatch", Severity.WARNING)
    assert undecided_first(text) == "canonicalization-mismatch"
    assert causes[1] == ("secret-key-mismatch", Severity.WARNING)


def test_the_same_answer_to_the_aws_cli_keeps_the_secret_first() -> None:
    # botocore signs with its own signer: a canonical-request bug there is not the usual reading.
    text = ("botocore.exceptions.ClientError: An error occurred (InvalidSignatureException) when calling the ListRegions "
            f'operation: {{"message":"{_MESSAGE}"}}')
    assert undecided_first(text) == "secret-key-mismatch"


def test_a_json_protocol_answer_with_its_type_is_no_rest_front() -> None:
    # JSON 1.1 services (Kinesis, CloudWatch Logs) answer with __type first: their callers are the service's SDK.
    text = f'{{"__type":"InvalidSignatureException","message":"{_MESSAGE}"}}'
    assert undecided_first(text) == "secret-key-mismatch"


def test_a_proxy_named_in_the_text_still_reads_first() -> None:
    text = f"behind our corporate proxy the domain answers 403 {AWSCURL}"
    assert undecided_first(text) == "request-modified-after-signing"


def test_a_request_signed_with_a_session_token_keeps_the_in_transit_reading_first() -> None:
    # Temporary credentials come as one set from STS: a proxy re-signing or changing the request is read first.
    text = ('{\n  "message": "' + _MESSAGE + '\\n\\nThe Canonical String for this request should have been\\n\'GET\\n'
            '/_snapshot\\n\\nhost:vpc-logs-abc123.eu-west-1.es.amazonaws.com\\nx-amz-date:20240102T030405Z\\n'
            'x-amz-security-token:made-up-session-token\\n\\nhost;x-amz-date;x-amz-security-token\\n'
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\'"\n}\n')
    assert undecided_first(text) == "request-modified-after-signing"
