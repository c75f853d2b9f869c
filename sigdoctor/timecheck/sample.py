"""One answer (or non-answer) of one time source."""

from __future__ import annotations

import socket
from typing import Any

from sigdoctor.records import datarecord


def lookup_error(exc: socket.gaierror) -> str:
    """A name lookup failure as the user needs it: the name does not exist, or no resolver answered."""
    if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
        return "no such host"
    if exc.errno == socket.EAI_AGAIN:
        return "name lookup failed (resolver did not answer)"
    return f"name lookup failed ({exc.strerror or exc})"


@datarecord(frozen=True)
class Sample:
    """`offset_s` is true time − local time (NTP's convention): positive means the local clock is behind."""

    kind: str  # "ntp" | "http-date"
    server: str
    offset_s: float | None = None
    rtt_ms: float | None = None
    error: str | None = None
    stratum: int | None = None
    # Where an http-date sample came from: always "clock" (our own request) since the clock stopped reading the Dates
    # other probes record while it runs (a race); kept in the report's evidence for its readers.
    origin: str = "clock"
    # The forward proxy the request went through (password masked), as the agent's Go runtime would pick it.
    via: str | None = None
    # Still unanswered when the question was already settled (a trusted NTP source and AWS's Date agreed): not
    # waited for, and not a failure.
    not_needed: bool = False

    @property
    def answered(self) -> bool:
        return self.offset_s is not None

    @property
    def uncertainty_s(self) -> float | None:
        """How far off this sample itself may be: half the round trip, plus half a second of `Date` resolution."""
        if self.offset_s is None or self.rtt_ms is None:
            return None
        return self.rtt_ms / 2000 + (0.5 if self.kind == "http-date" else 0.0)

    @property
    def label(self) -> str:
        return f"NTP {self.server}" if self.kind == "ntp" else f"HTTP Date of {self.server}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "server": self.server,
            "offset_s": None if self.offset_s is None else round(self.offset_s, 4),
            "rtt_ms": None if self.rtt_ms is None else round(self.rtt_ms, 1),
            "uncertainty_s": None if self.uncertainty_s is None else round(self.uncertainty_s, 3),
            "error": self.error,
        }
        if self.not_needed:
            d["not_needed"] = True
        if self.kind == "ntp":
            d["stratum"] = self.stratum
        else:
            d["origin"] = self.origin
            d["via"] = self.via
        return d
