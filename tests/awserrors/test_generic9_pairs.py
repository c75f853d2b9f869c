"""What `decode` makes of a message no table entry lists: the failure word and the AWS object beside it
(checks/errors/generic.toml, sigdoctor/awserrors/generic_readings.py).

The texts are in the shape tools print their own failures (a mount helper, an agent's HTTP client, a metadata proxy's
access log, an anyhow error chain) with wording no entry holds; hosts, ids and accounts are made up. Each reading is
weaker than a table entry's: a warning, unless the pair can mean one cause only, and it never speaks beside a record a
rule explained.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.generic_readings import GenericDataError, find, load, pairs
from sigdoctor.decode.probe import CAUSES
from sigdoctor.model import Severity
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed
from tests.decode.conftest import decode_text, findings, read_causes, text_causes

ERROR, WARNING = Severity.ERROR, Severity.WARNING

READ = [
    # A name under amazonaws.com that does not resolve can only be a failed look-up: the one error-first pair.
    ("lookup", 'mount-helper: ERROR unable to resolve "fs-0a1b2c3d.efs.us-east-1.amazonaws.com" after 3 attempts',
     [("dns-resolution-failed", ERROR), ("proxy-misconfigured", WARNING)]),
    ("imds-cut", "[2026/12/06 10:00:00] [error] [net] broken connection to 169.254.169.254:80 while reading the reply",
     [("imds-unreachable", WARNING), ("no-credentials", WARNING), ("proxy-misconfigured", WARNING)]),
    ("imds-role-404", "sync: credentials request to /latest/meta-data/iam/security-credentials/ answered 404 Not "
                      "Found",
     [("imds-no-role", WARNING), ("imds-unreachable", WARNING)]),
    ("aws-timeout", "2026-12-06 10:00:00 WARN uploader: request to firehose.us-east-2.amazonaws.com:443 timed out, "
                    "will retry",
     [("endpoint-unreachable", WARNING), ("proxy-misconfigured", WARNING), ("dns-resolution-failed", WARNING)]),
    ("aws-refused", "uploader: connection refused by kinesis.eu-west-1.amazonaws.com:443",
     [("endpoint-unreachable", WARNING), ("proxy-misconfigured", WARNING)]),
    ("token-expired", "2026-12-06 10:00:00 ERROR shipper: the session token has expired, stopping",
     [("credentials-expired", WARNING), ("clock-skew", WARNING)]),
    ("key-unknown", "upload failed: the access key id AKIAEXAMPLEEXAMPLE12 does not exist",
     [("access-key-invalid", WARNING), ("session-token-missing", WARNING)]),
    ("assume-forbidden", "vault: assuming role arn:aws:iam::123456789012:role/deployer: Forbidden",
     [("role-trust-denied", WARNING), ("permission-missing", WARNING)]),
    # GetCallerIdentity needs no permission: its refusal is never read as a missing one.
    ("caller-identity", "authenticator: GetCallerIdentity returned 403 for the presigned request",
     [("access-key-invalid", WARNING), ("credentials-expired", WARNING), ("secret-key-mismatch", WARNING),
      ("request-modified-after-signing", WARNING)]),
    ("s3-404", "backup: HeadBucket on my-bucket: 404 Not Found",
     [("target-not-found", WARNING), ("region-mismatch", WARNING)]),
    # Other runtimes' words for the same failures: Node.js, Windows sockets, an agent's own call names.
    # A connection that was cut had been made: no look-up failure among the readings.
    ("node-hang-up", "Error: socket hang up while calling firehose.us-east-1.amazonaws.com",
     [("endpoint-unreachable", WARNING), ("proxy-misconfigured", WARNING)]),
    ("windows-reset", "metadata: An existing connection was forcibly closed by the remote host (169.254.169.254:80)",
     [("imds-unreachable", WARNING), ("no-credentials", WARNING), ("proxy-misconfigured", WARNING)]),
    ("aws-call", "PutLogEvents failed: insufficient permissions for log group /app",
     [("permission-missing", WARNING), ("request-not-signed", WARNING), ("secret-key-mismatch", WARNING)]),
]


@pytest.mark.parametrize(("name", "text", "expected"), READ, ids=[r[0] for r in READ])
def test_a_failure_word_beside_an_aws_object_is_read(name: str, text: str, expected: list[tuple[str, Severity]]
                                                      ) -> None:
    assert text_causes(text) == expected
    first = findings(decode_text(text))[0]
    assert first.evidence["generic"]["same_line"] is True
    # Each reading names the command that settles it.
    assert first.evidence["fix"][0].startswith("Settle it: `")


def test_an_error_chain_over_lines_is_read_with_warnings_only() -> None:
    # anyhow's `Caused by:` list: the S3 call on one line, the refusal two lines below it.
    text = "Error: could not open the bucket\n\nCaused by:\n    0: ListObjectsV2 on s3://my-bucket/\n    1: client error\n    2: HTTP 403"
    assert text_causes(text) == [("permission-missing", WARNING), ("target-not-found", WARNING),
                                 ("credentials-expired", WARNING)]
    assert findings(decode_text(text))[0].evidence["generic"]["same_line"] is False


def test_a_lookup_over_lines_is_no_error() -> None:
    text = "sync: request to logs.eu-west-1.amazonaws.com failed\n  caused by: could not resolve logs-host.internal"
    causes = text_causes(text)
    assert causes[0] == ("dns-resolution-failed", WARNING)


def test_a_paste_is_read_at_the_line_that_holds_the_pair() -> None:
    # A log whose first record names the metadata address and says nothing; the 404 two lines below is what failed.
    text = ('time="2026-12-06T10:00:00Z" level=debug msg="sync started" metadata.url=169.254.169.254 '
            "req.path=/latest/meta-data/placement/availability-zone\n"
            'time="2026-12-06T10:00:00Z" level=info msg="placement read (200)"\n'
            'time="2026-12-06T10:00:03Z" level=info msg="role credentials: /latest/meta-data/iam/security-credentials/ '
            'answered 404"')
    assert text_causes(text)[0] == ("imds-no-role", WARNING)


NOT_READ = [
    # Go v2's endpoint resolution is no DNS look-up.
    ("endpoint-rules", "failed to init delete store: operation error S3: GetObject, failed to resolve service "
                       "endpoint, endpoint rule error, A region must be set when sending requests to S3"),
    # A request's timeout parameter is no timeout.
    ("timeout-param", 'Error: Get "https://ABCDEF0123.yl4.us-east-2.eks.amazonaws.com/api?timeout=32s": getting '
                      "credentials: exec: executable aws failed with exit code 254"),
    # No AWS object: someone else's server.
    ("not-aws", "remote_write: connection refused to 10.0.0.5:9090"),
    # The IRSA token path holds eks.amazonaws.com as a directory, not a host.
    ("token-path", "open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: connection reset"),
]


@pytest.mark.parametrize(("name", "text"), NOT_READ, ids=[r[0] for r in NOT_READ])
def test_words_that_are_no_failure_of_an_aws_object_say_nothing(name: str, text: str) -> None:
    assert read_causes(text) == []


def test_an_aws_error_code_is_reported_as_it_is() -> None:
    # AWS's own code is its verdict: the words around it are not read again.
    text = "ThrottlingException: Rate exceeded; request to logs.us-east-1.amazonaws.com timed out after retries"
    assert [f.evidence.get("generic") for f in findings(decode_text(text))] == [None]


def test_a_record_a_rule_read_is_not_joined_by_a_reading_from_words() -> None:
    known = "An error occurred (ExpiredToken) when calling the PutObject operation: The provided token has expired."
    both = known + "\nuploader: request to s3.us-east-1.amazonaws.com:443 timed out"
    assert text_causes(both) == text_causes(known)
    assert not any("generic" in f.evidence for f in findings(decode_text(both)))


def test_pairs_are_tried_in_the_file_order() -> None:
    # The role path is more specific than the metadata address on the same line.
    found = find("GET http://169.254.169.254/latest/meta-data/iam/security-credentials/ 404 Not Found")
    assert found is not None and (found.failure.id, found.object.id) == ("not-found", "imds-role")


def test_every_reading_is_one_decode_can_name() -> None:
    named = {c.cause for p in pairs().pairs for c in p.causes}
    assert named <= set(CAUSES), named - set(CAUSES)


def test_a_pair_of_an_unknown_cause_or_word_is_refused() -> None:
    data = parsed(errors_dir() / "generic.toml")
    ids = frozenset(CAUSES)
    bad_cause = {**data, "pair": [{**data["pair"][0], "causes": [{"id": "no-such-cause", "confidence": "low"}]}]}
    with pytest.raises(GenericDataError, match="no-such-cause"):
        load(bad_cause, ids)
    bad_word = {**data, "pair": [{**data["pair"][0], "objects": ["no-such-object"]}]}
    with pytest.raises(GenericDataError, match="no-such-object"):
        load(bad_word, ids)
