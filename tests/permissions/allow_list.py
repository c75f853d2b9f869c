"""SPEC's "never change anything in AWS" list, as (service, operation) pairs: the read-only identity and IAM calls,
plus per target kind its documented harmless request (`harmless.kind` in checks/targets/*.toml)."""

from __future__ import annotations

HARMLESS = {"amp-empty-remote-write": ("aps", "RemoteWrite"), "logs-describe-log-streams": ("logs", "DescribeLogStreams"),
            "s3-list-objects-max-keys-0": ("s3", "ListObjectsV2"),
            "xray-put-telemetry-empty": ("xray", "PutTelemetryRecords"),
            "firehose-describe-delivery-stream": ("firehose", "DescribeDeliveryStream"),
            "kinesis-describe-stream-summary": ("kinesis", "DescribeStreamSummary"),
            "es-get-root": ("es", "ESHttpGet")}
ALLOW_LIST = {("sts", "GetCallerIdentity"), ("sts", "AssumeRole"), ("sts", "AssumeRoleWithWebIdentity"),
              ("iam", "SimulatePrincipalPolicy"), ("iam", "GetRole"), ("iam", "GetInstanceProfile"),
              *HARMLESS.values()}
