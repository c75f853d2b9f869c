"""Debug logging that cannot leak: every record is redacted before it is formatted out."""

from __future__ import annotations

import logging

from sigdoctor.redact import Redactor


class RedactingFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__("%(asctime)s %(name)s %(levelname)s %(message)s")
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.text(super().format(record))


def install_redacting_handler(level: int, redactor: Redactor | None = None) -> Redactor:
    """Route all logging (botocore's included) to stderr through the redactor."""
    redactor = redactor or Redactor()
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return redactor
