"""How far a SigV4 request's X-Amz-Date may be from AWS's clock before AWS refuses it — per service, with where
the figure comes from. Every module that judges clock skew against a signature reads it here."""

from __future__ import annotations

from sigdoctor.records import datarecord


@datarecord(frozen=True)
class Window:
    seconds: float
    source: str


# The rule for AWS APIs in general; services not listed below follow it.
DEFAULT = Window(300.0, "IAM User Guide, 'AWS Signature Version 4 for API requests': in most cases a request must "
                        "reach AWS within five minutes of the time stamp in the request")
WINDOWS: dict[str, Window] = {
    "s3": Window(900.0, "Amazon S3 API Reference, error RequestTimeTooSkewed: the difference between the request "
                        "time and the server's time may not exceed 15 minutes"),
    "sts": Window(900.0, "STS's own answer to a skewed request: 'Signature expired: <X-Amz-Date> is now earlier "
                         "than <limit> (<now> - 15 min.)'"),
}


def window(service: str | None) -> Window:
    """The window of a SigV4 signing name (`s3`, `sts`, `aps`, …); the general rule for any other."""
    return WINDOWS.get((service or "").lower(), DEFAULT)
