"""Each catalog cause in its own vocabulary, tied to a failure or fix word (checks/errors/prose12.toml).

The sentences are written the way tickets word a cause — each from the mechanism's own terms (AWS's setting names,
the cause's text in checks/causes/), none copied from the corpus. A negation, a sentence that says the opposite, a
word of the vocabulary beside an unrelated failure two paragraphs away, and a line an SDK printed are not read.
"""

from __future__ import annotations

import pytest

from sigdoctor.awserrors.prose_readings import DATA_FILE, VOCABULARY_FILE, ProseDataError, load, prose, read, sentences
from sigdoctor.awserrors.table import cause_ids
from sigdoctor.decode.probe import CAUSES
from sigdoctor.model import Severity
from sigdoctor.resources import errors_dir
from sigdoctor.tomlcache import parsed
from tests.decode.conftest import text_causes


def first_read(text: str) -> str | None:
    said = list(read(text))
    return said[0].entry.cause if said else None


STATED = [
    ("kms privileges", "The task role needs kms:Decrypt permission on the bucket key, otherwise the download fails.",
     "permission-missing"),
    ("insufficient permissions", "Turned out the node role had insufficient IAM permissions for the log group.",
     "permission-missing"),
    ("requires privileges", "Reading from an SSE-KMS bucket requires KMS privileges on the execution role.",
     "permission-missing"),
    ("scp deny", "An SCP in our organization denies s3:PutObject outside eu-west-1, which caused the upload error.",
     "explicit-deny"),
    ("deny condition", "The bucket's deny statement with aws:SourceVpce blocked our CI runner.", "explicit-deny"),
    ("opt-in region code", "Calls to STS for af-south-1 keep failing although the role exists.",
     "sts-opt-in-region"),
    ("opt-in wording", "Jakarta is an opt-in region, so we had to enable it first.", "sts-opt-in-region"),
    ("us-east-1 endpoint", "The exporter always goes to the us-east-1 STS endpoint instead of the regional one.",
     "sts-global-endpoint"),
    ("hop limit reached", "The token request from the pod exceeded the maximum hop limit of the instance.",
     "imds-hop-limit"),
    ("hop count fix", "Raising HttpPutResponseHopLimit to 2 fixed it for the sidecar.", "imds-hop-limit"),
    ("imds not on ec2", "The metadata endpoint is unreachable because the runner is not on EC2 at all.",
     "imds-unreachable"),
    ("network policy", "A Calico network policy blocked egress to 169.254.169.254 from every namespace.",
     "imds-unreachable"),
    ("proxy removed", "Once I unset HTTPS_PROXY for the agent, it worked.", "proxy-misconfigured"),
    ("squid", "All traffic goes through our squid proxy and the AWS calls fail with 407.", "proxy-misconfigured"),
    ("temporary keys", "Uploads with temporary credentials from our vault fail with 403 while IAM user keys work.",
     "session-token-missing"),
    ("token not passed", "The plugin ignores the aws_session_token option, so signing with STS keys is rejected.",
     "session-token-missing"),
    ("ecs agent", "The task can't get credentials: the ECS agent is not listening on 169.254.170.2.",
     "container-credentials-failed"),
    ("env keys before irsa", "AWS_ACCESS_KEY_ID in the chart takes precedence over the service account's role.",
     "env-shadows-role"),
    ("empty secret var", "The job ran with AWS_SECRET_ACCESS_KEY set to an empty value, then every call failed.",
     "env-credentials-incomplete"),
    ("body after signing", "The client signed with an empty payload hash and only then attached the JSON body.",
     "request-modified-after-signing"),
    ("sidecar rewrote", "The Envoy sidecar rewrites the host header, so the signature no longer matches.",
     "request-modified-after-signing"),
    ("key encoding", "Object keys with special characters break the signature, plain names upload fine.",
     "canonicalization-mismatch"),
    ("dns", "CoreDNS was down for an hour and the SDK could not resolve the STS host.", "dns-resolution-failed"),
    ("system time", "Kiosks with a wrong system time get rejected by S3 with a signature error.", "clock-skew"),
    ("region variable", "AWS_REGION was set to us-west-2 but the bucket lives in another region, hence the error.",
     "region-mismatch"),
    ("bucket name typo", "There was a typo in the bucket name in our values file, so the writer failed.",
     "target-not-found"),
    ("service name", "We signed with es instead of aoss as the service name, and the collection refused it.",
     "service-name-mismatch"),
    ("unsigned", "The output plugin does not sign its requests unless aws_auth is on, which is why they fail.",
     "request-not-signed"),
    ("oidc provider", "The IAM OIDC provider for the new cluster was not created, so the pods cannot assume roles.",
     "web-identity-rejected"),
    ("ca bundle", "Our Alpine image had an outdated CA bundle and the TLS handshake to S3 failed.", "tls-untrusted"),
    ("no egress", "The workers sit in a subnet without outbound internet access, so the calls to SQS time out.",
     "endpoint-unreachable"),
    ("sdk too old", "Upgrading the AWS SDK fixed it: the old one had no support for Pod Identity.",
     "sdk-unsupported-credential-source"),
    ("profile missing", "The named profile was not found in the container because ~/.aws was never mounted.",
     "profile-invalid"),
    ("credentials file path", "The credentials file path was wrong in the mount, so nothing was found.",
     "no-credentials"),
    ("deleted key", "Someone deactivated the access key last week and the backups fail since.", "access-key-invalid"),
]


@pytest.mark.parametrize(("text", "cause"), [(t, c) for _, t, c in STATED], ids=[n for n, _, _ in STATED])
def test_a_cause_in_its_own_words_is_read(text: str, cause: str) -> None:
    assert first_read(text) == cause


NOT_STATED = [
    ("not a permission issue", "It's not a permission issue: the upload fails with the same error as admin."),
    ("permissions are in place", "The required permissions are in place, yet the call fails."),
    ("has the permissions", "The role has the correct permissions and the export still fails."),
    ("region fine", "The region setting is correct and the job still fails."),
    ("clock fine", "The system time is fine on every node, and uploads still fail."),
    ("words far apart", "We use temporary credentials from SSO for deploys.\n\nSeparately, the nightly job fails."),
    ("no failure word", "We store the session token in a secret and mount it into the pod."),
    ("proxy with tls", "Behind the proxy the CLI fails with a certificate error."),
    ("docs wording", "AWS recommends the regional STS endpoints for every region."),
    # An SDK's or AWS's own wording is the error table's to read, never a person's statement.
    ("aws denial", "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: kms:Decrypt on resource: "
                   "key because no identity-based policy allows the kms:Decrypt action"),
    ("botocore log", "2026-01-05 10:00:01,234 DEBUG botocore.credentials: Retrieving credentials failed: missing "
                     "required permissions"),
    ("json log", '{"level":"error","msg":"metadata endpoint unreachable, failed to get instance metadata"}'),
    ("fenced", "Here is what it prints:\n```\nAWS_SECRET_ACCESS_KEY is empty, falling back, failed\n```\n"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_STATED], ids=[n for n, _ in NOT_STATED])
def test_a_negation_an_unrelated_word_or_a_printed_line_is_not_read(text: str) -> None:
    assert [s.entry.id for s in read(text) if s.entry.persons_only] == []


def test_a_printed_line_is_marked_so_a_persons_sentence_beside_it_is_still_read() -> None:
    text = ("2026-01-05T10:00:01Z ERROR upload failed: 403\n\n"
            "The execution role lacks the kms:GenerateDataKey permission on the key.\n")
    assert [s.printed for s in sentences(text)] == [True, False]
    assert first_read(text) == "permission-missing"


def test_decode_names_a_stated_cause_as_a_warning_when_no_error_line_does() -> None:
    causes = text_causes("Our nightly export broke. The reason was that the role lacks the logs:CreateLogStream "
                         "permission on the new log group.\n")
    assert causes[0] == ("permission-missing", Severity.WARNING)


def test_decode_ranks_the_stated_cause_behind_the_error_line() -> None:
    text = ("An error occurred (RequestTimeTooSkewed) when calling the PutObject operation: The difference between "
            "the request time and the current time is too large.\n\n"
            "I think the job failed because of a typo in the bucket name.\n")
    causes = text_causes(text)
    assert causes[0][0] == "clock-skew"
    assert ("target-not-found", Severity.WARNING) in causes[1:]


def test_every_vocabulary_names_a_cause_decode_emits_and_cites_a_source() -> None:
    data = parsed(errors_dir() / VOCABULARY_FILE)
    assert data["failure"] and data["persons_only"] is True
    for raw in data["prose"]:
        assert raw["cause"] in CAUSES, raw["id"]
        assert raw["source"], raw["id"]
    assert len(prose().entries) == len(parsed(errors_dir() / DATA_FILE)["prose"]) + len(data["prose"])


def test_an_entry_without_symptom_takes_the_shared_failure_words_and_needs_them() -> None:
    base = {"id": "x", "cause": "clock-skew", "says": "s", "mechanism": ["tick"], "needs": "n", "decide": "d",
            "source": ["doc"]}
    neg = [{"words": ["(?!)"]}]
    table = load({"prose": [base], "negation": neg, "failure": [{"words": ["broke"]}]}, cause_ids())
    assert [s.entry.id for s in read("The tick broke the build.", table)] == ["x"]
    assert list(read("The tick is here.", table)) == []
    with pytest.raises(ProseDataError, match="symptom"):
        load({"prose": [base], "negation": neg}, cause_ids())


def test_environment_variables_are_keys_only_where_the_sentence_says_so() -> None:
    # Adding a switch (RUN_WITH_IRSA=true) to a managed configuration that may be overridden is no key shadowing a role.
    switch = ("The add-on creates a managed agent configuration, making it unsafe - there is no guarantee it won't be "
              "overridden - to add environment variables.")
    assert "env-shadows-role" not in [s.entry.cause for s in read(switch)]
    keys = "The access keys in the pod's environment variables take precedence over the IRSA role."
    assert first_read(keys) == "env-shadows-role"
