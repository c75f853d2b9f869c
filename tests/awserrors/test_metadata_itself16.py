"""A program that needs instance metadata itself (the instance identity document) with metadata switched off is
imds-unreachable, not the end of a credential chain (clues_sources.own_metadata_disabled)."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

# aws-sdk-go v1's GetInstanceIdentityDocument error over its metadata client's refusal (ec2metadata/api.go, service.go).
IDENTITY_DOCUMENT = (
    'F1202 10:00:00.000000       1 main.go:88] could not init cloud provider "aws": error creating AWS metadata '
    'client: "unable to get instance identity document: EC2MetadataRequestError: failed to get EC2 instance identity '
    'document\\ncaused by: RequestCanceled: EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED env var"\n')
# The same refusal at the end of a credential chain: nothing before instance metadata was configured.
CHAIN = ("NoCredentialProviders: no valid providers in chain\ncaused by: EnvAccessKeyNotFound: failed to find "
         "credentials in the environment.\nSharedCredsLoad: failed to load profile, default.\nEC2RoleRequestError: no "
         "EC2 instance role found\ncaused by: RequestCanceled: EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED "
         "env var\n")


def test_the_identity_document_with_metadata_disabled_is_metadata_unreachable() -> None:
    causes = text_causes(IDENTITY_DOCUMENT)
    assert causes[0] == ("imds-unreachable", Severity.ERROR)
    assert ("no-credentials", Severity.WARNING) in causes


def test_a_credential_chain_that_ends_at_disabled_metadata_stays_the_chains_end() -> None:
    assert text_causes(CHAIN)[0][0] != "imds-unreachable"
