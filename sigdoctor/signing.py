"""`sigdoctor sign`: read a raw request, find credentials the normal way, sign with botocore's signer."""

from __future__ import annotations

from pathlib import Path

from sigdoctor.errors import UsageError
from sigdoctor.redact import Redactor
from sigdoctor.sigv4.request import RequestParseError
from sigdoctor.sigv4.signer import SignInputError, SignResult, sign_request


def sign_file(
    path: Path, *, region: str | None, service: str | None, timestamp: str | None, s3: bool,
    profile: str | None, redactor: Redactor,
) -> tuple[SignResult, str]:
    """The signing result and the access key id that signed (for masking in what is shown)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "--request takes a raw HTTP request file") from exc
    import botocore.exceptions
    import botocore.session

    try:
        session = botocore.session.Session(profile=profile)
        # Signing must not wait out IMDS retries on a laptop.
        session.set_config_variable("metadata_service_timeout", 1)
        session.set_config_variable("metadata_service_num_attempts", 1)
        creds = session.get_credentials()
        region = region or session.get_config_variable("region")
    except botocore.exceptions.BotoCoreError as exc:
        raise UsageError(f"cannot load credentials: {exc}", "'sigdoctor chain' shows every source") from exc
    if creds is None:
        raise UsageError("no credentials to sign with", "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or use "
                         "--profile; 'sigdoctor chain' shows why each source failed")
    frozen = creds.get_frozen_credentials()
    redactor.add_secret(frozen.secret_key)
    redactor.add_secret(frozen.token)
    if not region:
        raise UsageError("no region to sign for", "pass --region (the agent's sigv4.region) or set AWS_REGION")
    if not service:
        raise UsageError("no signing name", "pass --service, e.g. aps (AMP), logs, monitoring, s3, es, xray")
    try:
        result = sign_request(raw, access_key=frozen.access_key, secret_key=frozen.secret_key, token=frozen.token,
                              region=region, service=service, timestamp=timestamp, s3=s3)
    except RequestParseError as exc:
        raise UsageError(f"{path}: {exc}", "the file must hold a raw HTTP/1.1 request: request line, headers, "
                         "blank line, body") from exc
    except SignInputError as exc:
        raise UsageError(str(exc), "--time takes YYYYMMDDTHHMMSSZ, e.g. 20150830T123600Z") from exc
    return result, frozen.access_key or ""
