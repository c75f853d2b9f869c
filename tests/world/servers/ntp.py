"""Fake NTP server (default: Amazon Time Sync, 169.254.169.123:123) that reports `time.time() + offset`; mode
"silent" reads and never answers (UDP 123 dropped by an egress rule)."""

from __future__ import annotations

from typing import Any

from tests.fakes.ntp import NtpResponder
from tests.world.servers.base import Running, ServerContext


class _Ntp(Running):
    def __init__(self, spec: dict[str, Any]) -> None:
        self.responder = NtpResponder(spec.get("address", "169.254.169.123"), int(spec.get("port", 123)),
                                      offset=float(spec.get("offset", 0.0)), refid=b"AMZN",
                                      mode=str(spec.get("mode", "ok"))).start()

    def stop(self) -> None:
        self.responder.stop()

    def report(self) -> dict[str, Any]:
        return {"requests": self.responder.requests}


def start(spec: dict[str, Any], ctx: ServerContext) -> Running:
    return _Ntp(spec)
