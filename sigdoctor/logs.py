"""Debug logging that cannot leak: every record is redacted (and its control characters made visible) before it is
formatted out. The record is scanned for credential fields first, so a secret key in an STS response body is
registered before the line that shows it is written."""

from __future__ import annotations

import logging

from sigdoctor.redact import Redactor, process_redactor


class RedactingFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__("%(asctime)s %(name)s %(levelname)s %(message)s")
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        self._redactor.learn(text)
        return self._redactor.display(text)


def install_redacting_handler(level: int, redactor: Redactor | None = None) -> Redactor:
    """Route all logging (botocore's included) to stderr through the redactor."""
    redactor = redactor or process_redactor()
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return redactor
