"""One answer (or non-answer) of one time source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    """`offset_s` is true time − local time (NTP's convention): positive means the local clock is behind."""

    kind: str  # "ntp" | "http-date"
    server: str
    offset_s: float | None = None
    rtt_ms: float | None = None
    error: str | None = None
    stratum: int | None = None
    # Where an http-date sample came from: "clock" (our own request) or "shared" (another probe's response).
    origin: str = "clock"

    @property
    def answered(self) -> bool:
        return self.offset_s is not None

    @property
    def label(self) -> str:
        return f"NTP {self.server}" if self.kind == "ntp" else f"HTTP Date of {self.server}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "server": self.server,
            "offset_s": None if self.offset_s is None else round(self.offset_s, 4),
            "rtt_ms": None if self.rtt_ms is None else round(self.rtt_ms, 1),
            "error": self.error,
        }
        if self.kind == "ntp":
            d["stratum"] = self.stratum
        else:
            d["origin"] = self.origin
        return d
