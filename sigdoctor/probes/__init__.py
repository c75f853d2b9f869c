"""The probe registry: a literal tuple, read top to bottom, in the SPEC's order."""

from __future__ import annotations

from sigdoctor.probes import agent, clock, connectivity, credentials, dns, identity, permissions, signature
from sigdoctor.probes.base import Probe

PROBES: tuple[Probe, ...] = (
    # Not in the SPEC's table: reads the agent's binary and configuration (--pid, --agent-binary, --agent-config)
    # and skips otherwise; it runs first because its settings (targets, region, role) feed every later probe.
    agent.PROBE,
    credentials.PROBE,
    identity.PROBE,
    permissions.PROBE,
    clock.PROBE,
    dns.PROBE,
    connectivity.PROBE,
    signature.PROBE,
)


def by_id() -> dict[str, Probe]:
    return {p.id: p for p in PROBES}


def validate(probes: tuple[Probe, ...] = PROBES) -> None:
    """Fail fast on a broken registry: duplicate ids, or a requirement on a later/unknown probe."""
    seen: set[str] = set()
    for p in probes:
        if p.id in seen:
            raise ValueError(f"duplicate probe id {p.id!r}")
        for r in p.requires:
            if r not in seen:
                raise ValueError(f"probe {p.id!r} requires {r!r}, which does not run before it")
        seen.add(p.id)
