"""S3's error body echoes the request's decoded path as <Resource>: a space or '+' there is an object key with the
characters S3 lists as needing special handling, which a client that encodes them differently from AWS signs over
another canonical URI. A bare signature mismatch then reads canonicalization first. Buckets and keys are made up.
"""

from __future__ import annotations

import pytest

from tests.decode.conftest import text_causes

BODY = ("<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the "
        "signature you provided. Check your key and signing method.</Message><Resource>{resource}</Resource>"
        "<RequestId>4442587FB7D0A2F9</RequestId><HostId>Z2F0ZXdheS1ob3N0LWlkLWV4YW1wbGUtYmFzZTY0LXN0cmluZw==</HostId>"
        "</Error>")


@pytest.mark.parametrize("resource", ["/photos/Screen Shot 2015-11-19 at 23.26.58.png", "/logs/a+b.gz"])
def test_a_resource_with_a_space_or_plus_reads_as_canonicalization_first(resource: str) -> None:
    assert text_causes(BODY.format(resource=resource))[0][0] == "canonicalization-mismatch"


def test_a_plain_resource_keeps_the_secret_key_first() -> None:
    assert text_causes(BODY.format(resource="/photos/screenshot.png"))[0][0] == "secret-key-mismatch"
