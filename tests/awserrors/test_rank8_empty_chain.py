"""The readings of an empty credential chain with no further clue, in the order the threads behind it give them
(over batches 1-7, 114 such texts: no-credentials 69, then an SDK too old for the source it was given 12, before the
instance-metadata readings 6 + 5), and the hop-limit setting named in the text. Keys and hosts are made up; each
text has the shape its SDK prints."""

from __future__ import annotations

import pytest

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes, undecided_first

GO1_EMPTY = ("level=error msg=\"upload failed\" err=\"NoCredentialProviders: no valid providers in chain. Deprecated.\\n"
             "\\tFor verbose messaging see aws.Config.CredentialsChainVerboseErrors\"")
BOTO_EMPTY = "botocore.exceptions.NoCredentialsError: Unable to locate credentials"
JAVA1_EMPTY = ("com.amazonaws.SdkClientException: Unable to load AWS credentials from any provider in the chain: "
               "[EnvironmentVariableCredentialsProvider: Unable to load AWS credentials from environment variables]")


@pytest.mark.parametrize(("text", "third"), [(GO1_EMPTY, "imds-hop-limit"), (BOTO_EMPTY, "imds-unreachable"),
                                             (JAVA1_EMPTY, "imds-unreachable")])
def test_a_bare_empty_chain_offers_an_sdk_too_old_for_its_source_second(text: str, third: str) -> None:
    # Third, the instance-metadata reading the threads gave more often behind that SDK's bare message.
    causes = text_causes(text)
    assert causes[0] == ("no-credentials", Severity.WARNING)
    assert undecided_first(text) == "no-credentials"
    names = [c for c, _ in causes]
    assert names[1] == "sdk-unsupported-credential-source"
    assert names[2] == third


def test_the_hop_limit_setting_in_the_text_puts_the_hop_limit_second() -> None:
    # The user's own words (a setting shown as 1 is read by its own entry, checks/errors/agents8.toml).
    text = ("The app in its container fails with this while the host works; we raised the hop limit last week.\n"
            "NoCredentialProviders: no valid providers in chain. Deprecated.")
    names = [c for c, _ in text_causes(text)]
    assert names[:2] == ["no-credentials", "imds-hop-limit"]


def test_an_instance_metadata_cue_still_puts_the_metadata_readings_before_an_old_sdk() -> None:
    text = ("NoCredentialProviders: no valid providers in chain\ncaused by: EC2RoleRequestError: no EC2 instance "
            "role found\ncaused by: RequestError: send request failed\ncaused by: Get "
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/: dial tcp 169.254.169.254:80: "
            "connect: connection refused")
    names = [c for c, _ in text_causes(text)]
    assert "sdk-unsupported-credential-source" not in names[:2]
