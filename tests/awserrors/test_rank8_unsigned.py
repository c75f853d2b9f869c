"""Missing Authentication Token: an unsigned request, a path the API does not have, or a client that had no
credentials and so signed nothing — three readings, ranked, each a warning after the first. Hosts are made up."""

from __future__ import annotations

from sigdoctor.model import Severity
from tests.decode.conftest import text_causes

APIGW = ('HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: MissingAuthenticationTokenException\n\n'
         '{"message":"Missing Authentication Token"}')


def test_missing_authentication_token_offers_a_client_without_credentials_third() -> None:
    causes = text_causes(APIGW)
    assert causes[0] == ("request-not-signed", Severity.WARNING)  # the text cannot decide (pass 13)
    assert causes[1:3] == [("target-not-found", Severity.WARNING), ("no-credentials", Severity.WARNING)]


def test_a_chain_message_beside_it_keeps_no_credentials_as_the_chains_own_reading() -> None:
    text = ("botocore.exceptions.NoCredentialsError: Unable to locate credentials\n" + APIGW)
    names = [c for c, _ in text_causes(text)]
    assert names.count("no-credentials") == 1
