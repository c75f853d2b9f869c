"""The survey of the network sources beside botocore's chain (IMDS, container endpoint), and when IMDS stops being
worth waiting for.

botocore names its winner first; the survey of the other sources goes on beside it. A silently dropped IMDS (the
usual EKS pod: hop limit 1 or a NetworkPolicy) would keep the credentials probe — and every probe waiting for what it
writes — for the whole connect timeout, although a source before IMDS in the chain already won. IMDS is cut ("not
needed") only when its answer cannot change the diagnosis:

* botocore's winner comes before `iam-role` in its chain and STS accepted the winner's credentials (the identity
  probe's answer): a later source cannot shadow it, and IMDS's silence is then no finding (`judge.imds` reports it
  only when IMDS is what the chain falls back to);
* the agent's own SDK (the Go chain models, `gosdk`) does not end up at IMDS either — an agent that signs with a
  profile set in code, say, skips web identity and really uses the instance role;
* IMDS is still silent: its TCP connect has not answered. Once it has, what it says next (a hop-limited token PUT,
  an IMDSv1 fallback) can be a finding, so it is waited for as before.

The container endpoint is always waited for: a broken one is reported (as a warning) even when shadowed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar
from urllib.parse import urlsplit

from sigdoctor.context import Context
from sigdoctor.creds import imds
from sigdoctor.creds.chain import ChainRun
from sigdoctor.gosdk import report as gosdk
from sigdoctor.gosdk.common import EC2_ROLE
from sigdoctor.hostport import hostport

T = TypeVar("T")


def start(name: str, work: Callable[[], T]) -> Future[T]:
    """`work` in a daemon thread: a survey step cut as not needed must not hold the process open at exit (a
    ThreadPoolExecutor's workers are joined at exit, so a silent connect would cost its full timeout there)."""
    future: Future[T] = Future()

    def target() -> None:
        try:
            future.set_result(work())
        except BaseException as e:  # handed to whoever reads the result, as an executor would
            future.set_exception(e)

    threading.Thread(target=target, name=f"sigdoctor-creds-{name}", daemon=True).start()
    return future


class ImdsSurvey:
    """IMDS checked in the background from the moment the credentials probe starts."""

    def __init__(self, ctx: Context, cfg: imds.ImdsConfig, check: Callable[[Callable[[], None]], imds.ImdsProbe]):
        self._ctx, self._cfg = ctx, cfg
        self._tcp_answered = threading.Event()
        self._wake = threading.Event()
        self._started = time.monotonic()
        self._pending = start("imds", lambda: check(self._answered))
        self._pending.add_done_callback(lambda _: self._wake.set())

    def _answered(self) -> None:
        self._tcp_answered.set()
        self._wake.set()

    def result(self, run: ChainRun, home: str | None) -> imds.ImdsProbe:
        """The survey's result, or a `not_needed` stand-in when IMDS is still silent and cannot matter."""
        ctx, pending = self._ctx, self._pending
        if pending.done() or not _before_imds(run):
            return pending.result()
        # Until the run's deadline: the runner closes the slot when identity ends; outside a run (or without the
        # identity probe) it answers at once with nothing, and IMDS is waited for as before.
        def identity_settles() -> None:
            ctx.state.identity.wait(ctx.remaining())
            self._wake.set()

        threading.Thread(target=identity_settles, name="sigdoctor-creds-identity", daemon=True).start()
        while not pending.done() and not self._tcp_answered.is_set():
            self._wake.wait()
            self._wake.clear()
            if pending.done() or self._tcp_answered.is_set() or not ctx.state.identity.settled:
                continue
            why = _not_needed(ctx, run, home)
            if why is None:
                break
            waited = time.monotonic() - self._started
            parts = urlsplit(self._cfg.base_url)
            name = parts.hostname or self._cfg.base_url
            host = hostport(name, parts.port or 80)
            return imds.ImdsProbe(False, f"not needed: no answer from {host} after {waited:.1f} s, when {why}",
                                  not_needed=True)
        return pending.result()


def _before_imds(run: ChainRun) -> bool:
    """botocore's winner comes before IMDS in its chain (IMDS could not have won, whatever it answers)."""
    order = run.order
    if run.winner is None or run.winner == "iam-role" or "iam-role" not in order or run.winner not in order:
        return False
    return order.index(run.winner) < order.index("iam-role")


def _not_needed(ctx: Context, run: ChainRun, home: str | None) -> str | None:
    """Why IMDS's answer can no longer matter, or None when it can."""
    answer = ctx.state.identity.wait(0)
    if answer is None or not answer.caller.get("arn"):
        return None
    # Whether IMDS would answer is unknown yet: a Go chain that falls back to it (source EC2RoleProvider, "not
    # verified") needs the answer; one that stops earlier does not look at IMDS at all.
    try:
        view = gosdk.view(ctx, home, {"imds": None, "container": None})
    except Exception:  # the report's own view of the Go chains says what is wrong; here it only means: wait
        return None
    models = [*view.predictions.values(), *([view.load_config] if view.load_config else [])]
    if any(p.kind == EC2_ROLE for p in models):
        return None
    return ("STS had accepted the credentials of a source before it in the chain, and the agent's Go SDK (as "
            "modelled) does not fall back to IMDS either")
