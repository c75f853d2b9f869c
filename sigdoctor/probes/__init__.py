"""The probe registry: a literal tuple, read top to bottom, in the SPEC's order.

`after` says what each probe waits for. Two chains run side by side once the credentials are known: the AWS chain
(identity → permissions, identity → signature) and the network chain (dns → connectivity, and clock), so a silent
STS endpoint cannot eat the deadline the network probes need to say why it is silent. Results are reported in this
order whatever order they finish in.
"""

from __future__ import annotations

from dataclasses import replace

from sigdoctor.probes import agent, clock, connectivity, credentials, dns, identity, permissions, signature
from sigdoctor.probes.base import Probe

PROBES: tuple[Probe, ...] = (
    # Not in the SPEC's table: reads the agent's binary and configuration (--pid, --agent-binary, --agent-config)
    # and skips otherwise; it runs first because its settings (targets, region, role) feed every later probe.
    replace(agent.PROBE, after=()),
    replace(credentials.PROBE, after=("agent",)),
    # the assumed role (--role-arn) and the caller's identity feed permissions and signature
    replace(identity.PROBE, after=("credentials",)),
    replace(permissions.PROBE, after=("identity",)),
    # credential expiry is judged against the measured time
    replace(clock.PROBE, after=("credentials",)),
    # the credential endpoints (IMDS, container) the chain used are among the names to resolve
    replace(dns.PROBE, after=("credentials",)),
    replace(connectivity.PROBE, after=("dns",)),
    replace(signature.PROBE, after=("identity",)),
)


def by_id() -> dict[str, Probe]:
    return {p.id: p for p in PROBES}


def validate(probes: tuple[Probe, ...] = PROBES) -> None:
    """Fail fast on a broken registry: duplicate ids, or waiting on a later or unknown probe."""
    seen: set[str] = set()
    for p in probes:
        if p.id in seen:
            raise ValueError(f"duplicate probe id {p.id!r}")
        for r in (*p.requires, *(p.after or ())):
            if r not in seen:
                raise ValueError(f"probe {p.id!r} waits for {r!r}, which does not run before it")
        seen.add(p.id)
