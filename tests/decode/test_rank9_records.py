"""Two records of one text whose readings are rivals: the record with a rule's evidence decides which reading of the
instance metadata service holds, and the other record's table default stays behind it as a ranked alternative.

The X-Ray daemon 2.x (aws/aws-xray-daemon pkg/conn/conn.go GetAWSConfigSession) and the OpenTelemetry collector's
internal/aws/awsutil conn.go print the same pair when no region is configured: first "Unable to retrieve the region
from the EC2 instance <the SDK's error>", then "Cannot fetch region variable from config file, environment variables
and ec2 metadata." — the first carries Go's net error, the second only says that no region was found. Hosts, ids and
times are made up; each line has the shape its program prints.
"""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity, Status
from tests.decode.conftest import candidates, decode_text, findings, text_causes

_REGION_LOOKUP = ("{ts} [Error] Unable to retrieve the region from the EC2 instance RequestError: send request failed\n"
                  "caused by: Get http://169.254.169.254/latest/meta-data/placement/availability-zone: dial tcp "
                  "169.254.169.254:80: connect: {why}\n")
_NO_REGION = "{ts} [Error] Cannot fetch region variable from config file, environment variables and ec2 metadata.\n"


def _daemon(why: str) -> str:
    ts = "2024-03-02T10:11:12Z"
    return (f"{ts} [Info] Initializing AWS X-Ray daemon 2.1.3\n{ts} [Info] Using buffer memory limit of 24 MB\n"
            + _REGION_LOOKUP.format(ts=ts, why=why) + _NO_REGION.format(ts=ts))


def test_a_metadata_connect_with_no_route_decides_the_region_summary_line_after_it() -> None:
    causes = text_causes(_daemon("network is unreachable"))
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("imds-hop-limit", Severity.WARNING) in causes[1:3]
    assert not any(c == "imds-hop-limit" and s is Severity.ERROR for c, s in causes)


def test_the_summary_lines_reading_stays_visible_as_the_alternative_and_says_why_it_is_second() -> None:
    report = decode_text(_daemon("connection refused"))
    hop = [f for f in findings(report) if f.id == "decode.imds-hop-limit"]
    assert hop and hop[0].status is Status.WARN
    assert "the text shows imds-unreachable instead" in hop[0].message
    assert report.probes[0].status is Status.FAIL  # exit 1: the metadata service's failure is an error


def test_the_summary_line_alone_keeps_its_table_reading() -> None:
    # Nothing else in the text says how instance metadata failed: the table's order stands.
    text = _NO_REGION.format(ts="2024-03-02T10:11:12Z")
    causes = text_causes(text)
    assert causes[0] == ("imds-hop-limit", Severity.ERROR)
    assert ("imds-unreachable", Severity.WARNING) in causes


def test_records_about_a_public_endpoint_do_not_decide_each_others_readings() -> None:
    # A connect refused to Route 53 one minute, a plain-HTTP answer the next: two attempts, not one fact of the host
    # (external-dns's Go v1 RequestError lines), so the second record's own reading stays an error.
    text = ('time="2024-03-02T06:39:06Z" level=error msg="RequestError: send request failed\\ncaused by: Get '
            'https://route53.amazonaws.com/2013-04-01/hostedzone: dial tcp 203.0.113.7:443: connect: connection '
            'refused"\n'
            'time="2024-03-02T06:40:06Z" level=error msg="RequestError: send request failed\\ncaused by: Get '
            'https://route53.amazonaws.com/2013-04-01/hostedzone: http: server gave HTTP response to HTTPS client"\n')
    causes = dict(text_causes(text))
    assert causes.get("proxy-misconfigured") is Severity.ERROR
    assert causes.get("endpoint-unreachable") is Severity.ERROR


def test_a_candidate_found_by_another_record_is_not_listed_twice() -> None:
    report = decode_text(_daemon("network is unreachable"))
    assert not [f for f in candidates(report) if f.id == "decode.imds-unreachable"]


# kubernetes-sigs/aws-ebs-csi-driver: pkg/cloud/metadata.go warns when instance metadata does not answer and reads the
# node from the Kubernetes API; pkg/cloud/metadata_k8s.go then parses spec.providerID (aws:///ZONE/i-… on EC2 nodes).
def _ebs_csi(providerid_error: str) -> str:
    return ("I0728 14:18:48.677477       1 metadata.go:85] retrieving instance data from ec2 metadata\n"
            "W0728 14:18:48.687660       1 metadata.go:88] ec2 metadata is not available\n"
            "I0728 14:18:48.687683       1 metadata.go:96] retrieving instance data from kubernetes api\n"
            "I0728 14:18:48.689798       1 metadata.go:101] kubernetes api is available\n"
            f"panic: {providerid_error}\n")


@pytest.mark.parametrize("what", ["region", "availability zone", "instance ID"])
def test_a_node_whose_provider_id_is_not_an_ec2_instances_has_no_metadata_service(what: str) -> None:
    causes = text_causes(_ebs_csi(f"did not find aws {what} in node providerID string"))
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("imds-hop-limit", Severity.WARNING) in causes
    assert not any(c == "imds-hop-limit" and s is Severity.ERROR for c, s in causes)


def test_an_empty_provider_id_does_not_say_the_node_is_not_ec2() -> None:
    # No cloud provider set it: an EC2 node without the AWS cloud provider has none either, so the hop-limit
    # reading of the failed metadata check stands first.
    causes = text_causes(_ebs_csi("node providerID empty, cannot parse"))
    assert causes[0] == ("imds-hop-limit", Severity.ERROR)


def test_both_messages_in_one_record_decide_the_same_way() -> None:
    # A kubectl viewer's box characters make one record of the pod's lines (the rivals are in the same record).
    text = ("│ ebs-plugin I1209 10:24:03.217578       1 metadata.go:88] \"ec2 metadata is not available\"   │\n"
            "│ ebs-plugin panic: did not find aws instance ID in node providerID string\n")
    causes = text_causes(text)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
