"""What a probe is: a named function with the probe ids it requires and the finding ids it may emit."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sigdoctor.context import Context
from sigdoctor.model import Outcome, ProbeResult, Status
from sigdoctor.records import datarecord

RunFn = Callable[[Context, Mapping[str, ProbeResult]], Outcome]


@datarecord(frozen=True)
class Probe:
    id: str
    title: str
    run: RunFn
    # Probe ids whose failure makes this probe pointless; it is then `skip` with the reason.
    requires: tuple[str, ...] = ()
    # Seconds this probe may take at most (the whole-run deadline may cut it shorter).
    timeout: float = 10.0
    # Every finding id this probe can emit; cause files may only reference these (checked by a test).
    emits: tuple[str, ...] = ()
    implemented: bool = True
    # Probe ids that must have finished (whatever their status) before this one starts. None: the probe before it
    # in the list — strictly sequential, the safe default. An explicit tuple lets independent probes run side by
    # side (the network probes beside STS and IAM), so one silent endpoint does not eat everyone's deadline.
    after: tuple[str, ...] | None = None
    # Work the probe can start before the probes it comes `after` have finished, once its `requires` are met (e.g.
    # building the IAM client while STS answers the identity probe). Run in the background, never reported: `run`
    # must work the same whether it finished, failed or never started; share its results through `ctx.once`.
    warm_up: Callable[[Context], None] | None = None
    # Start `warm_up` with the run rather than once `requires` are met: for a warm-up that waits for what it needs
    # itself (the chain's answer), so it can overlap the probes it would otherwise wait behind.
    warm_up_at_start: bool = False

    def __post_init__(self) -> None:
        # Any probe can end unfinished (crash, deadline): the runner, or the probe itself, says so with this id.
        incomplete = f"{self.id}.diagnosis-incomplete"
        if incomplete not in self.emits:
            object.__setattr__(self, "emits", (*self.emits, incomplete))


def not_implemented(probe_id: str, title: str) -> Probe:
    """A probe announced by the SPEC but not built yet: an honest `skip`, never a made-up result."""

    def run(ctx: Context, prior: Mapping[str, ProbeResult]) -> Outcome:
        return Outcome(Status.SKIP, "not implemented yet")

    return Probe(id=probe_id, title=title, run=run, timeout=1.0, implemented=False)
