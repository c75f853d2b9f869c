"""Target parsing: from the URL in an agent's config or an ARN to service, signing name, region and permissions."""

from __future__ import annotations

import pytest

from sigdoctor.targets import TargetError, kinds, parse_target

ACCT = "111122223333"

# input, service, signing name, region, partition, first (action, resource) pair
TABLE = [
    ("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1234abcd/api/v1/remote_write", "aps", "aps",
     "us-east-1", "aws", ("aps:RemoteWrite", f"arn:aws:aps:us-east-1:{ACCT}:workspace/ws-1234abcd")),
    ("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-9/api/v1/query", "aps", "aps", "eu-west-1", "aws",
     ("aps:QueryMetrics", f"arn:aws:aps:eu-west-1:{ACCT}:workspace/ws-9")),
    ("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-9/api/v1/series", "aps", "aps", "eu-west-1", "aws",
     ("aps:GetSeries", f"arn:aws:aps:eu-west-1:{ACCT}:workspace/ws-9")),
    ("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-9/api/v1/label/job/values", "aps", "aps",
     "eu-west-1", "aws", ("aps:GetLabels", f"arn:aws:aps:eu-west-1:{ACCT}:workspace/ws-9")),
    ("https://vpce-0abc123-xyz.aps-workspaces.us-west-2.vpce.amazonaws.com/workspaces/ws-7/api/v1/remote_write",
     "aps", "aps", "us-west-2", "aws", ("aps:RemoteWrite", f"arn:aws:aps:us-west-2:{ACCT}:workspace/ws-7")),
    ("https://aps-workspaces.us-gov-west-1.amazonaws.com/workspaces/ws-g/api/v1/remote_write", "aps", "aps",
     "us-gov-west-1", "aws-us-gov", ("aps:RemoteWrite", f"arn:aws-us-gov:aps:us-gov-west-1:{ACCT}:workspace/ws-g")),
    ("arn:aws:aps:eu-west-1:123456789012:workspace/ws-abc", "aps", "aps", "eu-west-1", "aws",
     ("aps:RemoteWrite", "arn:aws:aps:eu-west-1:123456789012:workspace/ws-abc")),
    ("https://logs.us-east-1.amazonaws.com", "logs", "logs", "us-east-1", "aws",
     ("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCT}:log-group:*:*")),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/eks/app:*", "logs", "logs", "us-east-1", "aws",
     ("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/eks/app:*")),
    ("https://logs.cn-northwest-1.amazonaws.com.cn", "logs", "logs", "cn-northwest-1", "aws-cn",
     ("logs:PutLogEvents", f"arn:aws-cn:logs:cn-northwest-1:{ACCT}:log-group:*:*")),
    ("https://monitoring.ap-south-1.amazonaws.com", "monitoring", "monitoring", "ap-south-1", "aws",
     ("cloudwatch:PutMetricData", "*")),
    ("https://xray.eu-central-1.amazonaws.com", "xray", "xray", "eu-central-1", "aws", ("xray:PutTraceSegments", "*")),
    ("https://my-loki-bucket.s3.eu-central-1.amazonaws.com/", "s3", "s3", "eu-central-1", "aws",
     ("s3:PutObject", "arn:aws:s3:::my-loki-bucket/*")),
    ("https://s3.eu-central-1.amazonaws.com/thanos-blocks/01H", "s3", "s3", "eu-central-1", "aws",
     ("s3:PutObject", "arn:aws:s3:::thanos-blocks/*")),
    ("https://tempo-traces.s3-us-west-2.amazonaws.com", "s3", "s3", "us-west-2", "aws",
     ("s3:PutObject", "arn:aws:s3:::tempo-traces/*")),
    ("s3.cn-north-1.amazonaws.com.cn/bkt", "s3", "s3", "cn-north-1", "aws-cn", ("s3:PutObject", "arn:aws-cn:s3:::bkt/*")),
    ("https://s3.dualstack.us-east-2.amazonaws.com/mimir", "s3", "s3", "us-east-2", "aws",
     ("s3:PutObject", "arn:aws:s3:::mimir/*")),
    ("arn:aws:s3:::loki-chunks", "s3", "s3", None, "aws", ("s3:PutObject", "arn:aws:s3:::loki-chunks/*")),
    ("https://search-logs-abc123def.us-east-1.es.amazonaws.com", "es", "es", "us-east-1", "aws",
     ("es:ESHttpPost", f"arn:aws:es:us-east-1:{ACCT}:domain/logs/*")),
    ("https://vpc-app-logs-x1y2z3.eu-west-2.es.amazonaws.com/_bulk", "es", "es", "eu-west-2", "aws",
     ("es:ESHttpPost", f"arn:aws:es:eu-west-2:{ACCT}:domain/app-logs/*")),
    ("arn:aws:firehose:us-east-1:123456789012:deliverystream/fluentbit", "firehose", "firehose", "us-east-1", "aws",
     ("firehose:PutRecordBatch", "arn:aws:firehose:us-east-1:123456789012:deliverystream/fluentbit")),
    ("https://firehose.us-east-1.amazonaws.com", "firehose", "firehose", "us-east-1", "aws",
     ("firehose:PutRecordBatch", f"arn:aws:firehose:us-east-1:{ACCT}:deliverystream/*")),
    ("arn:aws:kinesis:ap-northeast-1:123456789012:stream/logs", "kinesis", "kinesis", "ap-northeast-1", "aws",
     ("kinesis:PutRecords", "arn:aws:kinesis:ap-northeast-1:123456789012:stream/logs")),
    ("https://kinesis-fips.us-east-1.amazonaws.com", "kinesis", "kinesis", "us-east-1", "aws",
     ("kinesis:PutRecords", f"arn:aws:kinesis:us-east-1:{ACCT}:stream/*")),
]


@pytest.mark.parametrize("text,service,signing,region,partition,first", TABLE, ids=[t[0][:60] for t in TABLE])
def test_target_table(text: str, service: str, signing: str, region: str | None, partition: str,
                      first: tuple[str, str]) -> None:
    t = parse_target(text)
    assert (t.kind, t.signing_name, t.region, t.partition) == (service, signing, region, partition)
    assert t.permissions(ACCT)[0] == first


def test_s3_list_bucket_is_on_the_bucket_not_its_objects() -> None:
    perms = dict(parse_target("https://bk1.s3.us-east-1.amazonaws.com").permissions())
    assert perms["s3:ListBucket"] == "arn:aws:s3:::bk1" and perms["s3:GetObject"] == "arn:aws:s3:::bk1/*"


def test_vpc_endpoint_and_fips_hosts_are_flagged() -> None:
    t = parse_target("https://vpce-0abc123-xyz.aps-workspaces.us-west-2.vpce.amazonaws.com/workspaces/ws-7")
    assert t.vpce == "vpce-0abc123-xyz"
    assert parse_target("https://kinesis-fips.us-east-1.amazonaws.com").fips


def test_arn_targets_get_the_agent_url() -> None:
    t = parse_target("arn:aws:aps:eu-west-1:123456789012:workspace/ws-abc")
    assert t.url == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-abc/api/v1/remote_write"
    assert t.account == "123456789012"


def test_region_missing_from_host_uses_the_signing_region_and_says_so() -> None:
    t = parse_target("https://mybucket.s3.amazonaws.com", region="eu-west-3")
    assert t.region == "eu-west-3"
    assert any("region not in the host name" in n for n in t.notes)


def test_unrecognised_targets_say_what_was_not_inferred() -> None:
    t = parse_target("https://example.com/api/push")
    assert not t.recognised and t.host == "example.com" and t.actions == ()
    assert "pass --service" in t.notes[0]
    arn = parse_target("arn:aws:sqs:us-east-1:123456789012:queue1")
    assert not arn.recognised and arn.account == "123456789012" and "sqs" in arn.notes[0]
    with pytest.raises(TargetError):
        parse_target("arn:nope")
    with pytest.raises(TargetError):
        parse_target("https://")


def test_every_target_kind_matches_botocore_signing_names() -> None:
    import botocore.session

    session = botocore.session.get_session()
    for kind in kinds():
        assert session.get_service_model(kind.botocore_service).signing_name == kind.signing_name, kind.id
