"""`sigdoctor sign`: read a raw request, find credentials the normal way, sign with botocore's signer.

Credentials come from the same bounded chain `run` diagnoses (creds/chain.py): a credential_process is killed at
the deadline, a web identity token that is a FIFO or a device is refused, IMDS gets one short attempt. The whole
lookup runs under `deadline` seconds, so `sign` never hangs.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sigdoctor import boundedio
from sigdoctor.errors import UsageError
from sigdoctor.redact import Redactor
from sigdoctor.sigv4.request import RequestParseError
from sigdoctor.sigv4.signer import SignInputError, SignResult, sign_request

DEFAULT_DEADLINE_S = 20.0


def _read_request(path: Path) -> bytes:
    try:
        return boundedio.read_bytes(path, boundedio.REQUEST_LIMIT)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "--request takes a raw HTTP request file") from exc


def _credentials(profile: str | None, region: str | None, redactor: Redactor,
                 deadline_s: float) -> tuple[Any, str | None]:
    """(frozen credentials or None, region) from the diagnosed chain, within the deadline."""
    from sigdoctor.context import Context
    from sigdoctor.creds import chain, files
    from sigdoctor.creds.sources import error_text

    ctx = Context(profile=profile, region=region, deadline_s=deadline_s, redactor=redactor)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            run = chain.run(ctx, files.load(ctx), refresh=lambda _method: True)
            box["run"] = run
            if run.credentials is not None:
                box["frozen"] = run.credentials.get_frozen_credentials()
        except Exception as e:  # the chain's own errors are in run.error; this is what freezing raised
            box["error"] = e

    worker = threading.Thread(target=work, name="sign-credentials", daemon=True)
    worker.start()
    worker.join(max(0.1, ctx.remaining()))
    if worker.is_alive():
        raise UsageError(f"credentials could not be loaded within the {deadline_s:g} s deadline",
                         "'sigdoctor chain' shows which source hangs; --deadline gives it longer")
    run = box.get("run")
    err = box.get("error") or (run.error if run is not None else None)
    if err is not None and "frozen" not in box:
        raise UsageError(f"cannot load credentials: {error_text(err, redactor)}",
                         "'sigdoctor chain' shows every source")
    frozen = box.get("frozen")
    if not region:
        # The run's one resolver (AWS_REGION, AWS_DEFAULT_REGION, the profile): what the hint tells users to set.
        from sigdoctor.endpoints import resolve_region

        named = resolve_region(ctx)
        if named.invalid is not None:
            raise UsageError(named.invalid, "fix it, or pass --region (the agent's sigv4.region)")
        region = named.name if named.source != "guessed" else None
    return frozen, region


def sign_file(
    path: Path, *, region: str | None, service: str | None, timestamp: str | None, s3: bool,
    profile: str | None, redactor: Redactor, deadline_s: float = DEFAULT_DEADLINE_S,
) -> tuple[SignResult, str]:
    """The signing result and the access key id that signed (for masking in what is shown)."""
    raw = _read_request(path)
    frozen, region = _credentials(profile, region, redactor, deadline_s)
    if frozen is None:
        raise UsageError("no credentials to sign with", "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or use "
                         "--profile; 'sigdoctor chain' shows why each source failed")
    redactor.add_secret(frozen.secret_key)
    redactor.add_secret(frozen.token)
    redactor.add_key_id(frozen.access_key)
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
