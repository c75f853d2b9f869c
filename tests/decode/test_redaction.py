"""No secret from the pasted input appears in any rendered format."""

from __future__ import annotations

import pytest

from sigdoctor.render.json import render_json
from sigdoctor.render.markdown import render_markdown
from sigdoctor.render.text import render_text
from tests.decode.conftest import decode_file, decode_text

TOKEN = ("IQoJb3JpZ2luX2VjEXAMPLEfakeTOKENdoNotUse0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
         "0123456789")
SIGNATURE = "f0e1d2c3b4a5968778695a4b3c2d1e0f0e1d2c3b4a5968778695a4b3c2d1e0f"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJodHRwczovL29pZGMifQ.c2lnbmF0dXJlc2lnbmF0dXJl"


def _renders(report: object) -> list[str]:
    return [render_json(report), render_markdown(report), render_text(report, color=False, verbose=True)]  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["amp_sigmismatch_prometheus.log", "amp_region_mismatch_alloy.log",
                                  "go_v1_debug_tampered.log", "s3_signature_mismatch.xml",
                                  "cli_debug_asia_no_token.log"])
def test_fixture_secrets_never_rendered(name: str) -> None:
    for out in _renders(decode_file(name)):
        assert TOKEN[:40] not in out
        assert SIGNATURE not in out
        assert "0d1c2b3a49586776a5b4c3d2e1f0a9b8" not in out
        assert "ASIAZ3EXAMPLE7QWERTY" not in out


def test_secret_key_jwt_and_token_in_a_pasted_env_dump_never_rendered() -> None:
    text = (f"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN={TOKEN}\n"
            f'level=error err="WebIdentityErr: failed to retrieve credentials\\ncaused by: InvalidIdentityToken: '
            f'Incorrect token audience token={JWT}"\n'
            f"X-Amz-Security-Token: {TOKEN}\nNoCredentialProviders: no valid providers in chain\n")
    for out in _renders(decode_text(text)):
        for secret in (SECRET, TOKEN[:40], JWT, "AKIAIOSFODNN7EXAMPLE"):
            assert secret not in out


# A password in a URL's userinfo: Loki's and Thanos' documented S3 URL form (`s3://KEY:SECRET@region/bucket`), a
# client endpoint with credentials in it (shown by the custom-endpoint clue), a proxy URL — plain and JSON-escaped.
URL_PASSWORD = "Hunter2UrlPassw0rdCanary"


@pytest.mark.parametrize("text", [
    f"s3 = boto3.client('s3', endpoint_url='https://minio:{URL_PASSWORD}@minio.internal:9000')\n"
    "botocore.exceptions.ClientError: An error occurred (SignatureDoesNotMatch) when calling the PutObject operation: "
    "The request signature we calculated does not match the signature you provided. Check your key and signing "
    "method.\n",
    f'level=error msg="upload failed" err="Put \\"https://loki:{URL_PASSWORD}@s3.us-east-1.amazonaws.com/b/k\\": '
    "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check "
    'your key and signing method. status code: 403"\n',
    f'{{"storage_config": {{"aws": {{"s3": "s3:\\/\\/AKIAIOSFODNN7EXAMPLE:{URL_PASSWORD}@us-east-1\\/loki"}}}}, '
    '"error": "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."}\n',
])
def test_a_password_inside_a_url_is_never_rendered(text: str) -> None:
    for out in _renders(decode_text(text)):
        assert URL_PASSWORD not in out
        assert "‹redacted›@" in out or "redacted" in out
