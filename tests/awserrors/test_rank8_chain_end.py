"""An SDK's default chain ends at instance metadata: the message it prints when nothing gave credentials quotes
instance metadata's failure. Both readings stay — the metadata service did not answer (on EC2), or nothing earlier
in the chain was configured (off EC2, where metadata never answers) — and a cause that "suppresses" another in the
catalog never folds away a rival reading of the same error. Hosts and ids are made up; each text has the shape its
SDK prints.
"""

from __future__ import annotations

from pathlib import Path

from sigdoctor.causes import CauseRule, diagnose, load_rules
from sigdoctor.model import Finding, ProbeResult, Severity, Status
from tests.decode.conftest import text_causes

# aws-sdk-php 3.x src/Credentials/InstanceProfileProvider.php, the last provider of CredentialProvider::defaultProvider
PHP_TIMEOUT = ("PHP Fatal error:  Uncaught Aws\\Exception\\CredentialsException: Error retrieving credentials from the "
               "instance profile metadata service. (cURL error 28: Connection timed out after 1001 milliseconds (see "
               "https://curl.haxx.se/libcurl/c/libcurl-errors.html) for "
               "http://169.254.169.254/latest/meta-data/iam/security-credentials/)")
PHP_REFUSED = ("Error retrieving credentials from the instance profile metadata server. (cURL error 7: Failed to "
               "connect to 169.254.169.254 port 80: Connection refused (see "
               "http://curl.haxx.se/libcurl/c/libcurl-errors.html))")
# aws-sdk-go-v2 config: the chain's last source, ec2rolecreds, timing out inside the signer's retrieval
GO2_CHAIN_TIMEOUT = ("operation error S3: ListObjectsV2, failed to sign request: failed to retrieve credentials: failed "
                     "to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
                     "request canceled, context deadline exceeded")


def test_the_php_chain_end_keeps_the_nothing_configured_reading_second() -> None:
    # A refused connect: something at the address answered — a blocked path on AWS as likely as a laptop.
    causes = text_causes(PHP_REFUSED)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert causes[1] == ("no-credentials", Severity.WARNING)


def test_the_php_chain_end_whose_one_second_probe_never_connected_reads_nothing_configured_first() -> None:
    # Pass 10 (sigdoctor/awserrors/chain_end.py): on EC2 the metadata service takes the connection at once.
    causes = text_causes(PHP_TIMEOUT)
    assert causes[0] == ("no-credentials", Severity.ERROR)
    assert causes[1] == ("imds-unreachable", Severity.WARNING)


def test_a_go_v2_chain_end_timeout_lists_nothing_configured_no_metadata_and_hop_limit() -> None:
    # No container, pod or AWS host in the text: the hop limit cannot lead (pass 11, chain_end.timeout_without_container).
    causes = text_causes(GO2_CHAIN_TIMEOUT)
    assert causes[0] == ("no-credentials", Severity.ERROR)
    assert [c for c, _ in causes[1:3]] == ["imds-unreachable", "imds-hop-limit"]
    assert all(s is Severity.WARNING for _, s in causes[1:3])


def test_a_metadata_timeout_outside_a_chain_message_keeps_its_two_metadata_readings_only() -> None:
    # aws-sdk-go v1 ec2metadata alone (the agent asked for its region, not for credentials): no chain ended there.
    text = ("EC2MetadataRequestError: failed to get EC2 instance identity document\ncaused by: RequestError: send "
            "request failed\ncaused by: Get \"http://169.254.169.254/latest/dynamic/instance-identity/document\": "
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
    names = [c for c, _ in text_causes(text)]
    assert "no-credentials" not in names[:2]
    assert set(names[:2]) == {"imds-hop-limit", "imds-unreachable"}


def _rules(folder: Path) -> dict[str, CauseRule]:
    for cid, suppresses in (("imds-unreachable", ["no-credentials"]), ("no-credentials", [])):
        (folder / f"{cid}.toml").write_text(
            f'id = "{cid}"\ntitle = "T"\nseverity = "error"\nconfidence = "medium"\npriority = 10\nsummary = "S"\n'
            f'when = ["decode.{cid}"]\nsuppresses = {suppresses!r}\nfix = ["f"]\n'.replace("'", '"'))
    return load_rules(folder)


def test_a_candidate_reading_is_not_folded_into_the_cause_that_suppresses_it(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    probe = ProbeResult("decode", "decode", Status.FAIL, "", 0, (
        Finding("decode.imds-unreachable", Status.FAIL, "metadata did not answer", {}),
        Finding("decode.no-credentials", Status.WARN, "or nothing was configured", {"candidate_rank": 1})))
    assert [c.id for c in diagnose([probe], rules)] == ["imds-unreachable", "no-credentials"]


def test_a_symptom_seen_directly_is_still_folded_into_its_explanation(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    probe = ProbeResult("decode", "decode", Status.FAIL, "", 0, (
        Finding("decode.imds-unreachable", Status.FAIL, "metadata did not answer", {}),
        Finding("decode.no-credentials", Status.WARN, "the chain found nothing", {})))
    causes = diagnose([probe], rules)
    assert [c.id for c in causes] == ["imds-unreachable"]
    assert any("no-credentials" in e for e in causes[0].evidence)
