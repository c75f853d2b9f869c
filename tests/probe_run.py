"""What a probe test holds after running the real probes against the fake AWS: the report and its accessors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sigdoctor.context import Context
from sigdoctor.model import Finding, ProbeResult, Report
from tests.fakes.aws_api import FakeAws


@dataclass
class FakeAwsRun:
    report: Report
    ctx: Context
    fake: FakeAws
    probe_id: ClassVar[str]

    @property
    def probe(self) -> ProbeResult:
        return next(p for p in self.report.probes if p.id == self.probe_id)

    def findings(self, name: str) -> list[Finding]:
        return [f for f in self.probe.findings if f.id == f"{self.probe_id}.{name}"]

    @property
    def causes(self) -> list[str]:
        return [c.id for c in self.report.root_causes]
