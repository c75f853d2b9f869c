"""Pass 11's tool lines (checks/errors/tools11.toml) in a log too large to be read as a paste: the decode prefilter
finds them by their anchors (words of characters it already marks) and decode gives the same first cause as for the
line alone."""

from __future__ import annotations

import pytest

from tests.decode.conftest import text_causes

HEALTHY = b"".join(b'ts=2026-12-07T10:00:%02dZ level=info caller=shipper.go:88 msg="uploaded block" size=4096\n'
                   % (i % 60) for i in range(4000))  # ~350 KB: above decode's paste size, read through the prefilter

LINES = [
    "2026-01-02 03:04:05.678 P00  ERROR: [039]: S3 request failed with 403: Forbidden",
    "Command failed: Failed to open storage Service: Failed to get AWS instance metadata API.",
    "[2026-01-02 03:04:05,678] ERROR: Error occurred during backup: No valid method of AWS authentication provided.",
    "2026/01/02 03:04:05 wazuh-modulesd:aws-s3: WARNING: Bucket: trail  -  Invalid credentials to access S3 Bucket",
    "WARN aws_config::meta::credentials::chain: provider failed to provide credentials provider=EcsContainer "
    "error=the credentials provider was not properly configured: invalid full URI for ECS provider (URI did not refer "
    "to the loopback interface): http://169.254.170.23/v1/credentials",
    "[fog][WARNING] Unable to fetch credentials: Connection refused - connect(2) for 169.254.169.254:80",
]


@pytest.mark.parametrize("line", LINES, ids=range(len(LINES)))
def test_a_tool_line_in_a_large_log_reads_as_it_does_alone(line: str) -> None:
    alone = text_causes(line)
    assert alone
    in_log = text_causes(HEALTHY + line.encode() + b"\n" + HEALTHY)
    assert in_log[:1] == alone[:1]
