"""The probe registry: a literal tuple, read top to bottom, in the SPEC's order.

`after` says what each probe waits for to start; a probe that needs only part of another's work waits for that
field of the run state inside its run (sigdoctor/runstate.py). After the agent probe (whose configuration may add
targets, region and role), everything starts at once:
* credentials surveys the chain and publishes botocore's winner the moment it is named (`state.chain`);
* identity waits for that winner, not for the survey of the other sources; permissions and signature follow it;
* clock, dns and connectivity start with the endpoints known from flags, environment and config (STS, targets,
  IAM); the credential endpoints the chain used (IMDS, container) join once the credentials probe names them, and
  the clock judges credential expiry once it has reported it. A silent STS or a slow web identity exchange cannot
  eat the deadline the network probes need to say why.
Results are reported in this order whatever order they finish in.
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
    # waits for state.chain (the winner), not for the whole credentials probe
    replace(identity.PROBE, after=("agent",)),
    # the assumed role (--role-arn) and the caller's identity feed permissions and signature
    replace(permissions.PROBE, after=("identity",)),
    replace(clock.PROBE, after=("agent",)),
    replace(dns.PROBE, after=("agent",)),
    # connects to the addresses the dns probe found (state.addresses), waiting for those, not for all of dns
    replace(connectivity.PROBE, after=("agent",)),
    # waits for connectivity's dead endpoints (state.dead_endpoints) rather than its whole run
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
